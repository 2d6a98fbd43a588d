namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// Which I/O ports may become an <see cref="IoPortRange"/>: anything in 0..65535 except the kernel's own
    /// devices, so that no driver can reprogram the interrupt controllers or the tick, reset the machine through
    /// 0xCF9, end QEMU, talk over the kernel's console or reach PCI configuration space (which could move any device).
    /// The i8042 keyboard controller (0x60, 0x64) is a driver's (ps2_input): the kernel only writes its reset command
    /// at reboot, when no driver runs any more, so whoever holds the controller can also reset the machine with it.
    /// A fixed deny list plus the ports the kernel finds at boot (ACPI power management), added with
    /// <see cref="Reserve"/>. Pure logic, compiled into the host tests.
    /// </summary>
    public static unsafe class IoPortPolicy
    {
        public const int PortCount = 65536;
        /// <summary>Ports reserved at boot beyond the fixed list (an explicit limit, checked).</summary>
        public const int ReservedCapacity = 8;

        private const int FixedCount = 7;
        private struct Reserved { public fixed ushort First[ReservedCapacity]; public fixed ushort Count[ReservedCapacity]; }
        private static Reserved s_reserved;
        private static int s_reservedCount;

        /// <summary>Range 'index' of the fixed deny list (for the host tests and the shell).</summary>
        public static void FixedRange(int index, out int first, out int count)
        {
            switch (index)
            {
                case 0: first = 0x20; count = 2; return;    // 8259 PIC, master
                case 1: first = 0xA0; count = 2; return;    // 8259 PIC, slave
                case 2: first = 0x40; count = 4; return;    // PIT: the calibration of the tick
                case 3: first = 0x61; count = 1; return;    // PIT gate (system control port B)
                case 4: first = 0xF4; count = 4; return;    // QEMU's isa-debug-exit (the test exit)
                case 5: first = 0x3F8; count = 8; return;   // COM1, the kernel console
                default: first = 0xCF8; count = 8; return;  // PCI configuration mechanism #1 and reset control (0xCF9)
            }
        }

        public static int FixedRangeCount => FixedCount;

        /// <summary>A port range the kernel found it uses at boot; false if the table is full (then boot says so).</summary>
        public static bool Reserve(int first, int count)
        {
            if (first <= 0 || count <= 0 || count > PortCount - first || s_reservedCount >= ReservedCapacity)
                return false;
            s_reserved.First[s_reservedCount] = (ushort)first;
            s_reserved.Count[s_reservedCount] = (ushort)count;
            s_reservedCount++;
            return true;
        }

        /// <summary>A well-formed range: at least one port, all within 0..65535.</summary>
        public static bool IsValid(ulong first, ulong count) => count > 0 && first < PortCount && count <= PortCount - first;

        /// <summary>True if [first, first + count) touches any port the kernel keeps for itself.</summary>
        public static bool IsKernelOwned(ulong first, ulong count)
        {
            for (int i = 0; i < FixedCount; i++)
            {
                FixedRange(i, out int start, out int length);
                if (Overlaps(first, count, (ulong)start, (ulong)length))
                    return true;
            }
            for (int i = 0; i < s_reservedCount; i++)
                if (Overlaps(first, count, s_reserved.First[i], s_reserved.Count[i]))
                    return true;
            return false;
        }

        private static bool Overlaps(ulong first, ulong count, ulong otherFirst, ulong otherCount)
            => first < otherFirst + otherCount && otherFirst < first + count;
    }
}
