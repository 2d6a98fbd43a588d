namespace Exo.Storage.Ext
{
    /// <summary>
    /// One inode copied out of its inode table (so no cache pointer is held across an operation): its number, the
    /// on-disk record (128 to 1024 bytes) and accessors for the fields at their offsets. Changes are made here and
    /// written back with the file system's WriteInode, which also sets the checksum.
    /// </summary>
    public unsafe struct Inode
    {
        public const int MaximumRecordSize = 1024;
        public const int GoodOldSize = 128;
        public const int BlockPointersOffset = 0x28, BlockPointersLength = 60;
        public const int ChecksumLowOffset = 0x7C, ExtraSizeOffset = 0x80, ChecksumHighOffset = 0x82;

        public const uint TypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000, TypeSymbolicLink = 0xA000;
        public const uint FlagIndex = 0x1000, FlagHugeFile = 0x40000, FlagExtents = 0x80000, FlagEncrypted = 0x800;
        public const uint FlagInodeAttributes = 0x200000, FlagInlineData = 0x10000000;

        public uint Number;
        public uint RecordSize;
        public fixed byte Raw[MaximumRecordSize];

        private uint U32(int offset) { fixed (byte* raw = Raw) return *(uint*)(raw + offset); }
        private ushort U16(int offset) { fixed (byte* raw = Raw) return *(ushort*)(raw + offset); }
        private void SetU32(int offset, uint value) { fixed (byte* raw = Raw) *(uint*)(raw + offset) = value; }
        private void SetU16(int offset, ushort value) { fixed (byte* raw = Raw) *(ushort*)(raw + offset) = value; }

        public uint Mode { get => U16(0x0); set => SetU16(0x0, (ushort)value); }
        public uint Type => Mode & TypeMask;
        public bool IsDirectory => Type == TypeDirectory;
        public bool IsRegular => Type == TypeRegular;
        public bool IsSymbolicLink => Type == TypeSymbolicLink;

        public uint UserId
        {
            get => U16(0x2) | (uint)U16(0x78) << 16;
            set { SetU16(0x2, (ushort)value); SetU16(0x78, (ushort)(value >> 16)); }
        }
        public uint GroupId
        {
            get => U16(0x18) | (uint)U16(0x7A) << 16;
            set { SetU16(0x18, (ushort)value); SetU16(0x7A, (ushort)(value >> 16)); }
        }
        public ulong Size
        {
            get => U32(0x4) | (ulong)U32(0x6C) << 32;
            set { SetU32(0x4, (uint)value); SetU32(0x6C, (uint)(value >> 32)); }
        }
        public uint LinkCount { get => U16(0x1A); set => SetU16(0x1A, (ushort)value); }
        public uint DeletionTime { get => U32(0x14); set => SetU32(0x14, value); }
        public uint Flags { get => U32(0x20); set => SetU32(0x20, value); }
        public uint Generation => U32(0x64);
        public ulong ExtendedAttributeBlock => U32(0x68) | (ulong)U16(0x76) << 32;

        /// <summary>i_blocks as stored (lo 32 bits, hi 16 bits in osd2); in 512-byte units unless FlagHugeFile.</summary>
        public ulong RawBlockCount
        {
            get => U32(0x1C) | (ulong)U16(0x74) << 32;
            set { SetU32(0x1C, (uint)value); SetU16(0x74, (ushort)(value >> 32)); }
        }

        public uint ExtraSize => RecordSize > GoodOldSize ? U16(ExtraSizeOffset) : 0u;

        /// <summary>Whether a field ending at 'endOffset' lies inside the record's used part (the kernel's EXT4_FITS_IN_INODE).</summary>
        public bool Fits(int endOffset) => endOffset <= GoodOldSize + (int)ExtraSize;

        public byte* BlockPointers(byte* raw) => raw + BlockPointersOffset;

        public uint BlockPointer(int index) => U32(BlockPointersOffset + 4 * index);
        public void SetBlockPointer(int index, uint value) => SetU32(BlockPointersOffset + 4 * index, value);

        /// <summary>Seconds and nanoseconds of one of the times: 0x8 access, 0xC change, 0x10 modification (extra at +0x7C..).</summary>
        public void GetTime(int offset, out long seconds, out uint nanoseconds)
        {
            seconds = 0;
            nanoseconds = 0;
            if (offset >= GoodOldSize && !Fits(offset + 4))
                return;
            seconds = (int)U32(offset);
            int extraOffset = ExtraTimeOffset(offset);
            if (Fits(extraOffset + 4))
            {
                uint extra = U32(extraOffset);
                seconds += (long)(extra & 3) << 32;
                nanoseconds = extra >> 2;
                if (nanoseconds >= 1_000_000_000)
                    nanoseconds = 0;
            }
        }

        public void SetTime(int offset, long seconds, uint nanoseconds)
        {
            if (offset >= GoodOldSize && !Fits(offset + 4))
                return;
            SetU32(offset, (uint)seconds);
            int extraOffset = ExtraTimeOffset(offset);
            if (Fits(extraOffset + 4))
                SetU32(extraOffset, (nanoseconds << 2) | (uint)(((seconds - (int)seconds) >> 32) & 3));
        }

        public const int AccessTime = 0x8, ChangeTime = 0xC, ModificationTime = 0x10, CreationTime = 0x90;

        private static int ExtraTimeOffset(int offset) => offset switch
        {
            ChangeTime => 0x84,
            ModificationTime => 0x88,
            AccessTime => 0x8C,
            _ => 0x94,
        };
    }
}
