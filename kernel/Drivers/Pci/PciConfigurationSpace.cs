using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using System.Threading;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// Reads and writes PCI configuration space, the kernel's only way there: ECAM (memory-mapped, 4096 bytes per
    /// function) where the ACPI MCFG table gives it (q35), else configuration mechanism 1 (ports 0xCF8/0xCFC, 256
    /// bytes per function; '-M pc'). ECAM is read through the direct map, which covers the first 4 GiB (the
    /// firmware's MTRRs make that window uncached); a window above it falls back to mechanism 1. Mechanism 1
    /// is an address-then-data pair, so one lock keeps two processors' accesses from interleaving.
    /// Offsets and widths are the caller's to check (PciConfigurationPolicy).
    /// </summary>
    public static unsafe class PciConfigurationSpace
    {
        private const ushort AddressPort = 0xCF8;
        private const ushort DataPort = 0xCFC;
        private const ulong DirectMapCovers = 0x100000000;

        private static byte* s_ecam;
        private static int s_firstBus;
        private static int s_lastBus = PciAddress.Buses - 1;
        private static Sync.SpinLock s_portLock;

        public static bool UsesEcam => s_ecam != null;
        /// <summary>Bytes of configuration space per function: 4096 with ECAM, 256 through mechanism 1.</summary>
        public static int SpaceSize => s_ecam != null ? PciConfigurationPolicy.ExtendedSpaceSize : PciConfigurationPolicy.LegacySpaceSize;
        public static int FirstBus => s_firstBus;
        public static int LastBus => s_lastBus;

        internal static void Initialize()
        {
            s_portLock.Rank = Sync.LockRank.PciConfiguration;
            if (Acpi.Mcfg.FindSegmentZero(out ulong baseAddress, out int firstBus, out int lastBus)
                && baseAddress + ((ulong)(lastBus + 1) << 20) <= DirectMapCovers)
            {
                s_ecam = (byte*)PhysicalMemory.ToVirtual(baseAddress);
                s_firstBus = firstBus;
                s_lastBus = lastBus;
            }
        }

        public static uint Read(PciAddress address, int offset, int width)
        {
            if (s_ecam != null)
            {
                byte* register = s_ecam + ((ulong)address.Packed << 12) + (uint)offset;
                if (width == 1)
                    return Volatile.Read(ref *register);
                if (width == 2)
                    return Volatile.Read(ref *(ushort*)register);
                return Volatile.Read(ref *(uint*)register);
            }
            using (s_portLock.Hold())
            {
                Cpu.OutDword(AddressPort, PortAddress(address, offset));
                ushort data = (ushort)(DataPort + (offset & 3));
                if (width == 1)
                    return Cpu.InByte(data);
                if (width == 2)
                    return Cpu.InWord(data);
                return Cpu.InDword(data);
            }
        }

        public static void Write(PciAddress address, int offset, int width, uint value)
        {
            if (s_ecam != null)
            {
                byte* register = s_ecam + ((ulong)address.Packed << 12) + (uint)offset;
                if (width == 1)
                    Volatile.Write(ref *register, (byte)value);
                else if (width == 2)
                    Volatile.Write(ref *(ushort*)register, (ushort)value);
                else
                    Volatile.Write(ref *(uint*)register, value);
                return;
            }
            using (s_portLock.Hold())
            {
                Cpu.OutDword(AddressPort, PortAddress(address, offset));
                ushort data = (ushort)(DataPort + (offset & 3));
                if (width == 1)
                    Cpu.OutByte(data, (byte)value);
                else if (width == 2)
                    Cpu.OutWord(data, (ushort)value);
                else
                    Cpu.OutDword(data, value);
            }
        }

        private static uint PortAddress(PciAddress address, int offset) => 0x80000000u | (uint)address.Packed << 8 | (uint)(offset & 0xFC);
    }
}
