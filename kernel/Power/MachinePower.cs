using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;

namespace Exo.Kernel.Power
{
    /// <summary>
    /// Ending the machine, for the shell's shutdown and reboot and Linux's reboot(2): each way tried in turn, and the
    /// processor halted if none took.
    /// </summary>
    public static class MachinePower
    {
        /// <summary>ACPI S5; without it (or if it did not take), QEMU's exit device; then halt. Never returns.</summary>
        public static void PowerOff()
        {
            AcpiPower.Shutdown();
            QemuDebugExit.Exit(QemuDebugExit.Success);
            KernelConsole.WriteLine("It is now safe to turn off the machine.");
            HaltForever();
        }

        /// <summary>The ACPI reset register, then the keyboard controller's reset line; then halt. Never returns.</summary>
        public static void Restart()
        {
            AcpiPower.Reboot();
            KernelConsole.WriteLine("error: reboot failed");
            HaltForever();
        }

        private static void HaltForever()
        {
            Cpu.DisableInterrupts();
            while (true)
                Cpu.Halt();
        }
    }
}
