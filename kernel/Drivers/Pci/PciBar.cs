namespace Exo.Kernel.Drivers.Pci
{
    public enum PciBarKind : byte
    {
        /// <summary>Not implemented, or the upper half of a 64-bit BAR.</summary>
        None,
        IoPorts,
        Memory32,
        Memory64,
    }

    /// <summary>
    /// A base address register decoded from what it read before sizing and after all ones were written to it
    /// (the bits that stay zero give the size). A 64-bit memory BAR uses the next register for the upper half.
    /// Pure logic, compiled into the host tests.
    /// </summary>
    public readonly struct PciBar
    {
        public readonly PciBarKind Kind;
        public readonly bool Prefetchable;
        public readonly ulong Address;
        public readonly ulong Size;

        private PciBar(PciBarKind kind, bool prefetchable, ulong address, ulong size)
        {
            Kind = kind;
            Prefetchable = prefetchable;
            Address = address;
            Size = size;
        }

        /// <summary>Whether the register's original value says it is the lower half of a 64-bit memory BAR.</summary>
        public static bool IsLowerHalfOf64Bit(uint original) => (original & 1) == 0 && ((original >> 1) & 3) == 2;

        /// <summary>Decodes one BAR; 'originalHigh' and 'sizedHigh' are the next register's values, used only for a
        /// 64-bit memory BAR. A register that reads back zero after all ones is not implemented.</summary>
        public static PciBar Decode(uint original, uint sized, uint originalHigh, uint sizedHigh)
        {
            if ((original & 1) != 0)
            {
                uint mask = sized & ~3u;
                if (mask == 0)
                    return default;
                uint size = ~mask + 1;
                if ((mask & 0xFFFF0000) == 0)   // a device may decode only 16 port bits: the upper ones read zero
                    size &= 0xFFFF;
                return new PciBar(PciBarKind.IoPorts, false, original & ~3u, size);
            }
            bool prefetchable = (original & 8) != 0;
            if (IsLowerHalfOf64Bit(original))
            {
                ulong mask = (ulong)sizedHigh << 32 | (sized & ~0xFu);
                if (mask == 0)
                    return default;
                return new PciBar(PciBarKind.Memory64, prefetchable, (ulong)originalHigh << 32 | (original & ~0xFu), ~mask + 1);
            }
            uint mask32 = sized & ~0xFu;
            if (mask32 == 0)
                return default;
            return new PciBar(PciBarKind.Memory32, prefetchable, original & ~0xFu, ~mask32 + 1);
        }
    }
}
