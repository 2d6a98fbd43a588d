using Exo.Kernel.Arch.X64;
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
            AcpiPower.Reboot();
            KernelConsole.WriteLine("error: reboot failed");
        }

        private static void Shutdown(CommandLine* line)
        {
            KernelConsole.WriteLine("shutting down");
            AcpiPower.Shutdown();
            // No ACPI S5 (or it did not take): QEMU's exit device, then halt.
            QemuDebugExit.Exit(QemuDebugExit.Success);
            KernelConsole.WriteLine("It is now safe to turn off the machine.");
            Cpu.DisableInterrupts();
            while (true)
                Cpu.Halt();
        }
    }
}
