using Exo.Kernel.Processes;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// POSIX-X's state for one thread of a Linux process (UserThread.PersonalityState), made on first need: the
    /// address set_tid_address and clone's CLONE_CHILD_CLEARTID name (cleared and woken when the thread ends),
    /// the robust futex list glibc registers. Freed with its process (LinuxProcess.OnDiscard).
    /// </summary>
    public sealed class LinuxThread
    {
        public ulong ClearChildThreadId;
        public ulong RobustListHead, RobustListLength;

        /// <summary>The calling thread's state, made if it has none (null: no memory).</summary>
        public static LinuxThread Current
        {
            get
            {
                UserThread thread = Exo.Kernel.Scheduler.Scheduler.Current.User.Thread;
                if (thread.PersonalityState is LinuxThread state)
                    return state;
                state = new LinuxThread();
                thread.PersonalityState = state;
                return state;
            }
        }
    }
}
