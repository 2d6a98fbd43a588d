using Exo.Kernel.Arch.X64;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>Linux calls about the calling process and thread: exit, exit_group, getpid, getppid, gettid, personality.</summary>
    public static unsafe class ProcessCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(Exit, &DoExit, CallPath.Fast);
            LinuxSystemCalls.Register(ExitGroup, &DoExitGroup, CallPath.Fast);
            LinuxSystemCalls.Register(Getpid, &DoGetProcessId, CallPath.Fast);
            LinuxSystemCalls.Register(Getppid, &DoGetParentProcessId, CallPath.Fast);
            LinuxSystemCalls.Register(Gettid, &DoGetThreadId, CallPath.Fast);
            LinuxSystemCalls.Register(Personality, &DoPersonality, CallPath.Fast);
        }

        private const uint QueryPersonality = 0xFFFFFFFF;

        // personality(persona): the previous persona (0xffffffff only asks). Stored and reported, inherited by fork and
        // kept by execve as Linux does; no flag changes what POSIX-X does (it never randomizes addresses, so
        // ADDR_NO_RANDOMIZE holds anyway; READ_IMPLIES_EXEC and the other execution domains are not honoured).
        private static ulong DoPersonality(RegisterFrame* frame)
        {
            LinuxProcess process = LinuxProcess.Current;
            uint persona = (uint)frame->Argument0;
            int previous = persona == QueryPersonality ? System.Threading.Volatile.Read(ref process.Personality)
                : System.Threading.Interlocked.Exchange(ref process.Personality, (int)persona);
            return (uint)previous;
        }

        // exit ends the calling thread (the process ends with its last thread); exit_group ends every thread.
        // Linux keeps the status's low 8 bits. The ending thread gives up its robust futexes and wakes its joiner
        // (RobustFutexes) while it is still in its memory.
        private static ulong DoExit(RegisterFrame* frame)
        {
            LinuxProcess process = LinuxProcess.Current;
            if (System.Threading.Interlocked.Decrement(ref process.ThreadsNotExited) == 0)
                process.LastThreadExitCode = (int)(frame->Argument0 & 0xFF);   // before a joiner can run on
            Synchronization.RobustFutexes.ThreadEnding(LinuxThread.Current);
            Exo.Kernel.UserMode.UserMode.ExitThread(frame->Argument0 & 0xFF);
            return 0;
        }

        private static ulong DoExitGroup(RegisterFrame* frame)
        {
            Synchronization.RobustFutexes.ThreadEnding(LinuxThread.Current);
            Exo.Kernel.UserMode.UserMode.ExitProcess(frame->Argument0 & 0xFF);
            return 0;
        }

        private static ulong DoGetProcessId(RegisterFrame* frame) => (ulong)Exo.Kernel.Scheduler.Scheduler.Current.Process.Id;

        private static ulong DoGetParentProcessId(RegisterFrame* frame) => (ulong)LinuxProcess.Current.ParentProcessId;

        // The calling thread's Linux id (the process id for its first thread).
        private static ulong DoGetThreadId(RegisterFrame* frame) => (ulong)LinuxThread.Current.ThreadId;
    }

    /// <summary>Linux thread ids (LinuxThread.ThreadId): the process id for a process's first thread, else one from the pid sequence.</summary>
    public static class ThreadIds
    {
        /// <summary>The Linux id of 'thread' (a thread of a Linux process that has not been released), or -1.</summary>
        public static int Of(Exo.Kernel.Processes.UserThread thread) => LinuxThread.Of(thread)?.ThreadId ?? -1;

        /// <summary>
        /// The Linux process that has live thread 'threadId' (with a reference on its Process: release it) and that
        /// thread (with a reference: release it); null if none.
        /// </summary>
        public static LinuxProcess FindProcessOf(int threadId, out Exo.Kernel.Processes.UserThread thread)
        {
            thread = null;
            for (int slot = 0; slot < Exo.Kernel.Processes.ProcessRegistry.Capacity; slot++)
            {
                Exo.Kernel.Processes.Process process = Exo.Kernel.Processes.ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                if (process.PersonalityState is LinuxProcess linux && (thread = FindIn(process, threadId)) != null)
                    return linux;
                process.Release();
            }
            return null;
        }

        // Under the life cycle's lock, which a thread's release takes to empty its slot before freeing its state.
        private static Exo.Kernel.Processes.UserThread FindIn(Exo.Kernel.Processes.Process process, int threadId)
        {
            using (Exo.Kernel.Sync.InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                for (int i = 0; i < process.ThreadCount; i++)
                {
                    Exo.Kernel.Processes.UserThread candidate = process.Threads[i];
                    if (candidate != null && !candidate.Exited && Of(candidate) == threadId)
                    {
                        candidate.AddReference();
                        return candidate;
                    }
                }
            }
            return null;
        }
    }
}
