namespace Exo.PosixX.KernelInterface
{
    /// <summary>A process's resource limits (getrlimit, setrlimit, prlimit64), by Linux's RLIMIT_* numbers.</summary>
    public unsafe struct ResourceLimits
    {
        public const int Count = 16;   // RLIMIT_NLIMITS
        public const int Cpu = 0, FileSize = 1, Data = 2, Stack = 3, Core = 4, ResidentSet = 5, Processes = 6,
            OpenFiles = 7, LockedMemory = 8, AddressSpace = 9, Locks = 10, PendingSignals = 11, MessageQueue = 12,
            Nice = 13, RealTimePriority = 14, RealTimeTime = 15;
        public const ulong Infinity = ulong.MaxValue;

        public fixed ulong Current[Count];
        public fixed ulong Maximum[Count];

        /// <summary>What a first process starts with (Linux's defaults for init, with this kernel's own caps).</summary>
        public static ResourceLimits Defaults
        {
            get
            {
                ResourceLimits limits = default;
                for (int i = 0; i < Count; i++)
                {
                    limits.Current[i] = Infinity;
                    limits.Maximum[i] = Infinity;
                }
                limits.Current[Stack] = 8UL << 20;
                limits.Current[Core] = 0;
                limits.Current[Processes] = limits.Maximum[Processes] = 512;
                limits.Current[OpenFiles] = 1024;
                limits.Maximum[OpenFiles] = 4096;
                limits.Current[LockedMemory] = limits.Maximum[LockedMemory] = 8UL << 20;
                limits.Current[PendingSignals] = limits.Maximum[PendingSignals] = 1024;
                limits.Current[MessageQueue] = limits.Maximum[MessageQueue] = 819200;
                limits.Current[Nice] = limits.Maximum[Nice] = 0;
                limits.Current[RealTimePriority] = limits.Maximum[RealTimePriority] = 0;
                return limits;
            }
        }
    }
}
