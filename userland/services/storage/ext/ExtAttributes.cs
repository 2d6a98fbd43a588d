namespace Exo.Storage.Ext
{
    /// <summary>What GetAttributes reports of an inode (stat's fields); Blocks counts 512-byte units.</summary>
    public struct ExtAttributes
    {
        public uint Inode, Mode, LinkCount, UserId, GroupId;
        public ulong Size, Blocks;
        public long AccessedSeconds, ModifiedSeconds, ChangedSeconds;
        public uint AccessedNanoseconds, ModifiedNanoseconds, ChangedNanoseconds;
    }

    /// <summary>What SetAttributes changes: the fields named in Mask (the protocol's SetAttributeFields numbering).</summary>
    public struct ExtAttributeChange
    {
        public const uint Mode = 1, UserId = 2, GroupId = 4, Size = 8, Accessed = 16, Modified = 32;

        public uint Mask;
        public uint NewMode, NewUserId, NewGroupId;
        public ulong NewSize;
        public long AccessedSeconds, ModifiedSeconds;
        public uint AccessedNanoseconds, ModifiedNanoseconds;
    }

    /// <summary>statfs's figures.</summary>
    public struct ExtStatistics
    {
        public ulong BlockSize, Blocks, FreeBlocks, AvailableBlocks, Files, FreeFiles, MaximumNameLength;
        /// <summary>The superblock's UUID (s_uuid) as two little-endian words: what names this file system.</summary>
        public ulong UuidLow, UuidHigh;
    }
}
