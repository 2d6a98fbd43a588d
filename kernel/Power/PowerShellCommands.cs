using Exo.Kernel.Console;

namespace Exo.Kernel.Power
{
    /// <summary>The shell's power commands: reboot and shutdown (ACPI S5).</summary>
    public static unsafe class PowerShellCommands
    {
        public static void Register()
        {
            ShellCommands.Register("reboot", "reboot    restart the machine", &Reboot);
            ShellCommands.Register("shutdown", "shutdown  power off (ACPI S5)", &Shutdown);
        }

        private static void Reboot(CommandLine* line)
        {
            KernelConsole.WriteLine("rebooting");
            MachinePower.Restart();
        }

        private static void Shutdown(CommandLine* line)
        {
            KernelConsole.WriteLine("shutting down");
            MachinePower.PowerOff();
        }
    }
}
