using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// A file's logical blocks to disk blocks: through the extent tree for an inode with the extents flag, else through
    /// ext2's twelve direct pointers and single, double and triple indirect blocks. Mapping may allocate (writes), and
    /// freeing every block from a logical block on serves truncation and deletion. A hole maps to 0.
    /// </summary>
    public sealed unsafe partial class ExtFileSystem
    {
        private ulong _allocationGoal;

        private uint PointersPerBlock => _blockSize / 4;

        /// <summary>The largest number of logical blocks a file may have (the mapping's reach, and i_blocks' limit without huge_file).</summary>
        private ulong MaximumFileBlocks(Inode* inode)
        {
            if ((inode->Flags & Inode.FlagExtents) != 0)
                return (1UL << 32) - 1;
            ulong p = PointersPerBlock;
            ulong reach = 12 + p + p * p + p * p * p;
            ulong byBlockCount = _superblock.HasHugeFiles ? ulong.MaxValue : (uint.MaxValue * 512UL) / _blockSize;
            return reach < byBlockCount ? reach : byBlockCount;
        }

        /// <summary>Counts 'count' blocks more (or fewer, negative) in the inode's i_blocks.</summary>
        private void AddBlocks(Inode* inode, long count)
        {
            long unit = (inode->Flags & Inode.FlagHugeFile) != 0 ? 1 : _blockSize / 512;
            inode->RawBlockCount = (ulong)((long)inode->RawBlockCount + count * unit);
        }

        private Error AllocateFileBlock(Inode* inode, ulong goal, out ulong block)
        {
            if (goal == 0)
                goal = _allocationGoal != 0 ? _allocationGoal
                    : _superblock.FirstDataBlock + (ulong)((inode->Number - 1) / _inodesPerGroup) * _blocksPerGroup;
            Error error = AllocateBlock(goal, out block);
            if (error != Error.None)
                return error;
            if (block > uint.MaxValue && (inode->Flags & Inode.FlagExtents) == 0)
            {
                FreeBlock(block);   // ext2's block pointers have 32 bits: such a file cannot reach a block past them
                block = 0;
                return Error.NoSpace;
            }
            _allocationGoal = block + 1;
            AddBlocks(inode, 1);
            return Error.None;
        }

        private Error ReleaseFileBlock(Inode* inode, ulong block)
        {
            Error error = FreeBlock(block);
            if (error == Error.None)
                AddBlocks(inode, -1);
            return error;
        }

        /// <summary>The disk block of the file's logical block 'logical' (0 for a hole), allocating one when 'allocate'.</summary>
        private Error MapBlock(Inode* inode, ulong logical, bool allocate, out ulong physical)
        {
            if (!allocate)
                return MapRun(inode, logical, out physical, out _);
            physical = 0;
            if (logical >= MaximumFileBlocks(inode))
                return Error.FileTooLarge;
            if ((inode->Flags & Inode.FlagExtents) != 0)
                return ExtentAllocate(inode, (uint)logical, out physical);
            return IndirectMap(inode, logical, true, out physical);
        }

        /// <summary>
        /// The disk block of 'logical' (0 for a hole), never allocating, and how many blocks from it on lie one after the other on the disk in the
        /// same mapping ('contiguous': the rest of an extent; 1 for ext2's block pointers and for a hole): a read maps a
        /// run once, not block by block (an extent lookup walks the tree from the inode).
        /// </summary>
        private Error MapRun(Inode* inode, ulong logical, out ulong physical, out uint contiguous)
        {
            physical = 0;
            contiguous = 1;
            if (logical >= MaximumFileBlocks(inode))
                return Error.None;
            if ((inode->Flags & Inode.FlagExtents) != 0)
                return ExtentLookup(inode, (uint)logical, out physical, out _, out contiguous);
            return IndirectMap(inode, logical, false, out physical);
        }

        /// <summary>Frees every block of the file from logical block 'first' on (and the mapping blocks left empty).</summary>
        private Error FreeBlocksFrom(Inode* inode, ulong first)
        {
            if ((inode->Flags & Inode.FlagExtents) != 0)
                return ExtentFreeFrom(inode, first > uint.MaxValue ? uint.MaxValue : (uint)first);
            return IndirectFreeFrom(inode, first);
        }

        // ---- ext2 indirect blocks ----

        private Error IndirectMap(Inode* inode, ulong logical, bool allocate, out ulong physical)
        {
            physical = 0;
            ulong p = PointersPerBlock;
            int levels;
            int slot;
            if (logical < 12)
            {
                levels = 0;
                slot = (int)logical;
            }
            else
            {
                logical -= 12;
                levels = 1;
                ulong span = p;
                while (logical >= span)
                {
                    logical -= span;
                    levels++;
                    span *= p;
                }
                slot = 11 + levels;
            }
            // The pointer in the inode, then one per level: the index inside each indirect block.
            ulong current = inode->BlockPointer(slot);
            if (current == 0)
            {
                if (!allocate)
                    return Error.None;
                Error error = AllocateZeroedMapBlock(inode, levels > 0, out current);
                if (error != Error.None)
                    return error;
                inode->SetBlockPointer(slot, (uint)current);
            }
            else if (!IsDataBlock(current))
                return ExtErrors.Corrupted;
            for (int level = levels; level > 0; level--)
            {
                ulong divisor = 1;
                for (int i = 1; i < level; i++)
                    divisor *= p;
                uint index = (uint)(logical / divisor % p);
                Error error = _cache.Get(current, out byte* block);
                if (error != Error.None)
                    return error;
                ulong next = ((uint*)block)[index];
                if (next == 0)
                {
                    if (!allocate)
                        return Error.None;
                    error = AllocateZeroedMapBlock(inode, level > 1, out next);
                    if (error != Error.None)
                        return error;
                    error = _cache.Get(current, out block);
                    if (error != Error.None)
                        return error;
                    ((uint*)block)[index] = (uint)next;
                    _cache.MarkDirty(block);
                }
                else if (!IsDataBlock(next))
                    return ExtErrors.Corrupted;
                current = next;
            }
            physical = current;
            return Error.None;
        }

        /// <summary>A new block for the file; zeroed on disk when it will hold pointers (a data block is written by its caller).</summary>
        private Error AllocateZeroedMapBlock(Inode* inode, bool pointers, out ulong block)
        {
            Error error = AllocateFileBlock(inode, 0, out block);
            if (error != Error.None || !pointers)
                return error;
            return _cache.GetZeroed(block, out _);
        }

        private Error IndirectFreeFrom(Inode* inode, ulong first)
        {
            for (int slot = 0; slot < 12; slot++)
            {
                ulong block = inode->BlockPointer(slot);
                if ((ulong)slot >= first && block != 0)
                {
                    Error error = ReleaseFileBlock(inode, block);
                    if (error != Error.None)
                        return error;
                    inode->SetBlockPointer(slot, 0);
                }
            }
            ulong p = PointersPerBlock, start = 12, span = p;
            for (int level = 1; level <= 3; level++)
            {
                ulong block = inode->BlockPointer(11 + level);
                if (block != 0 && first < start + span)
                {
                    Error error = FreeIndirect(inode, block, level, start, first, out bool empty);
                    if (error != Error.None)
                        return error;
                    if (empty)
                    {
                        error = ReleaseFileBlock(inode, block);
                        if (error != Error.None)
                            return error;
                        inode->SetBlockPointer(11 + level, 0);
                    }
                }
                start += span;
                span *= p;
            }
            return Error.None;
        }

        /// <summary>Frees what indirect block 'block' (at 'level', mapping from logical 'start') maps from 'first' on; 'empty' when nothing is left in it.</summary>
        private Error FreeIndirect(Inode* inode, ulong block, int level, ulong start, ulong first, out bool empty)
        {
            empty = false;
            if (!IsDataBlock(block))
                return ExtErrors.Corrupted;
            ulong p = PointersPerBlock, each = 1;
            for (int i = 1; i < level; i++)
                each *= p;
            bool anyLeft = false;
            for (uint index = 0; index < p; index++)
            {
                Error error = _cache.Get(block, out byte* data);
                if (error != Error.None)
                    return error;
                ulong child = ((uint*)data)[index];
                if (child == 0)
                    continue;
                ulong childStart = start + index * each;
                if (childStart + each <= first)
                {
                    anyLeft = true;
                    continue;
                }
                bool release = true;
                if (level > 1)
                {
                    error = FreeIndirect(inode, child, level - 1, childStart, first, out release);
                    if (error != Error.None)
                        return error;
                }
                if (!release)
                {
                    anyLeft = true;
                    continue;
                }
                error = ReleaseFileBlock(inode, child);
                if (error != Error.None)
                    return error;
                error = _cache.Get(block, out data);
                if (error != Error.None)
                    return error;
                ((uint*)data)[index] = 0;
                _cache.MarkDirty(data);
            }
            empty = !anyLeft;
            return Error.None;
        }
    }
}
