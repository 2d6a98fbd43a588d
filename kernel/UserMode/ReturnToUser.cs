using System.Runtime.InteropServices;
using System.Threading;
using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.UserMode
{
    /// <summary>
    /// The one path back to ring 3 for work that must happen first: every return from a system call and from
    /// an interrupt or exception that came from ring 3 looks at the thread's pending-work word, and when any
    /// bit is set, this loop does the work until none is left (a bit may be set again meanwhile, by another
    /// processor or by the work itself). Kill ends the thread here; a reschedule asked during a system call
    /// happens here; a replaced frame is sanitized here and leaves by IRETQ. Signals will be delivered here.
    /// Runs with interrupts masked, on the thread's kernel stack, below its frame.
    /// </summary>
    public static unsafe class ReturnToUser
    {
        // The system call exit path's slow branch (SystemCallEntry.asm): 0 to leave by SYSRET, 1 by IRETQ.
        [UnmanagedCallersOnly(EntryPoint = "ExoReturnToUserWork")]
        private static int FromSystemCall(RegisterFrame* frame) => DoPendingWork(frame) ? 1 : 0;

        /// <summary>
        /// Does the current thread's pending work, in a loop until none is left. True if the frame changed and
        /// must leave by IRETQ (an interrupt's return always does).
        /// </summary>
        public static bool DoPendingWork(RegisterFrame* frame)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            bool changed = false;
            int work;
            while ((work = Volatile.Read(ref current.User.PendingWork)) != 0)
            {
                if ((work & (int)UserWork.Kill) != 0)
                    UserMode.ExitToKernel(UserMode.KilledResult);   // does not return
                if ((work & (int)UserWork.FrameChanged) != 0)
                {
                    Interlocked.And(ref current.User.PendingWork, ~(int)UserWork.FrameChanged);
                    changed = true;
                    if (!frame->SanitizeForUserMode())
                        UserMode.EndProgramAfterFault(frame, 13, "the new instruction pointer is not a user address");
                }
                if ((work & (int)UserWork.Signal) != 0)
                {
                    Interlocked.And(ref current.User.PendingWork, ~(int)UserWork.Signal);
                    current.Process.PersonalityState?.OnSignalWork(current, frame);   // may replace the frame (FrameChanged)
                    continue;
                }
                if ((work & (int)UserWork.Reschedule) != 0)
                {
                    Interlocked.And(ref current.User.PendingWork, ~(int)UserWork.Reschedule);
                    if (Scheduler.Scheduler.NeedsReschedule)
                        Scheduler.Scheduler.Preempt();
                }
            }
            return changed;
        }
    }
}
