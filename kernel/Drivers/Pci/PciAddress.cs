namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// A PCI function's address on segment 0: bus (0-255), device (0-31), function (0-7), packed as the ABI's
    /// ResourceKind.PciDevice base (bus &lt;&lt; 8 | device &lt;&lt; 3 | function), the same order as ECAM's offset
    /// (packed &lt;&lt; 12) and mechanism 1's address (packed &lt;&lt; 8). Pure logic, compiled into the host tests.
    /// </summary>
    public readonly struct PciAddress
    {
        public const int Buses = 256;
        public const int DevicesPerBus = 32;
        public const int FunctionsPerDevice = 8;

        public readonly ushort Packed;

        public PciAddress(int bus, int device, int function) { Packed = (ushort)(bus << 8 | device << 3 | function); }

        private PciAddress(ushort packed) { Packed = packed; }

        public int Bus => Packed >> 8;
        public int Device => (Packed >> 3) & 31;
        public int Function => Packed & 7;

        /// <summary>The address an ABI value names; false if it is past bus 255.</summary>
        public static bool TryFrom(ulong value, out PciAddress address)
        {
            address = new PciAddress((ushort)value);
            return value <= ushort.MaxValue;
        }
    }
}
