namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// A Linux thread's scheduling attributes (LinuxThread.Scheduling): its nice value (-20 to 19, setpriority), its
    /// policy (sched_setscheduler: SCHED_OTHER, SCHED_BATCH or SCHED_IDLE; POSIX-X offers no real-time policy),
    /// SCHED_RESET_ON_FORK, and its I/O priority (ioprio_set). Kept per thread and inherited by the threads and processes it makes, as Linux does; read and
    /// written whole (each field a word) by the calls of any thread. Recorded and reported: the kernel's scheduler does
    /// not weigh them yet.
    /// </summary>
    public struct ThreadScheduling
    {
        // Linux's policies (uapi linux/sched.h).
        public const int Other = 0, Fifo = 1, RoundRobin = 2, Batch = 3, Idle = 5, Deadline = 6;
        public const int ResetOnForkFlag = 0x40000000;   // SCHED_RESET_ON_FORK
        public const int HighestNice = -20, LowestNice = 19;

        public int Nice;
        public int Policy;
        public bool ResetOnFork;
        /// <summary>Its I/O priority (ioprio_set: class &lt;&lt; 13 | level and hints; 0: none given).</summary>
        public int IoPriority;

        /// <summary>What a new thread or process made by this thread starts with: SCHED_RESET_ON_FORK drops a negative nice.</summary>
        public ThreadScheduling Inherited()
            => ResetOnFork ? new ThreadScheduling { Nice = Nice < 0 ? 0 : Nice, Policy = Policy, IoPriority = IoPriority } : this;
    }
}
