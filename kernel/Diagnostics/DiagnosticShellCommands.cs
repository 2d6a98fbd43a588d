using Exo.Kernel.Console;

namespace Exo.Kernel.Diagnostics
{
    /// <summary>The shell's panic command (the panic report's end-to-end test).</summary>
    public static unsafe class DiagnosticShellCommands
    {
        public static void Register() => ShellCommands.Register("panic", "panic     stop the kernel with a panic report (for tests)", &RequestPanic);

        private static void RequestPanic(CommandLine* line) => Panic.Fail("panic requested from the shell");
    }
}
