using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// Directory blocks: linked entries {inode, record length, name length, file type, name} filling each block, and
    /// with metadata_csum a 12-byte tail entry holding the block's crc32c. Every block is checked before use (record
    /// lengths inside the block, aligned, long enough for their names). An htree (dir_index) directory is read as the
    /// linear directory it also is; before its first change its index is dropped (flag cleared, index blocks given
    /// tails as empty leaf blocks), which e2fsck accepts.
    /// </summary>
    public sealed unsafe partial class ExtFileSystem
    {
        private const int TailLength = 12;
        private const byte TailType = 0xDE;

        private static int EntryNameLength(byte* entry, bool fileType) => fileType ? entry[6] : *(ushort*)(entry + 6);

        private int RecordLength(byte* entry)
        {
            int length = *(ushort*)(entry + 4);
            if (_blockSize >= 65536 && (length == 65535 || length == 0))
                return 65536;
            return length;
        }

        private void SetRecordLength(byte* entry, int length) =>
            *(ushort*)(entry + 4) = length >= 65536 ? (ushort)65535 : (ushort)length;

        private static int EntrySize(int nameLength) => (8 + nameLength + 3) & ~3;

        private bool HasTail(byte* block)
        {
            byte* tail = block + _blockSize - TailLength;
            return _metadataChecksums && *(uint*)tail == 0 && *(ushort*)(tail + 4) == TailLength && tail[6] == 0 && tail[7] == TailType;
        }

        private uint DirectoryBlockChecksum(Inode* directory, byte* block) =>
            Crc32c.Update(InodeChecksumSeed(directory->Number, directory->Generation), block, (int)_blockSize - TailLength);

        private void SealDirectoryBlock(Inode* directory, byte* block)
        {
            if (HasTail(block))
            {
                *(uint*)(block + _blockSize - 4) = DirectoryBlockChecksum(directory, block);
                _cache.MarkChecked(block);
            }
            _cache.MarkDirty(block);
        }

        /// <summary>Logical block 'index' of the directory, checked; 'limit' is where its entries end (before a tail).</summary>
        private Error DirectoryBlock(Inode* directory, ulong index, out byte* block, out int limit)
        {
            block = null;
            limit = 0;
            Error error = MapBlock(directory, index, false, out ulong physical);
            if (error != Error.None)
                return error;
            if (physical == 0)
                return ExtErrors.Corrupted;   // directories have no holes
            error = _cache.Get(physical, out block);
            if (error != Error.None)
                return error;
            limit = (int)_blockSize;
            if (HasTail(block))
            {
                limit -= TailLength;
                if (!_cache.IsChecked(block))
                {
                    if (*(uint*)(block + _blockSize - 4) != DirectoryBlockChecksum(directory, block))
                        return ExtErrors.ChecksumMismatch;
                    _cache.MarkChecked(block);
                }
            }
            bool fileType = _superblock.HasFileType;
            for (int offset = 0; offset < limit;)
            {
                if (limit - offset < 8)
                    return ExtErrors.Corrupted;
                byte* entry = block + offset;
                int length = RecordLength(entry);
                int nameLength = EntryNameLength(entry, fileType);
                if (length < 12 || (length & 3) != 0 || length > limit - offset || nameLength > 255 || EntrySize(nameLength) > length)
                    return ExtErrors.Corrupted;
                offset += length;
            }
            return Error.None;
        }

        private ulong DirectoryBlocks(Inode* directory) => directory->Size / _blockSize;

        private static bool SameName(byte* entry, int entryNameLength, byte* name, int length)
        {
            if (entryNameLength != length)
                return false;
            for (int i = 0; i < length; i++)
                if (entry[8 + i] != name[i])
                    return false;
            return true;
        }

        /// <summary>Finds 'name' in the directory: the inode it names, where its entry is (block, offset) and the entry before it in the block (-1 if first).</summary>
        private Error FindName(Inode* directory, byte* name, int length, out uint child, out ulong blockIndex, out int offset, out int previous)
        {
            child = 0;
            blockIndex = 0;
            offset = 0;
            previous = -1;
            bool fileType = _superblock.HasFileType;
            ulong blocks = DirectoryBlocks(directory);
            for (ulong index = 0; index < blocks; index++)
            {
                Error error = DirectoryBlock(directory, index, out byte* block, out int limit);
                if (error != Error.None)
                    return error;
                int last = -1;
                for (int at = 0; at < limit; at += RecordLength(block + at))
                {
                    byte* entry = block + at;
                    uint number = *(uint*)entry;
                    if (number != 0 && SameName(entry, EntryNameLength(entry, fileType), name, length))
                    {
                        if (!IsValidInodeNumber(number))
                            return ExtErrors.Corrupted;
                        child = number;
                        blockIndex = index;
                        offset = at;
                        previous = last;
                        return Error.None;
                    }
                    last = at;
                }
            }
            return Error.NotFound;
        }

        /// <summary>The first entry in use at or after byte position 'position' (for readdir); 'end' when there is none.</summary>
        private Error EntryAt(Inode* directory, ulong position, DirectoryEntry* result, out bool end)
        {
            end = false;
            bool fileType = _superblock.HasFileType;
            ulong blocks = DirectoryBlocks(directory);
            for (ulong index = position / _blockSize; index < blocks; index++)
            {
                Error error = DirectoryBlock(directory, index, out byte* block, out int limit);
                if (error != Error.None)
                    return error;
                for (int at = 0; at < limit; at += RecordLength(block + at))
                {
                    ulong here = index * _blockSize + (ulong)at;
                    byte* entry = block + at;
                    uint number = *(uint*)entry;
                    if (here < position || number == 0)
                        continue;
                    if (!IsValidInodeNumber(number))
                        return ExtErrors.Corrupted;
                    int nameLength = EntryNameLength(entry, fileType);
                    result->Inode = number;
                    result->Type = fileType ? entry[7] : DirectoryEntry.TypeUnknown;
                    result->NameLength = nameLength;
                    for (int i = 0; i < nameLength; i++)
                        result->Name[i] = entry[8 + i];
                    result->Name[nameLength] = 0;
                    result->Position = here;
                    result->NextPosition = here + (ulong)RecordLength(entry);
                    return Error.None;
                }
            }
            end = true;
            return Error.None;
        }

        private void WriteEntry(byte* entry, uint number, int recordLength, byte* name, int length, byte type)
        {
            *(uint*)entry = number;
            SetRecordLength(entry, recordLength);
            if (_superblock.HasFileType)
            {
                entry[6] = (byte)length;
                entry[7] = type;
            }
            else
                *(ushort*)(entry + 6) = (ushort)length;
            for (int i = 0; i < length; i++)
                entry[8 + i] = name[i];
        }

        /// <summary>Drops an htree index so the directory can change as a linear one: every block without its checksum tail gets one.</summary>
        private Error DropIndex(Inode* directory)
        {
            if ((directory->Flags & Inode.FlagIndex) == 0)
                return Error.None;
            if (_metadataChecksums)
            {
                bool fileType = _superblock.HasFileType;
                ulong blocks = DirectoryBlocks(directory);
                for (ulong index = 0; index < blocks; index++)
                {
                    Error error = DirectoryBlock(directory, index, out byte* block, out int limit);
                    if (error != Error.None)
                        return error;
                    if (limit != _blockSize)
                        continue;
                    int last = 0;
                    for (int at = 0; at < limit; at += RecordLength(block + at))
                        last = at;
                    byte* entry = block + last;
                    if (RecordLength(entry) - EntrySize(EntryNameLength(entry, fileType)) < TailLength)
                        return ExtErrors.Corrupted;
                    SetRecordLength(entry, RecordLength(entry) - TailLength);
                    byte* tail = block + _blockSize - TailLength;
                    for (int i = 0; i < TailLength; i++)
                        tail[i] = 0;
                    *(ushort*)(tail + 4) = TailLength;
                    tail[7] = TailType;
                    SealDirectoryBlock(directory, block);
                }
            }
            directory->Flags = directory->Flags & ~Inode.FlagIndex;
            return Error.None;
        }

        /// <summary>Adds the entry 'name' -> 'child' (the directory inode changes: the caller writes it).</summary>
        private Error AddEntry(Inode* directory, byte* name, int length, uint child, byte type)
        {
            Error error = DropIndex(directory);
            if (error != Error.None)
                return error;
            bool fileType = _superblock.HasFileType;
            int needed = EntrySize(length);
            ulong blocks = DirectoryBlocks(directory);
            for (ulong index = 0; index < blocks; index++)
            {
                error = DirectoryBlock(directory, index, out byte* block, out int limit);
                if (error != Error.None)
                    return error;
                for (int at = 0; at < limit; at += RecordLength(block + at))
                {
                    byte* entry = block + at;
                    int recordLength = RecordLength(entry);
                    if (*(uint*)entry == 0 && recordLength >= needed)
                    {
                        WriteEntry(entry, child, recordLength, name, length, type);
                        SealDirectoryBlock(directory, block);
                        return Error.None;
                    }
                    int used = EntrySize(EntryNameLength(entry, fileType));
                    if (*(uint*)entry != 0 && recordLength - used >= needed)
                    {
                        SetRecordLength(entry, used);
                        WriteEntry(block + at + used, child, recordLength - used, name, length, type);
                        SealDirectoryBlock(directory, block);
                        return Error.None;
                    }
                }
            }
            // A new block at the end, holding only this entry (and the tail).
            if (blocks >= uint.MaxValue)
                return Error.FileTooLarge;
            error = MapBlock(directory, blocks, true, out ulong physical);
            if (error != Error.None)
                return error;
            error = _cache.GetZeroed(physical, out byte* fresh);
            if (error != Error.None)
                return error;
            InitialiseDirectoryBlock(fresh);
            WriteEntry(fresh, child, (int)_blockSize - (_metadataChecksums ? TailLength : 0), name, length, type);
            SealDirectoryBlock(directory, fresh);
            directory->Size = (blocks + 1) * _blockSize;
            return Error.None;
        }

        /// <summary>A zeroed block as an empty directory block: one unused entry over it all, and the tail with metadata_csum.</summary>
        private void InitialiseDirectoryBlock(byte* block)
        {
            int limit = (int)_blockSize;
            if (_metadataChecksums)
            {
                limit -= TailLength;
                byte* tail = block + limit;
                *(ushort*)(tail + 4) = TailLength;
                tail[7] = TailType;
            }
            SetRecordLength(block, limit);
        }

        /// <summary>Removes the entry found by FindName (the directory inode changes only by DropIndex: the caller writes it).</summary>
        private Error RemoveEntryAt(Inode* directory, ulong blockIndex, int offset, int previous)
        {
            Error error = DropIndex(directory);
            if (error != Error.None)
                return error;
            error = DirectoryBlock(directory, blockIndex, out byte* block, out _);
            if (error != Error.None)
                return error;
            byte* entry = block + offset;
            if (previous >= 0)
                SetRecordLength(block + previous, RecordLength(block + previous) + RecordLength(entry));
            else
                *(uint*)entry = 0;
            SealDirectoryBlock(directory, block);
            return Error.None;
        }

        /// <summary>Points the entry at (block, offset) to another inode.</summary>
        private Error RetargetEntryAt(Inode* directory, ulong blockIndex, int offset, uint child, byte type)
        {
            Error error = DirectoryBlock(directory, blockIndex, out byte* block, out _);
            if (error != Error.None)
                return error;
            *(uint*)(block + offset) = child;
            if (_superblock.HasFileType)
                block[offset + 7] = type;
            SealDirectoryBlock(directory, block);
            return Error.None;
        }

        /// <summary>Whether the directory holds nothing but "." and "..".</summary>
        private Error IsEmptyDirectory(Inode* directory, out bool empty)
        {
            empty = false;
            bool fileType = _superblock.HasFileType;
            ulong blocks = DirectoryBlocks(directory);
            for (ulong index = 0; index < blocks; index++)
            {
                Error error = DirectoryBlock(directory, index, out byte* block, out int limit);
                if (error != Error.None)
                    return error;
                for (int at = 0; at < limit; at += RecordLength(block + at))
                {
                    byte* entry = block + at;
                    if (*(uint*)entry == 0)
                        continue;
                    int nameLength = EntryNameLength(entry, fileType);
                    bool dot = nameLength == 1 && entry[8] == '.' || nameLength == 2 && entry[8] == '.' && entry[9] == '.';
                    if (!dot)
                        return Error.None;
                }
            }
            empty = true;
            return Error.None;
        }
    }
}
