using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// Block and inode allocation: the groups' bitmaps with their checksums, the descriptors' free, directory and
    /// unused-inode counts and the superblock's totals, changed together so e2fsck finds them consistent. Groups whose
    /// bitmaps were never initialised (uninit_bg flags) are not allocated from: their bitmaps would have to be built first.
    /// </summary>
    public sealed unsafe partial class ExtFileSystem
    {
        private uint BlocksInGroup(uint group)
        {
            ulong first = _superblock.FirstDataBlock + (ulong)group * _blocksPerGroup;
            ulong left = _blocksCount - first;
            return left < _blocksPerGroup ? (uint)left : _blocksPerGroup;
        }

        private uint BlockBitmapChecksum(byte* bitmap) => Crc32c.Update(_checksumSeed, bitmap, (int)(_blocksPerGroup / 8));
        private uint InodeBitmapChecksum(byte* bitmap) => Crc32c.Update(_checksumSeed, bitmap, (int)(_inodesPerGroup / 8));

        private void SetBitmapChecksum(byte* descriptor, int low, int high, uint checksum)
        {
            *(ushort*)(descriptor + low) = (ushort)checksum;
            if (_descriptorSize >= 64)
                *(ushort*)(descriptor + high) = (ushort)(checksum >> 16);
        }

        private bool BitmapChecksumMatches(byte* descriptor, int low, int high, uint checksum)
        {
            uint stored = *(ushort*)(descriptor + low);
            if (_descriptorSize >= 64)
                stored |= (uint)*(ushort*)(descriptor + high) << 16;
            else
                checksum &= 0xFFFF;
            return stored == checksum;
        }

        /// <summary>The group's block (or inode) bitmap from the cache, its checksum checked.</summary>
        private Error Bitmap(uint group, bool inodes, out byte* descriptor, out byte* bitmap)
        {
            bitmap = null;
            Error error = Descriptor(group, out descriptor);
            if (error != Error.None)
                return error;
            ulong block = inodes ? DescriptorInodeBitmap(descriptor) : DescriptorBlockBitmap(descriptor);
            if (!IsMetadataBlock(block))
                return ExtErrors.Corrupted;
            error = _cache.Get(block, out bitmap);
            if (error != Error.None)
                return error;
            // The descriptor's block may have been evicted by the bitmap's fetch only if the cache were tiny: fetch it again.
            error = Descriptor(group, out descriptor);
            if (error != Error.None)
                return error;
            if (_metadataChecksums && !_cache.IsChecked(bitmap))
            {
                bool matches = inodes
                    ? BitmapChecksumMatches(descriptor, 0x1A, 0x3A, InodeBitmapChecksum(bitmap))
                    : BitmapChecksumMatches(descriptor, 0x18, 0x38, BlockBitmapChecksum(bitmap));
                if (!matches)
                    return ExtErrors.ChecksumMismatch;
                _cache.MarkChecked(bitmap);
            }
            return Error.None;
        }

        private void SealBitmap(uint group, bool inodes, byte* descriptor, byte* bitmap)
        {
            if (_metadataChecksums)
            {
                if (inodes)
                    SetBitmapChecksum(descriptor, 0x1A, 0x3A, InodeBitmapChecksum(bitmap));
                else
                    SetBitmapChecksum(descriptor, 0x18, 0x38, BlockBitmapChecksum(bitmap));
                _cache.MarkChecked(bitmap);
            }
            _cache.MarkDirty(bitmap);
            SealDescriptor(group, descriptor);
        }

        private bool HasGroupFlags => _groupChecksums;   // the uninit flags mean something only where descriptors are checksummed

        /// <summary>The group's descriptor and block (or inode) bitmap when it has a free one (its bitmap built first if uninitialised); a null bitmap when full.</summary>
        private Error GroupWithFree(uint group, bool inodes, out byte* descriptor, out byte* bitmap)
        {
            bitmap = null;
            Error error = Descriptor(group, out descriptor);
            if (error != Error.None)
                return error;
            if ((inodes ? DescriptorFreeInodes(descriptor) : DescriptorFreeBlocks(descriptor)) == 0)
                return Error.None;
            ushort flag = inodes ? GroupInodesUninitialised : GroupBlocksUninitialised;
            if (HasGroupFlags && (DescriptorFlags(descriptor) & flag) != 0)
            {
                error = inodes ? InitialiseInodeBitmap(group) : InitialiseBlockBitmap(group);
                if (error != Error.None)
                    return error;
            }
            return Bitmap(group, inodes, out descriptor, out bitmap);
        }

        /// <summary>A free block, searched from 'goal' on (its group first, then the following ones); NoSpace when none.</summary>
        private Error AllocateBlock(ulong goal, out ulong block)
        {
            block = 0;
            if (goal <= _superblock.FirstDataBlock || goal >= _blocksCount)
                goal = _superblock.FirstDataBlock;
            uint firstGroup = (uint)((goal - _superblock.FirstDataBlock) / _blocksPerGroup);
            uint startBit = (uint)((goal - _superblock.FirstDataBlock) % _blocksPerGroup);
            for (uint step = 0; step <= _groupCount; step++)
            {
                uint group = (firstGroup + step) % _groupCount;
                Error error = GroupWithFree(group, false, out byte* descriptor, out byte* bitmap);
                if (error != Error.None)
                    return error;
                if (bitmap == null)
                    continue;
                uint count = BlocksInGroup(group);
                uint start = step == 0 ? startBit : 0;
                for (uint scanned = 0; scanned < count; scanned++)
                {
                    uint bit = (start + scanned) % count;
                    if ((bitmap[bit >> 3] & (1 << (int)(bit & 7))) != 0)
                        continue;
                    ulong candidate = _superblock.FirstDataBlock + (ulong)group * _blocksPerGroup + bit;
                    if (!IsDataBlock(candidate) || candidate == DescriptorBlockBitmap(descriptor) || candidate == DescriptorInodeBitmap(descriptor)
                        || candidate >= DescriptorInodeTable(descriptor) && candidate < DescriptorInodeTable(descriptor) + InodeTableBlocks)
                        return ExtErrors.Corrupted;   // a bitmap that calls metadata free
                    bitmap[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                    SetDescriptorField16(descriptor, 0xC, 0x2C, DescriptorFreeBlocks(descriptor) - 1);
                    SealBitmap(group, false, descriptor, bitmap);
                    _superblock.FreeBlocksCount = _superblock.FreeBlocksCount - 1;
                    block = candidate;
                    return Error.None;
                }
                return ExtErrors.Corrupted;   // the descriptor counted free blocks the bitmap does not have
            }
            return Error.NoSpace;
        }

        /// <summary>Returns a block to its group's bitmap. Freeing a free block is a damaged image (Corrupted).</summary>
        private Error FreeBlock(ulong block)
        {
            if (!IsDataBlock(block))
                return ExtErrors.Corrupted;
            uint group = (uint)((block - _superblock.FirstDataBlock) / _blocksPerGroup);
            uint bit = (uint)((block - _superblock.FirstDataBlock) % _blocksPerGroup);
            Error error = Bitmap(group, false, out byte* descriptor, out byte* bitmap);
            if (error != Error.None)
                return error;
            byte mask = (byte)(1 << (int)(bit & 7));
            if ((bitmap[bit >> 3] & mask) == 0)
                return ExtErrors.Corrupted;
            bitmap[bit >> 3] &= (byte)~mask;
            SetDescriptorField16(descriptor, 0xC, 0x2C, DescriptorFreeBlocks(descriptor) + 1);
            SealBitmap(group, false, descriptor, bitmap);
            _superblock.FreeBlocksCount = _superblock.FreeBlocksCount + 1;
            return Error.None;
        }

        /// <summary>A free inode number, searched from 'preferredGroup' on; NoSpace when none.</summary>
        private Error AllocateInode(uint preferredGroup, bool directory, out uint number)
        {
            number = 0;
            for (uint step = 0; step < _groupCount; step++)
            {
                uint group = (preferredGroup + step) % _groupCount;
                Error error = GroupWithFree(group, true, out byte* descriptor, out byte* bitmap);
                if (error != Error.None)
                    return error;
                if (bitmap == null)
                    continue;
                for (uint bit = 0; bit < _inodesPerGroup; bit++)
                {
                    uint candidate = group * _inodesPerGroup + bit + 1;
                    if (candidate < _superblock.FirstInode || (bitmap[bit >> 3] & (1 << (int)(bit & 7))) != 0)
                        continue;
                    bitmap[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                    SetDescriptorField16(descriptor, 0xE, 0x2E, DescriptorFreeInodes(descriptor) - 1);
                    if (directory)
                        SetDescriptorField16(descriptor, 0x10, 0x30, DescriptorUsedDirectories(descriptor) + 1);
                    // The unused inodes are the table's tail after the last one ever used.
                    if (HasGroupFlags && bit >= _inodesPerGroup - DescriptorUnusedInodes(descriptor))
                        SetDescriptorField16(descriptor, 0x1C, 0x32, _inodesPerGroup - bit - 1);
                    SealBitmap(group, true, descriptor, bitmap);
                    _superblock.FreeInodesCount = _superblock.FreeInodesCount - 1;
                    number = candidate;
                    return Error.None;
                }
                return ExtErrors.Corrupted;
            }
            return Error.NoSpace;
        }

        private Error FreeInode(uint number, bool directory)
        {
            if (!IsValidInodeNumber(number) || number < _superblock.FirstInode)
                return ExtErrors.Corrupted;
            uint group = (number - 1) / _inodesPerGroup, bit = (number - 1) % _inodesPerGroup;
            Error error = Bitmap(group, true, out byte* descriptor, out byte* bitmap);
            if (error != Error.None)
                return error;
            byte mask = (byte)(1 << (int)(bit & 7));
            if ((bitmap[bit >> 3] & mask) == 0)
                return ExtErrors.Corrupted;
            bitmap[bit >> 3] &= (byte)~mask;
            SetDescriptorField16(descriptor, 0xE, 0x2E, DescriptorFreeInodes(descriptor) + 1);
            if (directory && DescriptorUsedDirectories(descriptor) > 0)
                SetDescriptorField16(descriptor, 0x10, 0x30, DescriptorUsedDirectories(descriptor) - 1);
            SealBitmap(group, true, descriptor, bitmap);
            _superblock.FreeInodesCount = _superblock.FreeInodesCount + 1;
            return Error.None;
        }
    
        /// <summary>Whether the group holds a copy of the superblock and descriptors (all groups, or with sparse_super group 0, 1 and powers of 3, 5, 7).</summary>
        private bool HasSuperblockCopy(uint group)
        {
            if (group <= 1 || (_superblock.FeatureReadOnlyCompat & ExtFeatures.ReadOnlySparseSuper) == 0)
                return true;
            for (uint factor = 3; factor <= 7; factor += 2)
            {
                ulong power = factor;
                while (power < group)
                    power *= factor;
                if (power == group)
                    return true;
            }
            return false;
        }

        private static void SetBits(byte* bitmap, ulong from, ulong to)
        {
            for (ulong bit = from; bit < to; bit++)
                bitmap[bit >> 3] |= (byte)(1 << (int)(bit & 7));
        }

        /// <summary>
        /// Builds a BLOCK_UNINIT group's bitmap: its superblock and descriptor copy (with the reserved descriptor blocks),
        /// every group's bitmaps and inode table that lie inside it, and the bits past its last block. The free count it
        /// gives must be the descriptor's, else the image is damaged.
        /// </summary>
        private Error InitialiseBlockBitmap(uint group)
        {
            Error error = Descriptor(group, out byte* descriptor);
            if (error != Error.None)
                return error;
            ulong bitmapBlock = DescriptorBlockBitmap(descriptor);
            if (!IsMetadataBlock(bitmapBlock))
                return ExtErrors.Corrupted;
            ulong first = _superblock.FirstDataBlock + (ulong)group * _blocksPerGroup;
            uint count = BlocksInGroup(group);
            error = _cache.GetZeroed(bitmapBlock, out byte* bitmap);
            if (error != Error.None)
                return error;
            if (HasSuperblockCopy(group))
            {
                ulong descriptorBlocks = ((ulong)_groupCount * _descriptorSize + _blockSize - 1) / _blockSize;
                ulong used = 1 + descriptorBlocks + *(ushort*)(_superblock.Raw + 0xCE);
                SetBits(bitmap, 0, used < count ? used : count);
            }
            for (uint other = 0; other < _groupCount; other++)
            {
                error = Descriptor(other, out byte* otherDescriptor);
                if (error != Error.None)
                    return error;
                ulong blockBitmap = DescriptorBlockBitmap(otherDescriptor), inodeBitmap = DescriptorInodeBitmap(otherDescriptor);
                ulong table = DescriptorInodeTable(otherDescriptor);
                error = _cache.Get(bitmapBlock, out bitmap);   // fetched again: the descriptors' blocks came in between
                if (error != Error.None)
                    return error;
                if (blockBitmap >= first && blockBitmap < first + count)
                    SetBits(bitmap, blockBitmap - first, blockBitmap - first + 1);
                if (inodeBitmap >= first && inodeBitmap < first + count)
                    SetBits(bitmap, inodeBitmap - first, inodeBitmap - first + 1);
                for (ulong block = table; block < table + InodeTableBlocks; block++)
                    if (block >= first && block < first + count)
                        SetBits(bitmap, block - first, block - first + 1);
            }
            SetBits(bitmap, count, (ulong)_blockSize * 8);
            uint free = 0;
            for (uint bit = 0; bit < count; bit++)
                if ((bitmap[bit >> 3] & (1 << (int)(bit & 7))) == 0)
                    free++;
            error = Descriptor(group, out descriptor);
            if (error != Error.None)
                return error;
            if (free != DescriptorFreeBlocks(descriptor))
                return ExtErrors.Corrupted;
            *(ushort*)(descriptor + 0x12) = (ushort)(DescriptorFlags(descriptor) & ~GroupBlocksUninitialised);
            SealBitmap(group, false, descriptor, bitmap);
            return Error.None;
        }

        /// <summary>Builds an INODE_UNINIT group's inode bitmap: no inode in use, the bits past the group's inodes set.</summary>
        private Error InitialiseInodeBitmap(uint group)
        {
            Error error = Descriptor(group, out byte* descriptor);
            if (error != Error.None)
                return error;
            ulong bitmapBlock = DescriptorInodeBitmap(descriptor);
            if (!IsMetadataBlock(bitmapBlock) || DescriptorFreeInodes(descriptor) != _inodesPerGroup)
                return ExtErrors.Corrupted;
            error = _cache.GetZeroed(bitmapBlock, out byte* bitmap);
            if (error != Error.None)
                return error;
            SetBits(bitmap, _inodesPerGroup, (ulong)_blockSize * 8);
            error = Descriptor(group, out descriptor);
            if (error != Error.None)
                return error;
            *(ushort*)(descriptor + 0x12) = (ushort)(DescriptorFlags(descriptor) & ~GroupInodesUninitialised);
            SetDescriptorField16(descriptor, 0x1C, 0x32, _inodesPerGroup);
            SealBitmap(group, true, descriptor, bitmap);
            return Error.None;
        }
    }
}
