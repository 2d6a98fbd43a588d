namespace Exo.Storage.Ext
{
    /// <summary>
    /// The superblock's fields at their on-disk offsets (1024 bytes, little-endian, kept in memory and written back
    /// whole): a view over the copy the file system owns. Field names follow the kernel's s_* names.
    /// </summary>
    public unsafe struct Superblock
    {
        public const int Length = 1024;
        public const ushort MagicNumber = 0xEF53;
        public const int ChecksumOffset = 0x3FC;
        public const ushort StateClean = 1;

        public byte* Raw;

        public Superblock(byte* raw) { Raw = raw; }

        private uint U32(int offset) => *(uint*)(Raw + offset);
        private ushort U16(int offset) => *(ushort*)(Raw + offset);

        public uint InodesCount => U32(0x0);
        public ulong BlocksCount => U32(0x4) | (Is64Bit ? (ulong)U32(0x150) << 32 : 0);
        public ulong ReservedBlocksCount => U32(0x8) | (Is64Bit ? (ulong)U32(0x154) << 32 : 0);
        public ulong FreeBlocksCount
        {
            get => U32(0xC) | (Is64Bit ? (ulong)U32(0x158) << 32 : 0);
            set
            {
                *(uint*)(Raw + 0xC) = (uint)value;
                if (Is64Bit)
                    *(uint*)(Raw + 0x158) = (uint)(value >> 32);
            }
        }
        public uint FreeInodesCount { get => U32(0x10); set => *(uint*)(Raw + 0x10) = value; }
        public uint FirstDataBlock => U32(0x14);
        public uint LogBlockSize => U32(0x18);
        public uint LogClusterSize => U32(0x1C);
        public uint BlocksPerGroup => U32(0x20);
        public uint ClustersPerGroup => U32(0x24);
        public uint InodesPerGroup => U32(0x28);
        /// <summary>s_wtime: when the file system was last written (seconds since 1970), by whoever wrote it last.</summary>
        public uint LastWriteTime => U32(0x30);
        public ushort Magic => U16(0x38);
        public ushort State { get => U16(0x3A); set => *(ushort*)(Raw + 0x3A) = value; }
        public uint RevisionLevel => U32(0x4C);
        public uint FirstInode => RevisionLevel == 0 ? 11 : U32(0x54);
        public uint InodeSize => RevisionLevel == 0 ? 128u : U16(0x58);
        public uint FeatureCompat => U32(0x5C);
        public uint FeatureIncompat => U32(0x60);
        public uint FeatureReadOnlyCompat { get => U32(0x64); set => *(uint*)(Raw + 0x64) = value; }
        public byte* Uuid => Raw + 0x68;
        public uint DescriptorSizeField => U16(0xFE);
        public uint LastOrphan => U32(0xE8);
        public ushort MinimumExtraInodeSize => U16(0x15C);
        public ushort WantedExtraInodeSize => U16(0x15E);
        public uint ChecksumSeedField => U32(0x270);
        public uint Checksum { get => U32(ChecksumOffset); set => *(uint*)(Raw + ChecksumOffset) = value; }
        public byte ChecksumType => Raw[0x175];

        public bool Is64Bit => (FeatureIncompat & ExtFeatures.Incompat64Bit) != 0;
        public bool HasMetadataChecksums => (FeatureReadOnlyCompat & ExtFeatures.ReadOnlyMetadataChecksum) != 0;
        public bool HasExtents => (FeatureIncompat & ExtFeatures.IncompatExtents) != 0;
        public bool HasFileType => (FeatureIncompat & ExtFeatures.IncompatFileType) != 0;
        public bool HasDirectoryLinks => (FeatureReadOnlyCompat & ExtFeatures.ReadOnlyDirectoryLinks) != 0;
        public bool HasHugeFiles => (FeatureReadOnlyCompat & ExtFeatures.ReadOnlyHugeFile) != 0;
    }
}
