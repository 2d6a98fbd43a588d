namespace Exo.Storage.Ext
{
    /// <summary>
    /// The superblock's feature bits and which of them this library handles. An unknown incompatible feature refuses
    /// the mount; an unknown read-only-compatible one allows reading only (the rule ext2/ext4 define for the masks).
    /// </summary>
    public static class ExtFeatures
    {
        // Compatible: a reader may ignore them; a writer must keep what they describe intact.
        public const uint CompatHasJournal = 0x4, CompatExtendedAttributes = 0x8, CompatResizeInode = 0x10, CompatDirectoryIndex = 0x20;
        public const uint CompatSparseSuper2 = 0x200, CompatOrphanFile = 0x1000;

        public const uint IncompatCompression = 0x1, IncompatFileType = 0x2, IncompatRecover = 0x4, IncompatJournalDevice = 0x8;
        public const uint IncompatMetaBlockGroups = 0x10, IncompatExtents = 0x40, Incompat64Bit = 0x80, IncompatMultipleMountProtection = 0x100;
        public const uint IncompatFlexibleGroups = 0x200, IncompatInodeAttributes = 0x400, IncompatDirectoryData = 0x1000;
        public const uint IncompatChecksumSeed = 0x2000, IncompatLargeDirectory = 0x4000, IncompatInlineData = 0x8000;
        public const uint IncompatEncryption = 0x10000, IncompatCaseFolding = 0x20000;

        public const uint ReadOnlySparseSuper = 0x1, ReadOnlyLargeFile = 0x2, ReadOnlyHugeFile = 0x8, ReadOnlyGroupDescriptorChecksum = 0x10;
        public const uint ReadOnlyDirectoryLinks = 0x20, ReadOnlyExtraInodeSize = 0x40, ReadOnlyQuota = 0x100, ReadOnlyBigAlloc = 0x200;
        public const uint ReadOnlyMetadataChecksum = 0x400, ReadOnlyReadOnly = 0x1000, ReadOnlyProject = 0x2000;
        public const uint ReadOnlyOrphanPresent = 0x10000;

        /// <summary>Incompatible features this library reads and writes; anything else refuses the mount.</summary>
        public const uint SupportedIncompatible = IncompatFileType | IncompatExtents | Incompat64Bit | IncompatFlexibleGroups
            | IncompatChecksumSeed | IncompatLargeDirectory;

        /// <summary>Read-only-compatible features this library keeps consistent when writing; any other makes the mount read-only.</summary>
        public const uint SupportedReadOnlyCompatible = ReadOnlySparseSuper | ReadOnlyLargeFile | ReadOnlyHugeFile | ReadOnlyGroupDescriptorChecksum
            | ReadOnlyDirectoryLinks | ReadOnlyExtraInodeSize | ReadOnlyMetadataChecksum;

        /// <summary>Compatible features whose structures a write could leave stale (the orphan file; sparse_super2's other places for
        /// superblock copies, which building a group's bitmap would miss): the mount is then read-only.</summary>
        public const uint CompatibleNeedingCare = CompatOrphanFile | CompatSparseSuper2;
    }
}
