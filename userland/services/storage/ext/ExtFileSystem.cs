using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// An ext2/ext4 file system on a block device: mounting (the superblock's checks and feature masks), the group
    /// descriptors, inodes and metadata checksums. The operations are in the other ExtFileSystem.*.cs files. All
    /// memory is the workspace the owner passes to <see cref="Mount"/> (no allocation after it); every error is a
    /// Linux errno (<see cref="ExtErrors"/> for a damaged image). A journal is left untouched: the mount is refused
    /// when it needs recovery, and writes go straight to their places (the journal stays clean and empty).
    /// </summary>
    public sealed unsafe partial class ExtFileSystem
    {
        public const uint RootInode = 2;
        public const uint MinimumBlockSize = 1024, MaximumBlockSize = 65536;

        private readonly IBlockDevice _device;
        private BlockCache _cache;
        private Superblock _superblock;
        private IClock _clock;
        private byte* _scratch;
        private uint _blockSize;
        private uint _groupCount;
        private uint _descriptorSize;
        private uint _inodeSize;
        private uint _inodesPerGroup;
        private uint _blocksPerGroup;
        private ulong _blocksCount;
        private uint _checksumSeed;
        private bool _readOnly;
        private ushort _stateAtMount;
        private bool _metadataChecksums;
        private bool _groupChecksums;   // descriptors carry a checksum: crc32c with metadata_csum, else CRC16 with uninit_bg

        public bool IsReadOnly => _readOnly;
        public uint BlockSize => _blockSize;
        public uint GroupCount => _groupCount;
        public BlockCache Cache => _cache;
        public Superblock Superblock => _superblock;

        private ExtFileSystem(IBlockDevice device) { _device = device; }

        /// <summary>The workspace a mount with a cache of 'cacheBlocks' blocks needs, for any block size.</summary>
        public static ulong WorkspaceBytes(int cacheBlocks) =>
            Superblock.Length + MaximumBlockSize + BlockCache.WorkspaceBytes(cacheBlocks, MaximumBlockSize);

        /// <summary>
        /// Mounts the file system on 'device' using 'workspace' (WorkspaceBytes(n) bytes gives a cache of at least n
        /// blocks; a smaller block size gets more). Read-only when asked, when the device is, or when the image has a
        /// feature this library cannot keep consistent. Refused (NotSupported) when it has an incompatible feature this
        /// library does not know or a journal that needs recovery; Invalid when it is no ext2/3/4 file system;
        /// Corrupted or ChecksumMismatch when its metadata is damaged. A writable mount marks the disk not clean until
        /// <see cref="Unmount"/>.
        /// </summary>
        public static Error Mount(IBlockDevice device, byte* workspace, ulong workspaceLength, bool readOnly, IClock clock, out ExtFileSystem fileSystem)
        {
            fileSystem = null;
            uint sectorSize = device.SectorSize;
            if (sectorSize < 512 || sectorSize > 4096 || (sectorSize & (sectorSize - 1)) != 0)
                return Error.Invalid;
            if (workspaceLength < Superblock.Length + MaximumBlockSize)
                return Error.OutOfMemory;
            var system = new ExtFileSystem(device);
            Error error = system.Start(workspace, workspaceLength, readOnly || device.IsReadOnly, clock);
            if (error != Error.None)
                return error;
            fileSystem = system;
            return Error.None;
        }

        private Error Start(byte* workspace, ulong workspaceLength, bool readOnly, IClock clock)
        {
            _clock = clock;
            byte* superblockCopy = workspace;
            _scratch = workspace + Superblock.Length;
            byte* cacheMemory = _scratch + MaximumBlockSize;
            ulong cacheBytes = workspaceLength - (ulong)(cacheMemory - workspace);

            // The superblock is the 1024 bytes at byte 1024, whatever the block and sector sizes.
            uint sectorSize = _device.SectorSize;
            if (_device.SectorCount * sectorSize < 2048)
                return Error.Invalid;
            ulong firstSector = 1024 / sectorSize;
            uint sectors = (2048 + sectorSize - 1) / sectorSize - (uint)firstSector;
            Error error = _device.Read(firstSector, sectors, _scratch);
            if (error != Error.None)
                return error;
            for (uint i = 0; i < Superblock.Length; i++)
                superblockCopy[i] = _scratch[1024 - firstSector * sectorSize + i];
            _superblock = new Superblock(superblockCopy);

            error = CheckSuperblock(ref readOnly);
            if (error != Error.None)
                return error;
            if (_blockSize % sectorSize != 0)
                return Error.Invalid;
            ulong slots = cacheBytes / (_blockSize + (ulong)BlockCache.SlotOverhead);
            int capacity = (int)(slots > 1 << 20 ? 1 << 20 : slots);
            if (capacity < BlockCache.MinimumCapacity)
                return Error.OutOfMemory;
            _cache = new BlockCache(_device, _blockSize, capacity, cacheMemory);
            if (_cache.DeviceBlocks < _blocksCount)
                return Error.Invalid;
            _readOnly = readOnly;
            error = CheckGroupDescriptors();
            if (error != Error.None || readOnly)
                return error;
            // Marked not clean on the disk while mounted for writing (as Linux does): a crash before Unmount leaves
            // an image that e2fsck and Linux know to check.
            _stateAtMount = _superblock.State;
            _superblock.State = (ushort)(_stateAtMount & ~Superblock.StateClean);
            return Sync();
        }

        /// <summary>Writes everything and gives the superblock back the state it had at mount (clean, normally).</summary>
        public Error Unmount()
        {
            if (_readOnly)
                return Error.None;
            _superblock.State = _stateAtMount;
            Error error = Sync();
            _readOnly = true;   // no change after this: the disk says clean
            return error;
        }

        private Error CheckSuperblock(ref bool readOnly)
        {
            Superblock sb = _superblock;
            if (sb.Magic != Superblock.MagicNumber)
                return Error.Invalid;
            if (sb.RevisionLevel > 1 || sb.LogBlockSize > 6 || sb.LogClusterSize != sb.LogBlockSize)
                return Error.Invalid;
            _metadataChecksums = sb.HasMetadataChecksums;
            if (_metadataChecksums)
            {
                if (sb.ChecksumType != 1)
                    return Error.NotSupported;
                if (SuperblockChecksum() != sb.Checksum)
                    return ExtErrors.ChecksumMismatch;
            }
            uint incompatible = sb.FeatureIncompat;
            if ((incompatible & ExtFeatures.IncompatRecover) != 0)
                return Error.NotSupported;   // a journal to replay first: reading past it would see stale metadata
            if ((incompatible & ~ExtFeatures.SupportedIncompatible) != 0)
                return Error.NotSupported;
            if ((sb.FeatureReadOnlyCompat & ~ExtFeatures.SupportedReadOnlyCompatible) != 0
                || (sb.FeatureCompat & ExtFeatures.CompatibleNeedingCare) != 0 || sb.LastOrphan != 0)
                readOnly = true;

            _blockSize = 1024u << (int)sb.LogBlockSize;
            _blocksCount = sb.BlocksCount;
            _blocksPerGroup = sb.BlocksPerGroup;
            _inodesPerGroup = sb.InodesPerGroup;
            _inodeSize = sb.InodeSize;
            if (_blocksPerGroup == 0 || _blocksPerGroup > 8 * _blockSize || sb.ClustersPerGroup != _blocksPerGroup)
                return ExtErrors.Corrupted;
            if (_inodesPerGroup == 0 || _inodesPerGroup > 8 * _blockSize || _inodesPerGroup % 8 != 0)
                return ExtErrors.Corrupted;
            if (_inodeSize < Inode.GoodOldSize || _inodeSize > _blockSize || (_inodeSize & (_inodeSize - 1)) != 0)
                return ExtErrors.Corrupted;
            if (_inodeSize > Inode.MaximumRecordSize)
                return Error.NotSupported;
            if (sb.FirstDataBlock != (_blockSize == 1024 ? 1u : 0u) || _blocksCount <= sb.FirstDataBlock)
                return ExtErrors.Corrupted;
            ulong groups = (_blocksCount - sb.FirstDataBlock + _blocksPerGroup - 1) / _blocksPerGroup;
            if (groups == 0 || groups > uint.MaxValue || (ulong)sb.InodesCount != groups * _inodesPerGroup)
                return ExtErrors.Corrupted;
            if (sb.FirstInode < 11 || sb.FirstInode >= sb.InodesCount)
                return ExtErrors.Corrupted;
            _groupCount = (uint)groups;
            _descriptorSize = 32;
            if (sb.Is64Bit)
            {
                _descriptorSize = sb.DescriptorSizeField;
                if (_descriptorSize < 64 || _descriptorSize > 1024 || (_descriptorSize & (_descriptorSize - 1)) != 0)
                    return ExtErrors.Corrupted;
            }
            else if (_blocksCount > uint.MaxValue)
                return ExtErrors.Corrupted;
            if (_metadataChecksums)
                _checksumSeed = (incompatible & ExtFeatures.IncompatChecksumSeed) != 0
                    ? sb.ChecksumSeedField : Crc32c.Update(~0u, sb.Uuid, 16);
            _groupChecksums = _metadataChecksums || (sb.FeatureReadOnlyCompat & ExtFeatures.ReadOnlyGroupDescriptorChecksum) != 0;
            return Error.None;
        }

        private uint SuperblockChecksum() => Crc32c.Update(~0u, _superblock.Raw, Superblock.ChecksumOffset);

        private ulong InodeTableBlocks => ((ulong)_inodesPerGroup * _inodeSize + _blockSize - 1) / _blockSize;

        private Error CheckGroupDescriptors()
        {
            for (uint group = 0; group < _groupCount; group++)
            {
                Error error = Descriptor(group, out byte* descriptor);
                if (error != Error.None)
                    return error;
                if (_groupChecksums && *(ushort*)(descriptor + 0x1E) != DescriptorChecksum(group, descriptor))
                    return ExtErrors.ChecksumMismatch;
                ulong blockBitmap = DescriptorBlockBitmap(descriptor), inodeBitmap = DescriptorInodeBitmap(descriptor);
                ulong inodeTable = DescriptorInodeTable(descriptor);
                if (!IsMetadataBlock(blockBitmap) || !IsMetadataBlock(inodeBitmap) || !IsMetadataBlock(inodeTable)
                    || inodeTable + InodeTableBlocks > _blocksCount)
                    return ExtErrors.Corrupted;
            }
            return Error.None;
        }

        private bool IsMetadataBlock(ulong block) => block > _superblock.FirstDataBlock && block < _blocksCount;

        /// <summary>A block number a file may use: inside the file system and past the boot/superblock area.</summary>
        private bool IsDataBlock(ulong block) => block > _superblock.FirstDataBlock && block < _blocksCount;

        // ---- group descriptors ----

        private Error Descriptor(uint group, out byte* descriptor)
        {
            descriptor = null;
            if (group >= _groupCount)
                return ExtErrors.Corrupted;
            ulong offset = (ulong)group * _descriptorSize;
            ulong block = _superblock.FirstDataBlock + 1 + offset / _blockSize;
            Error error = _cache.Get(block, out byte* data);
            if (error != Error.None)
                return error;
            descriptor = data + offset % _blockSize;
            return Error.None;
        }

        private ulong DescriptorField32(byte* descriptor, int low, int high) =>
            *(uint*)(descriptor + low) | (_descriptorSize >= 64 ? (ulong)*(uint*)(descriptor + high) << 32 : 0);

        private uint DescriptorField16(byte* descriptor, int low, int high) =>
            *(ushort*)(descriptor + low) | (_descriptorSize >= 64 ? (uint)*(ushort*)(descriptor + high) << 16 : 0);

        private void SetDescriptorField16(byte* descriptor, int low, int high, uint value)
        {
            *(ushort*)(descriptor + low) = (ushort)value;
            if (_descriptorSize >= 64)
                *(ushort*)(descriptor + high) = (ushort)(value >> 16);
        }

        private ulong DescriptorBlockBitmap(byte* d) => DescriptorField32(d, 0x0, 0x20);
        private ulong DescriptorInodeBitmap(byte* d) => DescriptorField32(d, 0x4, 0x24);
        private ulong DescriptorInodeTable(byte* d) => DescriptorField32(d, 0x8, 0x28);
        private uint DescriptorFreeBlocks(byte* d) => DescriptorField16(d, 0xC, 0x2C);
        private uint DescriptorFreeInodes(byte* d) => DescriptorField16(d, 0xE, 0x2E);
        private uint DescriptorUsedDirectories(byte* d) => DescriptorField16(d, 0x10, 0x30);
        private uint DescriptorUnusedInodes(byte* d) => DescriptorField16(d, 0x1C, 0x32);
        private static ushort DescriptorFlags(byte* d) => *(ushort*)(d + 0x12);

        public const ushort GroupInodesUninitialised = 1, GroupBlocksUninitialised = 2, GroupInodeTableZeroed = 4;

        private ushort DescriptorChecksum(uint group, byte* descriptor)
        {
            if (!_metadataChecksums)
                return LegacyDescriptorChecksum(group, descriptor);
            uint crc = Crc32c.UpdateWord(_checksumSeed, group);
            crc = Crc32c.Update(crc, descriptor, 0x1E);
            ushort zero = 0;
            crc = Crc32c.Update(crc, (byte*)&zero, 2);
            if (_descriptorSize > 0x20)
                crc = Crc32c.Update(crc, descriptor + 0x20, (int)_descriptorSize - 0x20);
            return (ushort)crc;
        }

        /// <summary>uninit_bg's descriptor checksum without metadata_csum: CRC16 over the uuid, the group number and the descriptor.</summary>
        private ushort LegacyDescriptorChecksum(uint group, byte* descriptor)
        {
            ushort crc = Crc16.Update(0xFFFF, _superblock.Uuid, 16);
            crc = Crc16.Update(crc, (byte*)&group, 4);
            crc = Crc16.Update(crc, descriptor, 0x1E);
            if (_superblock.Is64Bit && _descriptorSize > 0x20)
                crc = Crc16.Update(crc, descriptor + 0x20, (int)_descriptorSize - 0x20);
            return crc;
        }

        /// <summary>After a change to a descriptor: its checksum again, and its block dirty.</summary>
        private void SealDescriptor(uint group, byte* descriptor)
        {
            if (_groupChecksums)
                *(ushort*)(descriptor + 0x1E) = DescriptorChecksum(group, descriptor);
            _cache.MarkDirty(descriptor);
        }

        /// <summary>The superblock copy written into its block (with its checksum); it reaches the disk with the cache.</summary>
        private Error WriteSuperblock()
        {
            if (_metadataChecksums)
                _superblock.Checksum = SuperblockChecksum();
            ulong block = 1024 / _blockSize;
            Error error = _cache.Get(block, out byte* data);
            if (error != Error.None)
                return error;
            byte* at = data + 1024 % _blockSize;
            // Unchanged (an overwrite, a sync with nothing new): not dirtied, so not written again at every change.
            if (ByteCopy.Same(at, _superblock.Raw, Superblock.Length))
                return Error.None;
            ByteCopy.Copy(_superblock.Raw, at, Superblock.Length);
            _cache.MarkDirty(data);
            return Error.None;
        }

        // ---- inodes ----

        private uint InodeChecksumSeed(uint number, uint generation) =>
            Crc32c.UpdateWord(Crc32c.UpdateWord(_checksumSeed, number), generation);

        private uint InodeChecksum(Inode* inode)
        {
            byte* raw = inode->Raw;
            ushort low = *(ushort*)(raw + Inode.ChecksumLowOffset);
            *(ushort*)(raw + Inode.ChecksumLowOffset) = 0;
            bool hasHigh = inode->RecordSize > Inode.GoodOldSize && inode->Fits(Inode.ChecksumHighOffset + 2);
            ushort high = hasHigh ? *(ushort*)(raw + Inode.ChecksumHighOffset) : (ushort)0;
            if (hasHigh)
                *(ushort*)(raw + Inode.ChecksumHighOffset) = 0;
            uint crc = Crc32c.Update(InodeChecksumSeed(inode->Number, inode->Generation), raw, (int)inode->RecordSize);
            *(ushort*)(raw + Inode.ChecksumLowOffset) = low;
            if (hasHigh)
                *(ushort*)(raw + Inode.ChecksumHighOffset) = high;
            return hasHigh ? crc : crc & 0xFFFF;
        }

        private uint StoredInodeChecksum(Inode* inode)
        {
            byte* raw = inode->Raw;
            uint value = *(ushort*)(raw + Inode.ChecksumLowOffset);
            if (inode->RecordSize > Inode.GoodOldSize && inode->Fits(Inode.ChecksumHighOffset + 2))
                value |= (uint)*(ushort*)(raw + Inode.ChecksumHighOffset) << 16;
            return value;
        }

        private bool IsValidInodeNumber(uint number) => number >= 1 && number <= _superblock.InodesCount;

        private Error InodeLocation(uint number, out ulong block, out uint offset)
        {
            block = 0;
            offset = 0;
            if (!IsValidInodeNumber(number))
                return ExtErrors.Corrupted;
            uint group = (number - 1) / _inodesPerGroup, index = (number - 1) % _inodesPerGroup;
            Error error = Descriptor(group, out byte* descriptor);
            if (error != Error.None)
                return error;
            ulong byteOffset = (ulong)index * _inodeSize;
            block = DescriptorInodeTable(descriptor) + byteOffset / _blockSize;
            offset = (uint)(byteOffset % _blockSize);
            return block < _blocksCount ? Error.None : ExtErrors.Corrupted;
        }

        /// <summary>Copies inode 'number' out of its table, checking its checksum (an inode in use is expected).</summary>
        public Error ReadInode(uint number, Inode* inode)
        {
            Error error = InodeLocation(number, out ulong block, out uint offset);
            if (error != Error.None)
                return error;
            error = _cache.Get(block, out byte* data);
            if (error != Error.None)
                return error;
            inode->Number = number;
            inode->RecordSize = _inodeSize;
            ByteCopy.Copy(data + offset, inode->Raw, _inodeSize);
            if (_inodeSize > Inode.GoodOldSize && Inode.GoodOldSize + inode->ExtraSize > _inodeSize)
                return ExtErrors.Corrupted;
            if (_metadataChecksums && InodeChecksum(inode) != StoredInodeChecksum(inode))
                return ExtErrors.ChecksumMismatch;
            return Error.None;
        }

        /// <summary>Writes the inode back into its table, with its checksum.</summary>
        public Error WriteInode(Inode* inode)
        {
            if (_readOnly)
                return Error.ReadOnlyFileSystem;
            Error error = InodeLocation(inode->Number, out ulong block, out uint offset);
            if (error != Error.None)
                return error;
            byte* raw = inode->Raw;
            if (_metadataChecksums)
            {
                uint checksum = InodeChecksum(inode);
                *(ushort*)(raw + Inode.ChecksumLowOffset) = (ushort)checksum;
                if (inode->RecordSize > Inode.GoodOldSize && inode->Fits(Inode.ChecksumHighOffset + 2))
                    *(ushort*)(raw + Inode.ChecksumHighOffset) = (ushort)(checksum >> 16);
            }
            error = _cache.Get(block, out byte* data);
            if (error != Error.None)
                return error;
            ByteCopy.Copy(raw, data + offset, _inodeSize);
            _cache.MarkDirty(data);
            return Error.None;
        }

        private void Now(out long seconds, out uint nanoseconds)
        {
            seconds = 0;
            nanoseconds = 0;
            if (_clock != null)
                _clock.Now(out seconds, out nanoseconds);
        }

        /// <summary>Sets the named times of the inode to now (change time always).</summary>
        private void Touch(Inode* inode, bool modified, bool accessed)
        {
            Now(out long seconds, out uint nanoseconds);
            inode->SetTime(Inode.ChangeTime, seconds, nanoseconds);
            if (modified)
                inode->SetTime(Inode.ModificationTime, seconds, nanoseconds);
            if (accessed)
                inode->SetTime(Inode.AccessTime, seconds, nanoseconds);
        }

        /// <summary>Writes everything changed to the device and flushes it.</summary>
        public Error Sync()
        {
            if (_readOnly)
                return Error.None;
            Error error = WriteSuperblock();
            return error != Error.None ? error : _cache.Flush();
        }
    }
}
