using Exo.Kernel.Console;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>The shell's 'pci': the functions boot found, one line each (bus:device.function vendor:device
    /// class, BAR sizes, MSI/MSI-X, whether a driver owns it).</summary>
    public static unsafe class PciShellCommands
    {
        public static void Register() => ShellCommands.Register("pci", "pci       PCI functions found at boot", &List);

        private static void List(CommandLine* line)
        {
            for (int i = 0; i < PciBus.Count; i++)
            {
                PciFunction function = PciBus.At(i);
                WriteAddress(function.Address);
                KernelConsole.Write(' ');
                WriteHexDigits(function.VendorId, 4);
                KernelConsole.Write(':');
                WriteHexDigits(function.DeviceId, 4);
                KernelConsole.Write(" class ");
                WriteHexDigits(function.ClassCode, 6);
                for (int bar = 0; bar < function.BarCount; bar++)
                {
                    if (function.BarSizes[bar] == 0)
                        continue;
                    KernelConsole.Write(" bar");
                    KernelConsole.WriteDecimal((ulong)bar);
                    KernelConsole.Write(function.BarKinds[bar] == PciBarKind.IoPorts ? " io " : " mem ");
                    KernelConsole.WriteSize(function.BarSizes[bar]);
                }
                if (function.KernelRegisters.MsiLength != 0)
                    KernelConsole.Write(" msi");
                if (function.KernelRegisters.MsixLength != 0)
                    KernelConsole.Write(" msi-x");
                if (function.Owner != null)
                    KernelConsole.Write(" (owned)");
                KernelConsole.WriteLine();
            }
        }

        /// <summary>bb:dd.f in hexadecimal, as lspci writes it.</summary>
        public static void WriteAddress(PciAddress address)
        {
            WriteHexDigits((uint)address.Bus, 2);
            KernelConsole.Write(':');
            WriteHexDigits((uint)address.Device, 2);
            KernelConsole.Write('.');
            WriteHexDigits((uint)address.Function, 1);
        }

        private static void WriteHexDigits(uint value, int digits)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                int nibble = (int)((value >> shift) & 0xF);
                KernelConsole.Write((char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
            }
        }
    }
}
