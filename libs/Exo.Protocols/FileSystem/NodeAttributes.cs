namespace Exo.Protocols.FileSystem
{
    /// <summary>
    /// What a reply tells of one file system object (stat's fields): its node id, the server's inode number, never
    /// 0; Linux's mode bits (only regular files, directories and symbolic links travel); times in seconds and
    /// nanoseconds. Laid out in a reply's header at <see cref="FileSystemReply.AttributesOffset"/>, 88 bytes.
    /// </summary>
    public struct NodeAttributes
    {
        public const uint TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000, SymbolicLink = 0xA000;
        public const uint PermissionMask = 0xFFF;
        public const int EncodedLength = 88;

        public ulong Node;
        public uint Mode, LinkCount, UserId, GroupId;
        public ulong Size, Blocks;
        public long AccessedSeconds, ModifiedSeconds, ChangedSeconds;
        public uint AccessedNanoseconds, ModifiedNanoseconds, ChangedNanoseconds;

        /// <summary>A type this protocol carries (regular, directory, symbolic link) and no bits beyond the permissions.</summary>
        public static bool IsValidMode(uint mode)
        {
            uint type = mode & TypeMask;
            return (type == Regular || type == Directory || type == SymbolicLink) && (mode & ~(TypeMask | PermissionMask)) == 0;
        }

        internal unsafe void Write(byte* at)
        {
            *(ulong*)at = Node;
            *(uint*)(at + 8) = Mode;
            *(uint*)(at + 12) = LinkCount;
            *(uint*)(at + 16) = UserId;
            *(uint*)(at + 20) = GroupId;
            *(ulong*)(at + 24) = Size;
            *(ulong*)(at + 32) = Blocks;
            *(long*)(at + 40) = AccessedSeconds;
            *(long*)(at + 48) = ModifiedSeconds;
            *(long*)(at + 56) = ChangedSeconds;
            *(uint*)(at + 64) = AccessedNanoseconds;
            *(uint*)(at + 68) = ModifiedNanoseconds;
            *(uint*)(at + 72) = ChangedNanoseconds;
            *(uint*)(at + 76) = 0;
            *(ulong*)(at + 80) = 0;
        }

        internal static unsafe NodeAttributes Read(byte* at) => new NodeAttributes
        {
            Node = *(ulong*)at, Mode = *(uint*)(at + 8), LinkCount = *(uint*)(at + 12), UserId = *(uint*)(at + 16),
            GroupId = *(uint*)(at + 20), Size = *(ulong*)(at + 24), Blocks = *(ulong*)(at + 32),
            AccessedSeconds = *(long*)(at + 40), ModifiedSeconds = *(long*)(at + 48), ChangedSeconds = *(long*)(at + 56),
            AccessedNanoseconds = *(uint*)(at + 64), ModifiedNanoseconds = *(uint*)(at + 68), ChangedNanoseconds = *(uint*)(at + 72),
        };

        /// <summary>Well formed: a node id, a mode the protocol carries, nanoseconds below a second.</summary>
        public bool IsValid => Node != 0 && IsValidMode(Mode)
            && AccessedNanoseconds < 1_000_000_000 && ModifiedNanoseconds < 1_000_000_000 && ChangedNanoseconds < 1_000_000_000;
    }

    /// <summary>
    /// What a Statistics reply carries in its data (statfs's figures), 72 bytes. IdentityLow and IdentityHigh name the
    /// file system itself, the same across restarts of its server (ext: the superblock's UUID): a mount whose server
    /// ended goes on with a new server offered under the same name only if it serves the same identity (its node ids
    /// then name the same objects). Zero: none (memfs, whose files end with it): such a mount stays broken.
    /// </summary>
    public struct FileSystemFigures
    {
        public const int EncodedLength = 72;
        public ulong BlockSize, Blocks, FreeBlocks, AvailableBlocks, Files, FreeFiles, MaximumNameLength;
        public ulong IdentityLow, IdentityHigh;

        /// <summary>Whether the server names its file system (a nonzero identity).</summary>
        public bool HasIdentity => (IdentityLow | IdentityHigh) != 0;

        public unsafe void Write(byte* at)
        {
            ulong* words = (ulong*)at;
            words[0] = BlockSize; words[1] = Blocks; words[2] = FreeBlocks; words[3] = AvailableBlocks;
            words[4] = Files; words[5] = FreeFiles; words[6] = MaximumNameLength;
            words[7] = IdentityLow; words[8] = IdentityHigh;
        }

        public static unsafe FileSystemFigures Read(byte* at)
        {
            ulong* words = (ulong*)at;
            return new FileSystemFigures
            {
                BlockSize = words[0], Blocks = words[1], FreeBlocks = words[2], AvailableBlocks = words[3],
                Files = words[4], FreeFiles = words[5], MaximumNameLength = words[6],
                IdentityLow = words[7], IdentityHigh = words[8],
            };
        }
    }
}
