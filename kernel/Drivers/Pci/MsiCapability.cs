namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>One configuration-space write of a plan: 'Width' (1, 2 or 4) bytes of 'Value' at 'Offset'.</summary>
    public struct PciConfigurationWrite
    {
        public ushort Offset;
        public byte Width;
        public uint Value;
    }

    /// <summary>
    /// The MSI capability (id 0x05, PCI Local Bus 3.0 section 6.8.1) of one function, from its offset and message
    /// control word: a 32- or 64-bit message address, optional per-vector masking, and the order of writes that binds
    /// or unbinds its one message. Layout from the capability's start: control at +2, address at +4; with a 64-bit
    /// address the upper half at +8 and the data at +0xC, else the data at +8; with masking the mask bits after the
    /// data's dword (+0xC or +0x10) and the pending bits after them. The kernel enables exactly one message (Multiple
    /// Message Enable 0: a block of 2^n vectors would have to be contiguous and aligned), so only vector 0's mask bit
    /// is used. Pure logic, compiled into the host tests; PciDevice applies the plans.
    /// </summary>
    public readonly struct MsiCapability
    {
        public const int ControlOffset = 2;
        public const int AddressOffset = 4;
        public const ushort Enable = 1;
        /// <summary>Bits 6-4: log2 of the messages enabled (the kernel writes 0: one).</summary>
        public const ushort MultipleMessageEnableMask = 7 << 4;
        public const ushort Address64Capable = 1 << 7;
        public const ushort PerVectorMaskCapable = 1 << 8;
        /// <summary>PCI Express 4.0: the data's upper 16 bits sent too; kept off (the kernel writes 16 bits of data).</summary>
        public const ushort ExtendedDataEnable = 1 << 10;
        /// <summary>Vector 0's bit in the mask register.</summary>
        public const uint FirstVectorMasked = 1;
        /// <summary>The longest plan (binding with a 64-bit address and masking).</summary>
        public const int MaximumWrites = 7;

        public readonly int Offset;
        public readonly ushort Control;

        public MsiCapability(int offset, ushort control)
        {
            Offset = offset;
            Control = control;
        }

        public bool Is64Bit => (Control & Address64Capable) != 0;
        public bool MasksPerVector => (Control & PerVectorMaskCapable) != 0;
        public int DataOffset => Offset + (Is64Bit ? 0x0C : 0x08);
        /// <summary>The mask bits' offset (only with per-vector masking).</summary>
        public int MaskOffset => DataOffset + 4;
        /// <summary>Bytes of the capability: 10, +4 for a 64-bit address, +10 with masking (2 reserved, mask, pending).</summary>
        public int Length => 10 + (Is64Bit ? 4 : 0) + (MasksPerVector ? 10 : 0);

        /// <summary>
        /// The writes that make the function send 'data' to 'address' as its one message, in order: MSI off (and vector 0
        /// masked) while the address and data change, so no message goes out half-programmed; the address (upper half
        /// 0); the data; MSI on with one message; vector 0 unmasked. Returns the count written to 'writes' (room for
        /// <see cref="MaximumWrites"/>).
        /// </summary>
        public unsafe int Bind(PciConfigurationWrite* writes, uint address, ushort data)
        {
            ushort off = (ushort)(Control & ~(Enable | MultipleMessageEnableMask | ExtendedDataEnable));
            int count = 0;
            writes[count++] = Write(Offset + ControlOffset, 2, off);
            if (MasksPerVector)
                writes[count++] = Write(MaskOffset, 4, FirstVectorMasked);
            writes[count++] = Write(Offset + AddressOffset, 4, address);
            if (Is64Bit)
                writes[count++] = Write(Offset + AddressOffset + 4, 4, 0);
            writes[count++] = Write(DataOffset, 2, data);
            writes[count++] = Write(Offset + ControlOffset, 2, (uint)(off | Enable));
            if (MasksPerVector)
                writes[count++] = Write(MaskOffset, 4, 0);
            return count;
        }

        /// <summary>The writes that silence the function's messages: MSI off, vector 0 masked. Returns the count.</summary>
        public unsafe int Unbind(PciConfigurationWrite* writes)
        {
            int count = 0;
            writes[count++] = Write(Offset + ControlOffset, 2, (ushort)(Control & ~(Enable | MultipleMessageEnableMask | ExtendedDataEnable)));
            if (MasksPerVector)
                writes[count++] = Write(MaskOffset, 4, FirstVectorMasked);
            return count;
        }

        private static PciConfigurationWrite Write(int offset, int width, uint value)
            => new PciConfigurationWrite { Offset = (ushort)offset, Width = (byte)width, Value = value };
    }
}
