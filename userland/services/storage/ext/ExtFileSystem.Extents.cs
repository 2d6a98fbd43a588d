using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// ext4 extent trees: a node is a 12-byte header (magic 0xF30A, entries, capacity, depth) and 12-byte entries,
    /// extents {logical, length, start} in a leaf and indexes {logical, child block} above; the root is the inode's
    /// 60 bytes (4 entries), other nodes are blocks with a crc32c tail after their capacity. Every node is checked
    /// before use (magic, counts, depth one less than its parent's, child blocks inside the file system) and a path
    /// is at most <see cref="MaximumDepth"/> deep, so a damaged tree cannot loop. Inserting keeps each index's key
    /// equal to its child's first key; a full node is split, a full root grows the tree by a level.
    /// </summary>
    public sealed unsafe partial class ExtFileSystem
    {
        private const ushort ExtentMagic = 0xF30A;
        private const int MaximumDepth = 5;
        private const uint MaximumInitialisedLength = 32768;

        private struct ExtentPath
        {
            public int Depth;
            public fixed ulong Blocks[MaximumDepth + 1];   // per level from the root (0 = the inode's root)
            public fixed int Indexes[MaximumDepth + 1];    // the entry chosen at each level (-1: before the first)
        }

        private static ushort Entries(byte* node) => *(ushort*)(node + 2);
        private static ushort Capacity(byte* node) => *(ushort*)(node + 4);
        private static ushort NodeDepth(byte* node) => *(ushort*)(node + 6);
        private static byte* Entry(byte* node, int index) => node + 12 + 12 * index;
        private static uint EntryKey(byte* entry) => *(uint*)entry;
        private static ulong IndexChild(byte* entry) => *(uint*)(entry + 4) | (ulong)*(ushort*)(entry + 8) << 32;
        private static ulong ExtentStart(byte* entry) => *(uint*)(entry + 8) | (ulong)*(ushort*)(entry + 6) << 32;
        private static uint ExtentLength(byte* entry)
        {
            uint length = *(ushort*)(entry + 4);
            return length > MaximumInitialisedLength ? length - MaximumInitialisedLength : length;
        }
        private static bool ExtentUnwritten(byte* entry) => *(ushort*)(entry + 4) > MaximumInitialisedLength;

        private static void SetIndex(byte* entry, uint key, ulong child)
        {
            *(uint*)entry = key;
            *(uint*)(entry + 4) = (uint)child;
            *(ushort*)(entry + 8) = (ushort)(child >> 32);
            *(ushort*)(entry + 10) = 0;
        }

        private static void SetExtent(byte* entry, uint key, uint length, ulong start)
        {
            *(uint*)entry = key;
            *(ushort*)(entry + 4) = (ushort)length;
            *(ushort*)(entry + 6) = (ushort)(start >> 32);
            *(uint*)(entry + 8) = (uint)start;
        }

        private static void SetHeader(byte* node, int entries, int capacity, int depth)
        {
            *(ushort*)node = ExtentMagic;
            *(ushort*)(node + 2) = (ushort)entries;
            *(ushort*)(node + 4) = (ushort)capacity;
            *(ushort*)(node + 6) = (ushort)depth;
            *(uint*)(node + 8) = 0;
        }

        private int BlockNodeCapacity => (int)((_blockSize - 12) / 12);

        private uint ExtentBlockChecksum(Inode* inode, byte* node) =>
            Crc32c.Update(InodeChecksumSeed(inode->Number, inode->Generation), node, 12 + 12 * Capacity(node));

        /// <summary>A node of the inode's tree: the root (block 0) in the inode, else the cached block, checked.</summary>
        private Error Node(Inode* inode, ulong block, int expectedDepth, out byte* node)
        {
            node = null;
            int capacityLimit;
            if (block == 0)
            {
                node = inode->Raw + Inode.BlockPointersOffset;
                capacityLimit = 4;
            }
            else
            {
                if (!IsDataBlock(block))
                    return ExtErrors.Corrupted;
                Error error = _cache.Get(block, out node);
                if (error != Error.None)
                    return error;
                capacityLimit = BlockNodeCapacity;
            }
            if (*(ushort*)node != ExtentMagic || Capacity(node) == 0 || Capacity(node) > capacityLimit || Entries(node) > Capacity(node))
                return ExtErrors.Corrupted;
            int depth = NodeDepth(node);
            if (depth > MaximumDepth || expectedDepth >= 0 && depth != expectedDepth)
                return ExtErrors.Corrupted;
            if (block != 0 && _metadataChecksums && !_cache.IsChecked(node))
            {
                if (*(uint*)(node + 12 + 12 * Capacity(node)) != ExtentBlockChecksum(inode, node))
                    return ExtErrors.ChecksumMismatch;
                _cache.MarkChecked(node);
            }
            return Error.None;
        }

        private void SealNode(Inode* inode, ulong block, byte* node)
        {
            if (block == 0)
                return;   // the root: the inode's own checksum covers it when the inode is written
            if (_metadataChecksums)
            {
                *(uint*)(node + 12 + 12 * Capacity(node)) = ExtentBlockChecksum(inode, node);
                _cache.MarkChecked(node);
            }
            _cache.MarkDirty(node);
        }

        /// <summary>The last entry whose key is at most 'logical' (-1 when all are above it).</summary>
        private static int FindEntry(byte* node, uint logical)
        {
            int found = -1;
            int count = Entries(node);
            for (int i = 0; i < count; i++)
            {
                if (EntryKey(Entry(node, i)) > logical)
                    break;
                found = i;
            }
            return found;
        }

        /// <summary>The path from the root to the leaf that holds (or would hold) 'logical'.</summary>
        private Error FindPath(Inode* inode, uint logical, ExtentPath* path)
        {
            Error error = Node(inode, 0, -1, out byte* node);
            if (error != Error.None)
                return error;
            int depth = NodeDepth(node);
            path->Depth = depth;
            ulong block = 0;
            for (int level = 0; ; level++)
            {
                path->Blocks[level] = block;
                int index = FindEntry(node, logical);
                path->Indexes[level] = index;
                if (level == depth)
                    return Error.None;
                if (Entries(node) == 0)
                    return ExtErrors.Corrupted;   // an index node with no child
                block = IndexChild(Entry(node, index < 0 ? 0 : index));
                error = Node(inode, block, depth - level - 1, out node);
                if (error != Error.None)
                    return error;
            }
        }

        /// <summary>The path to the leaf for 'logical', and the leaf itself.</summary>
        private Error FindLeaf(Inode* inode, uint logical, ExtentPath* path, out byte* leaf)
        {
            leaf = null;
            Error error = FindPath(inode, logical, path);
            return error != Error.None ? error : Node(inode, path->Blocks[path->Depth], 0, out leaf);
        }

        private Error ExtentLookup(Inode* inode, uint logical, out ulong physical, out bool unwritten, out uint contiguous)
        {
            physical = 0;
            unwritten = false;
            contiguous = 1;
            ExtentPath path;
            Error error = FindLeaf(inode, logical, &path, out byte* leaf);
            if (error != Error.None)
                return error;
            int index = path.Indexes[path.Depth];
            if (index < 0)
                return Error.None;
            byte* extent = Entry(leaf, index);
            uint key = EntryKey(extent), length = ExtentLength(extent);
            if (logical - key >= length)
                return Error.None;
            ulong start = ExtentStart(extent);
            if (start + length > _blocksCount || start <= _superblock.FirstDataBlock)
                return ExtErrors.Corrupted;
            unwritten = ExtentUnwritten(extent);
            physical = unwritten ? 0 : start + (logical - key);
            if (!unwritten)
                contiguous = length - (logical - key);
            return Error.None;
        }

        /// <summary>Maps 'logical' (a hole) to a new block: the previous extent grows when the block after it is free, else a new extent goes in.</summary>
        private Error ExtentAllocate(Inode* inode, uint logical, out ulong physical)
        {
            physical = 0;
            Error error = ExtentLookup(inode, logical, out ulong existing, out bool unwritten, out _);
            if (error != Error.None)
                return error;
            if (existing != 0)
            {
                physical = existing;
                return Error.None;
            }
            if (unwritten)
                return InitialiseUnwrittenExtent(inode, logical, out physical);

            for (int attempt = 0; attempt < 4 * MaximumDepth + 4; attempt++)
            {
                ExtentPath path;
                error = FindLeaf(inode, logical, &path, out byte* leaf);
                if (error != Error.None)
                    return error;
                ulong leafBlock = path.Blocks[path.Depth];
                int index = path.Indexes[path.Depth];
                ulong goal = 0;
                if (index >= 0)
                {
                    byte* previous = Entry(leaf, index);
                    goal = ExtentStart(previous) + (logical - EntryKey(previous));
                    // Grow the previous extent when the new block is the next one on disk too.
                    if (!ExtentUnwritten(previous) && EntryKey(previous) + ExtentLength(previous) == logical
                        && ExtentLength(previous) < MaximumInitialisedLength && physical == 0)
                    {
                        error = AllocateFileBlock(inode, goal, out ulong block);
                        if (error != Error.None)
                            return error;
                        error = Node(inode, leafBlock, 0, out leaf);
                        if (error != Error.None)
                            return error;
                        previous = Entry(leaf, index);
                        if (block == goal)
                        {
                            *(ushort*)(previous + 4) = (ushort)(ExtentLength(previous) + 1);
                            SealNode(inode, leafBlock, leaf);
                            physical = block;
                            return Error.None;
                        }
                        physical = block;   // not adjacent: it goes in as an extent of its own below
                    }
                }
                if (Entries(leaf) < Capacity(leaf))
                {
                    if (physical == 0)
                    {
                        error = AllocateFileBlock(inode, goal, out physical);
                        if (error != Error.None)
                            return error;
                        error = Node(inode, leafBlock, 0, out leaf);
                        if (error != Error.None)
                            return error;
                    }
                    InsertEntry(leaf, index + 1);
                    SetExtent(Entry(leaf, index + 1), logical, 1, physical);
                    SealNode(inode, leafBlock, leaf);
                    if (index + 1 == 0)
                        return UpdateFirstKeys(inode, &path, logical);
                    return Error.None;
                }
                error = MakeRoom(inode, &path);
                if (error != Error.None)
                {
                    if (physical != 0)
                        ReleaseFileBlock(inode, physical);
                    return error;
                }
            }
            return ExtErrors.Corrupted;
        }

        /// <summary>
        /// A write into a preallocated (unwritten) extent: its blocks are zeroed (through the cache) and it becomes an
        /// ordinary extent, so the write lands in place without splitting the extent. Costs a zeroing of up to 32768
        /// blocks on the first write; reads of unwritten extents give zeros without it.
        /// </summary>
        private Error InitialiseUnwrittenExtent(Inode* inode, uint logical, out ulong physical)
        {
            physical = 0;
            ExtentPath path;
            Error error = FindLeaf(inode, logical, &path, out byte* leaf);
            if (error != Error.None)
                return error;
            ulong leafBlock = path.Blocks[path.Depth];
            if (path.Indexes[path.Depth] < 0)
                return ExtErrors.Corrupted;
            byte* extent = Entry(leaf, path.Indexes[path.Depth]);
            uint key = EntryKey(extent), length = ExtentLength(extent);
            ulong start = ExtentStart(extent);
            for (uint b = 0; b < length; b++)
            {
                error = _cache.GetZeroed(start + b, out _);
                if (error != Error.None)
                    return error;
            }
            error = Node(inode, leafBlock, 0, out leaf);
            if (error != Error.None)
                return error;
            extent = Entry(leaf, path.Indexes[path.Depth]);
            *(ushort*)(extent + 4) = (ushort)length;
            SealNode(inode, leafBlock, leaf);
            physical = start + (logical - key);
            return Error.None;
        }

        private static void InsertEntry(byte* node, int at)
        {
            int count = Entries(node);
            for (int i = count - 1; i >= at; i--)
            {
                byte* from = Entry(node, i), to = Entry(node, i + 1);
                for (int b = 0; b < 12; b++)
                    to[b] = from[b];
            }
            *(ushort*)(node + 2) = (ushort)(count + 1);
        }

        private static void RemoveEntry(byte* node, int at)
        {
            int count = Entries(node);
            for (int i = at; i < count - 1; i++)
            {
                byte* from = Entry(node, i + 1), to = Entry(node, i);
                for (int b = 0; b < 12; b++)
                    to[b] = from[b];
            }
            *(ushort*)(node + 2) = (ushort)(count - 1);
        }

        /// <summary>After a new first entry in the leaf: the index keys above it that led there follow it.</summary>
        private Error UpdateFirstKeys(Inode* inode, ExtentPath* path, uint key)
        {
            for (int level = path->Depth - 1; level >= 0; level--)
            {
                Error error = Node(inode, path->Blocks[level], path->Depth - level, out byte* node);
                if (error != Error.None)
                    return error;
                int index = path->Indexes[level] < 0 ? 0 : path->Indexes[level];
                *(uint*)Entry(node, index) = key;
                SealNode(inode, path->Blocks[level], node);
                if (index != 0)
                    break;
            }
            return Error.None;
        }

        /// <summary>
        /// Makes room in the full leaf of 'path': splits the lowest full node whose parent has room, or, when every node
        /// up to the root is full, moves the root's entries into a new block and makes the root one level deeper.
        /// </summary>
        private Error MakeRoom(Inode* inode, ExtentPath* path)
        {
            int level = path->Depth;
            while (level > 0)
            {
                Error error = Node(inode, path->Blocks[level - 1], path->Depth - level + 1, out byte* parent);
                if (error != Error.None)
                    return error;
                if (Entries(parent) < Capacity(parent))
                    return SplitNode(inode, path, level);
                level--;
            }
            return GrowRoot(inode);
        }

        private Error GrowRoot(Inode* inode)
        {
            Error error = Node(inode, 0, -1, out byte* root);
            if (error != Error.None)
                return error;
            int depth = NodeDepth(root);
            if (depth >= MaximumDepth)
                return Error.FileTooLarge;
            error = AllocateFileBlock(inode, 0, out ulong block);
            if (error != Error.None)
                return error;
            error = _cache.GetZeroed(block, out byte* child);
            if (error != Error.None)
                return error;
            root = inode->Raw + Inode.BlockPointersOffset;
            int count = Entries(root);
            SetHeader(child, count, BlockNodeCapacity, depth);
            for (int i = 0; i < 12 * count; i++)
                child[12 + i] = root[12 + i];
            SealNode(inode, block, child);
            uint firstKey = count > 0 ? EntryKey(Entry(root, 0)) : 0;
            SetHeader(root, 1, 4, depth + 1);
            SetIndex(Entry(root, 0), firstKey, block);
            return Error.None;
        }

        /// <summary>Moves the upper half of the full node at 'level' of 'path' to a new block and indexes it in the parent (which has room).</summary>
        private Error SplitNode(Inode* inode, ExtentPath* path, int level)
        {
            int nodeDepth = path->Depth - level;
            Error error = AllocateFileBlock(inode, 0, out ulong newBlock);
            if (error != Error.None)
                return error;
            error = _cache.GetZeroed(newBlock, out byte* fresh);
            if (error != Error.None)
                return error;
            ulong oldBlock = path->Blocks[level];
            error = Node(inode, oldBlock, nodeDepth, out byte* old);
            if (error != Error.None)
                return error;
            int count = Entries(old), keep = count / 2;
            if (keep == 0)
                return ExtErrors.Corrupted;
            SetHeader(fresh, count - keep, BlockNodeCapacity, nodeDepth);
            for (int i = 0; i < 12 * (count - keep); i++)
                fresh[12 + i] = Entry(old, keep)[i];
            *(ushort*)(old + 2) = (ushort)keep;
            uint freshKey = EntryKey(Entry(fresh, 0));
            SealNode(inode, newBlock, fresh);
            SealNode(inode, oldBlock, old);
            error = Node(inode, path->Blocks[level - 1], nodeDepth + 1, out byte* parent);
            if (error != Error.None)
                return error;
            int at = (path->Indexes[level - 1] < 0 ? 0 : path->Indexes[level - 1]) + 1;
            InsertEntry(parent, at);
            SetIndex(Entry(parent, at), freshKey, newBlock);
            SealNode(inode, path->Blocks[level - 1], parent);
            return Error.None;
        }

        /// <summary>Frees every block mapped from 'first' on, and the tree blocks left empty; an emptied tree is a bare root again.</summary>
        private Error ExtentFreeFrom(Inode* inode, uint first)
        {
            Error error = Node(inode, 0, -1, out byte* root);
            if (error != Error.None)
                return error;
            error = TrimNode(inode, 0, NodeDepth(root), first, out int left);
            if (error != Error.None)
                return error;
            if (left == 0)
                SetHeader(inode->Raw + Inode.BlockPointersOffset, 0, 4, 0);
            return Error.None;
        }

        private Error TrimNode(Inode* inode, ulong block, int depth, uint first, out int left)
        {
            left = 0;
            Error error = Node(inode, block, depth, out byte* node);
            if (error != Error.None)
                return error;
            for (int i = Entries(node) - 1; i >= 0; i--)
            {
                error = Node(inode, block, depth, out node);
                if (error != Error.None)
                    return error;
                byte* entry = Entry(node, i);
                uint key = EntryKey(entry);
                if (depth == 0)
                {
                    uint length = ExtentLength(entry);
                    ulong start = ExtentStart(entry);
                    if (key + (ulong)length <= first)
                        break;
                    uint keepLength = key >= first ? 0 : first - key;
                    if (start + length > _blocksCount || start <= _superblock.FirstDataBlock)
                        return ExtErrors.Corrupted;
                    if (keepLength == 0)
                        RemoveEntry(node, i);
                    else
                        *(ushort*)(entry + 4) = (ushort)(keepLength + (ExtentUnwritten(entry) ? MaximumInitialisedLength : 0));
                    SealNode(inode, block, node);
                    for (uint b = keepLength; b < length; b++)
                    {
                        error = ReleaseFileBlock(inode, start + b);
                        if (error != Error.None)
                            return error;
                    }
                }
                else
                {
                    ulong child = IndexChild(entry);
                    bool lastToCheck = key < first;
                    error = TrimNode(inode, child, depth - 1, first, out int childLeft);
                    if (error != Error.None)
                        return error;
                    if (childLeft == 0)
                    {
                        error = Node(inode, block, depth, out node);
                        if (error != Error.None)
                            return error;
                        RemoveEntry(node, i);
                        SealNode(inode, block, node);
                        error = ReleaseFileBlock(inode, child);
                        if (error != Error.None)
                            return error;
                    }
                    if (lastToCheck)
                        break;
                }
            }
            error = Node(inode, block, depth, out node);
            if (error != Error.None)
                return error;
            left = Entries(node);
            return Error.None;
        }
    }
}
