namespace Exo.Kernel.Syscalls
{
    /// <summary>System calls about the calling process and thread: null, exit, yield, process id.</summary>
    public static unsafe class ProcessCalls
    {
        public const int Null = 0, Exit = 1, Yield = 3, ProcessId = 5;

        internal static void Register()
        {
            SystemCalls.Register(Null, &DoNull);
            SystemCalls.Register(Exit, &DoExit);
            SystemCalls.Register(Yield, &DoYield);
            SystemCalls.Register(ProcessId, &DoProcessId);
        }

        private static ulong DoNull(ulong a0, ulong a1, ulong a2, ulong a3, ulong a4) => 0;

        // The status is 32 bits, so no exit status can pass for a fault report.
        private static ulong DoExit(ulong status, ulong a1, ulong a2, ulong a3, ulong a4)
        {
            // Being killed: that ends it, whatever it asks (its dispatcher may not have been switched yet).
            UserMode.UserMode.ExitToKernel(Scheduler.Scheduler.Current.KillPending != 0 ? UserMode.UserMode.KilledResult : status & 0xFFFFFFFF);
            return 0;
        }

        private static ulong DoYield(ulong a0, ulong a1, ulong a2, ulong a3, ulong a4)
        {
            Scheduler.Scheduler.Yield();
            return 0;
        }

        private static ulong DoProcessId(ulong a0, ulong a1, ulong a2, ulong a3, ulong a4)
            => Scheduler.Scheduler.Current.Process is Processes.Process process ? (ulong)process.Id : 0;
    }
}
