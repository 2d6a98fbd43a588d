using Exo.Kernel.Arch.X64;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>Linux calls about the calling process and thread: exit, exit_group, getpid, getppid, gettid.</summary>
    public static unsafe class ProcessCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(Exit, &DoExit, CallPath.Fast);
            LinuxSystemCalls.Register(ExitGroup, &DoExitGroup, CallPath.Fast);
            LinuxSystemCalls.Register(Getpid, &DoGetProcessId, CallPath.Fast);
            LinuxSystemCalls.Register(Getppid, &DoGetParentProcessId, CallPath.Fast);
            LinuxSystemCalls.Register(Gettid, &DoGetThreadId, CallPath.Fast);
        }

        // exit ends the calling thread (the process ends with its last thread); exit_group ends every thread.
        // Linux keeps the status's low 8 bits.
        private static ulong DoExit(RegisterFrame* frame)
        {
            Exo.Kernel.UserMode.UserMode.ExitThread(frame->Argument0 & 0xFF);
            return 0;
        }

        private static ulong DoExitGroup(RegisterFrame* frame)
        {
            Exo.Kernel.UserMode.UserMode.ExitProcess(frame->Argument0 & 0xFF);
            return 0;
        }

        private static ulong DoGetProcessId(RegisterFrame* frame) => (ulong)Exo.Kernel.Scheduler.Scheduler.Current.Process.Id;

        private static ulong DoGetParentProcessId(RegisterFrame* frame) => (ulong)LinuxProcess.Current.ParentProcessId;

        // A thread's id: the kernel thread's id offset past every process id, so the two never collide; the
        // main thread's id is the process id, as on Linux.
        private static ulong DoGetThreadId(RegisterFrame* frame)
        {
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            return current.User.Thread == current.Process.Threads[0] ? (ulong)current.Process.Id : ThreadIds.Of(current);
        }
    }

    /// <summary>Linux thread ids for threads other than a process's first (whose id is the process id).</summary>
    public static class ThreadIds
    {
        /// <summary>Above every process id (the process table holds fewer), unique while the thread lives.</summary>
        public const ulong Base = 1 << 16;

        public static ulong Of(Exo.Kernel.Scheduler.Thread thread) => Base + (ulong)thread.Id;

        /// <summary>
        /// The Linux process that has thread 'threadId' (with a reference on its Process: release it) and that
        /// thread; null if none.
        /// </summary>
        public static LinuxProcess FindProcessOf(int threadId, out Exo.Kernel.Processes.UserThread thread)
        {
            thread = null;
            if ((ulong)threadId < Base)
            {
                LinuxProcess owner = ProcessTree.Find(threadId);
                if (owner != null)
                    thread = owner.Process.Threads[0];
                return owner;
            }
            for (int slot = 0; slot < Exo.Kernel.Processes.ProcessRegistry.Capacity; slot++)
            {
                Exo.Kernel.Processes.Process process = Exo.Kernel.Processes.ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                if (process.PersonalityState is LinuxProcess linux)
                {
                    int count = System.Threading.Volatile.Read(ref process.ThreadCount);
                    for (int i = 0; i < count; i++)
                    {
                        Exo.Kernel.Processes.UserThread candidate = process.Threads[i];
                        if (candidate != null && !candidate.Exited && candidate.Thread != null && Of(candidate.Thread) == (ulong)threadId)
                        {
                            thread = candidate;
                            return linux;
                        }
                    }
                }
                process.Release();
            }
            return null;
        }
    }
}
