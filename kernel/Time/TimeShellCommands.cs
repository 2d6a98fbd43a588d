using Exo.Kernel.Console;

namespace Exo.Kernel.Time
{
    /// <summary>The shell's uptime command.</summary>
    public static unsafe class TimeShellCommands
    {
        public static void Register() => ShellCommands.Register("uptime", "uptime    time since boot", &Uptime);

        private static void Uptime(CommandLine* line)
        {
            ulong microseconds = SystemClock.UptimeMicroseconds;
            KernelConsole.Write("up ");
            ShellCommands.WriteFixed3(microseconds / 1000);
            KernelConsole.Write(" s, ");
            KernelConsole.WriteDecimal(SystemClock.Ticks);
            KernelConsole.Write(" timer ticks at ");
            KernelConsole.WriteDecimal(SystemClock.TickHertz);
            KernelConsole.WriteLine(" Hz");
        }
    }
}
