using Exo.Kernel.Console;

namespace Exo.Kernel.Benchmarks
{
    /// <summary>The shell's bench command: the scheduler benchmarks, on a running system.</summary>
    public static unsafe class BenchmarkShellCommands
    {
        public static void Register()
            => ShellCommands.Register("bench", "bench sched  scheduler benchmarks (ctx.switch, sched.pick, thread.create_join)", &Bench, takesArguments: true);

        private static void Bench(CommandLine* line)
        {
            if (line->WordCount != 2 || !line->WordIs(1, "sched"))
            {
                KernelConsole.WriteLine("usage: bench sched");
                return;
            }
            SchedulerBenchmarks.Run(quick: true);
        }
    }
}
