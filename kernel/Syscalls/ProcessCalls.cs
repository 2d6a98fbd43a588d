using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Syscalls
{
    /// <summary>System calls about the calling process and thread: null, exit, yield, process id.</summary>
    public static unsafe class ProcessCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.Null, &DoNull);
            SystemCalls.Register(SystemCallNumber.Exit, &DoExit);
            SystemCalls.Register(SystemCallNumber.Yield, &DoYield);
            SystemCalls.Register(SystemCallNumber.ProcessId, &DoProcessId);
        }

        private static ulong DoNull(RegisterFrame* frame) => 0;

        // The status is 32 bits, so no exit status can pass for a fault report.
        private static ulong DoExit(RegisterFrame* frame)
        {
            UserMode.UserMode.ExitProcess(frame->Argument0 & 0xFFFFFFFF);
            return 0;
        }

        private static ulong DoYield(RegisterFrame* frame)
        {
            Scheduler.Scheduler.Yield();
            return 0;
        }

        private static ulong DoProcessId(RegisterFrame* frame) => (ulong)Scheduler.Scheduler.Current.Process.Id;
    }
}
