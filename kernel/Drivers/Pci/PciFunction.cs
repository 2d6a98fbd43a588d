namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// What the kernel learned about one PCI function at boot (PciBus): identity, class, header type, the sizes of
    /// its BARs (sized once, with decoding off, before any driver could use the device) and the registers it
    /// keeps (MSI, MSI-X). Owner is the live PciDevice capability object, if any (under PciBus's lock).
    /// </summary>
    public sealed class PciFunction
    {
        public const int MaximumBars = 6;

        public PciAddress Address;
        public ushort VendorId;
        public ushort DeviceId;
        /// <summary>Class, subclass and programming interface (bits 23-16, 15-8, 7-0).</summary>
        public uint ClassCode;
        /// <summary>Bits 6-0 of the header type: 0 a device, 1 a PCI-to-PCI bridge, 2 a CardBus bridge.</summary>
        public byte HeaderLayout;
        public PciKernelRegisters KernelRegisters;
        public readonly ulong[] BarSizes = new ulong[MaximumBars];
        /// <summary>Where each BAR decodes (boot's value; drivers cannot move them).</summary>
        public readonly ulong[] BarAddresses = new ulong[MaximumBars];
        public readonly PciBarKind[] BarKinds = new PciBarKind[MaximumBars];
        internal PciDevice Owner;
        /// <summary>MSI-X: entries in its table (0: no MSI-X) and the table's physical address (in a memory BAR).</summary>
        public int MsixTableSize;
        public ulong MsixTablePhysical;

        /// <summary>BARs in this header layout: 6 for a device, 2 for a PCI-to-PCI bridge, none otherwise.</summary>
        public int BarCount => HeaderLayout == 0 ? MaximumBars : HeaderLayout == 1 ? 2 : 0;
    }
}
