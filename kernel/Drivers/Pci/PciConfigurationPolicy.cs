namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>Why a configuration-space access was refused, or that it may go ahead.</summary>
    public enum PciAccessVerdict : byte
    {
        Allowed,
        /// <summary>A width other than 1, 2 or 4, an offset not aligned to it, or past the function's space.</summary>
        Malformed,
        /// <summary>A write to a register the kernel keeps (see <see cref="PciConfigurationPolicy"/>).</summary>
        KernelOwned,
    }

    /// <summary>
    /// What the holder of one function's configuration-space capability may read and write. Reads: anything in
    /// the space. Writes only where a driver needs them: Command (memory, I/O, bus master, INTx disable) and
    /// Status (its error bits are write-one-to-clear), cache line size and latency timer, the interrupt line
    /// (a scratch byte), and the capability area 0x40-0xFF except the MSI and MSI-X capabilities. Refused:
    /// identity and class, header type and BIST; the BARs and the expansion ROM (moving a window could put the
    /// device over RAM, the APICs or another device, and the physical ranges granted for its BARs would no
    /// longer be what it decodes); a bridge's bus numbers and windows (they route other devices' addresses);
    /// the capability pointer; MSI and MSI-X (the message address and data choose the vector and processor:
    /// a driver could raise any vector in the kernel, so the kernel programs them); and the extended space at
    /// 0x100 and above (Resizable BAR, SR-IOV's new functions and BARs, ACS/ATS, which an IOMMU relies on).
    /// Pure logic, compiled into the host tests.
    /// </summary>
    public static class PciConfigurationPolicy
    {
        /// <summary>The configuration space through mechanism 1 (ports 0xCF8/0xCFC).</summary>
        public const int LegacySpaceSize = 256;
        /// <summary>The configuration space through ECAM (PCI Express).</summary>
        public const int ExtendedSpaceSize = 4096;
        public const int CapabilityAreaStart = 0x40;

        public const int Command = 0x04;
        public const int Status = 0x06;
        public const int CacheLineSize = 0x0C;
        public const int LatencyTimer = 0x0D;
        public const int HeaderType = 0x0E;
        public const int FirstBar = 0x10;
        public const int CapabilityPointer = 0x34;
        public const int InterruptLine = 0x3C;

        /// <summary>Width 1, 2 or 4, the offset aligned to it, all of it inside a space of 'spaceSize' bytes.</summary>
        public static bool IsValidAccess(ulong offset, ulong width, int spaceSize)
            => (width == 1 || width == 2 || width == 4) && (offset & (width - 1)) == 0 && offset < (ulong)spaceSize && offset + width <= (ulong)spaceSize;

        public static PciAccessVerdict CheckRead(ulong offset, ulong width, int spaceSize)
            => IsValidAccess(offset, width, spaceSize) ? PciAccessVerdict.Allowed : PciAccessVerdict.Malformed;

        /// <summary>A write of 'width' bytes at 'offset': every byte must be writable. 'kernelOwned' holds the
        /// function's MSI and MSI-X capabilities (the kernel programs them).</summary>
        public static PciAccessVerdict CheckWrite(ulong offset, ulong width, int spaceSize, in PciKernelRegisters kernelOwned)
        {
            if (!IsValidAccess(offset, width, spaceSize))
                return PciAccessVerdict.Malformed;
            for (int at = (int)offset; at < (int)(offset + width); at++)
                if (!IsWritableByte(at, kernelOwned))
                    return PciAccessVerdict.KernelOwned;
            return PciAccessVerdict.Allowed;
        }

        private static bool IsWritableByte(int offset, in PciKernelRegisters kernelOwned)
        {
            if (offset >= LegacySpaceSize)
                return false;
            if (offset >= CapabilityAreaStart)
                return !kernelOwned.Contains(offset);
            return (offset >= Command && offset < Status + 2) || offset == CacheLineSize || offset == LatencyTimer || offset == InterruptLine;
        }
    }

    /// <summary>The bytes of a function's capability area the kernel keeps: its MSI and MSI-X capabilities (offset,
    /// length; length 0 when the function has none).</summary>
    public struct PciKernelRegisters
    {
        public ushort MsiOffset;
        public ushort MsiLength;
        public ushort MsixOffset;
        public ushort MsixLength;

        public readonly bool Contains(int offset)
            => (offset >= MsiOffset && offset < MsiOffset + MsiLength) || (offset >= MsixOffset && offset < MsixOffset + MsixLength);
    }
}
