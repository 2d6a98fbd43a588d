using Exo.Kernel.Console;

namespace Exo.PosixX
{
    /// <summary>POSIX-X's commands in the kernel shell (the debug monitor).</summary>
    public static unsafe class PosixXShellCommands
    {
        public static void Register()
            => ShellCommands.Register("strace", "strace    print every Linux system call (again: stop)", &ToggleTrace);

        private static void ToggleTrace(CommandLine* line)
        {
            KernelInterface.LinuxSystemCalls.SetTracing(!KernelInterface.LinuxSystemCalls.Tracing);
            KernelConsole.WriteLine(KernelInterface.LinuxSystemCalls.Tracing ? "tracing Linux system calls" : "tracing stopped");
        }
    }
}
