using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// The operations the file system protocol needs, by inode number: lookup, attributes, directory listing, read and
    /// write, creation of files, directories, symbolic links and hard links, removal, rename, attribute changes
    /// (mode, owner, times, truncation), statfs and sync. Each changing operation writes the inodes, bitmaps,
    /// descriptors and superblock it touched (into the cache; Sync flushes), so that e2fsck finds the image clean.
    /// Permission checks are the caller's (the kernel's VFS checks them against the attributes).
    /// </summary>
    public sealed unsafe partial class ExtFileSystem
    {
        private const uint MaximumLinks = 65000;
        private uint _generation;

        private static Error CheckName(byte* name, int length)
        {
            if (length < 1)
                return Error.Invalid;
            if (length > DirectoryEntry.MaximumNameLength)
                return Error.NameTooLong;
            for (int i = 0; i < length; i++)
                if (name[i] == '/' || name[i] == 0)
                    return Error.Invalid;
            return Error.None;
        }

        private static bool IsDotOrDotDot(byte* name, int length) =>
            length == 1 && name[0] == '.' || length == 2 && name[0] == '.' && name[1] == '.';

        /// <summary>An inode in use that this library can handle (not deleted, not encrypted, not inline data).</summary>
        private Error LoadInode(uint number, Inode* inode)
        {
            Error error = ReadInode(number, inode);
            if (error != Error.None)
                return error;
            if (inode->LinkCount == 0 || inode->Mode == 0)
                return Error.StaleHandle;
            if ((inode->Flags & (Inode.FlagEncrypted | Inode.FlagInlineData)) != 0)
                return Error.NotSupported;
            if ((inode->Flags & Inode.FlagExtents) != 0 && !_superblock.HasExtents)
                return ExtErrors.Corrupted;
            return Error.None;
        }

        private Error LoadDirectory(uint number, Inode* inode)
        {
            Error error = LoadInode(number, inode);
            if (error != Error.None)
                return error;
            if (!inode->IsDirectory)
                return Error.NotADirectory;
            // Directories have no holes: more bytes than blocks held (or than the file system has) is a damaged inode,
            // refused before a scan could walk billions of blocks.
            ulong blocks = inode->Size / _blockSize;
            ulong held = (inode->Flags & Inode.FlagHugeFile) != 0 ? inode->RawBlockCount : inode->RawBlockCount * 512 / _blockSize;
            if (inode->Size % _blockSize != 0 || blocks > held || blocks > _blocksCount)
                return ExtErrors.Corrupted;
            return Error.None;
        }

        private Error Writable() => _readOnly ? Error.ReadOnlyFileSystem : Error.None;

        public Error Lookup(uint directory, byte* name, int length, out uint found)
        {
            found = 0;
            Error error = CheckName(name, length);
            if (error != Error.None)
                return error;
            Inode dir;
            error = LoadDirectory(directory, &dir);
            if (error != Error.None)
                return error;
            return FindName(&dir, name, length, out found, out _, out _, out _);
        }

        public Error GetAttributes(uint node, out ExtAttributes attributes)
        {
            attributes = default;
            Inode inode;
            Error error = ReadInode(node, &inode);
            if (error != Error.None)
                return error;
            if (inode.LinkCount == 0 || inode.Mode == 0)
                return Error.StaleHandle;
            attributes.Inode = node;
            attributes.Mode = inode.Mode;
            attributes.LinkCount = inode.LinkCount;
            attributes.UserId = inode.UserId;
            attributes.GroupId = inode.GroupId;
            attributes.Size = inode.Size;
            attributes.Blocks = (inode.Flags & Inode.FlagHugeFile) != 0 ? inode.RawBlockCount * (_blockSize / 512) : inode.RawBlockCount;
            inode.GetTime(Inode.AccessTime, out attributes.AccessedSeconds, out attributes.AccessedNanoseconds);
            inode.GetTime(Inode.ModificationTime, out attributes.ModifiedSeconds, out attributes.ModifiedNanoseconds);
            inode.GetTime(Inode.ChangeTime, out attributes.ChangedSeconds, out attributes.ChangedNanoseconds);
            return Error.None;
        }

        /// <summary>The first entry at or after 'cursor' (0 to start; then the entry's NextPosition), "." and ".." included.</summary>
        public Error ReadDirectory(uint directory, ulong cursor, DirectoryEntry* entry, out bool end)
        {
            end = true;
            Inode dir;
            Error error = LoadDirectory(directory, &dir);
            if (error != Error.None)
                return error;
            return EntryAt(&dir, cursor, entry, out end);
        }

        /// <summary>A regular file's inode (a directory is EISDIR, anything else EINVAL).</summary>
        private Error LoadRegularFile(uint node, Inode* inode)
        {
            Error error = LoadInode(node, inode);
            if (error != Error.None)
                return error;
            return inode->IsDirectory ? Error.IsADirectory : inode->IsRegular ? Error.None : Error.Invalid;
        }

        /// <summary>The part of a transfer at 'position' inside one block: where it starts in the block and how many bytes.</summary>
        private uint Piece(ulong position, uint remaining, out uint within)
        {
            within = (uint)(position % _blockSize);
            uint piece = _blockSize - within;
            return piece < remaining ? piece : remaining;
        }

        /// <summary>The most bytes one device read of a file read carries (a ringfs read's most is 1 MiB, extfs's read
        /// window): counted in bytes, so that 1 KiB blocks (mke2fs's choice for small disks) do not make four device
        /// waits of one.</summary>
        private const uint MaximumReadRunBytes = 1024 * 1024;

        public Error Read(uint node, ulong offset, byte* buffer, uint count, out uint done)
        {
            done = 0;
            Inode inode;
            Error error = LoadRegularFile(node, &inode);
            if (error != Error.None)
                return error;
            ulong size = inode.Size;
            if (offset >= size)
                return Error.None;
            if (count > size - offset)
                count = (uint)(size - offset);
            while (done < count)
            {
                ulong position = offset + done;
                uint piece = Piece(position, count - done, out uint within);
                error = MapRun(&inode, position / _blockSize, out ulong physical, out uint contiguous);
                if (error != Error.None)
                    return done > 0 ? Error.None : error;
                if (physical == 0)
                {
                    ByteCopy.Zero(buffer + done, piece);
                }
                else if (piece == _blockSize && !_cache.Holds(physical))
                {
                    // Whole blocks not cached: the run that follows on the disk in one device request, around the cache.
                    // (A dirty block in the cache is newer than the disk's: the run stops before it.)
                    uint limit = (count - done) / _blockSize;
                    if (limit > MaximumReadRunBytes / _blockSize)
                        limit = MaximumReadRunBytes / _blockSize;
                    uint run = contiguous < limit ? contiguous : limit;   // both at least 1: a mapped block, a whole block left
                    while (run < limit && MapBlock(&inode, position / _blockSize + run, false, out ulong next) == Error.None && next == physical + run)
                        run++;
                    run = 1 + _cache.CleanPrefix(physical + 1, run - 1);
                    error = _cache.ReadAround(physical, run, buffer + done);
                    if (error != Error.None)
                        return done > 0 ? Error.None : error;
                    piece = run * _blockSize;
                }
                else
                {
                    error = _cache.Get(physical, out byte* data);
                    if (error != Error.None)
                        return done > 0 ? Error.None : error;
                    ByteCopy.Copy(data + within, buffer + done, piece);
                }
                done += piece;
            }
            return Error.None;
        }

        public Error Write(uint node, ulong offset, byte* data, uint count, out uint done)
        {
            done = 0;
            Error error = Writable();
            if (error != Error.None)
                return error;
            Inode inode;
            if ((error = LoadRegularFile(node, &inode)) != Error.None)
                return error;
            ulong limit = MaximumFileBlocks(&inode) * _blockSize;
            if (offset >= limit)
                return Error.FileTooLarge;
            if (count > limit - offset)
                count = (uint)(limit - offset);
            while (done < count)
            {
                ulong position = offset + done;
                uint piece = Piece(position, count - done, out uint within);
                ulong logical = position / _blockSize;
                error = MapBlock(&inode, logical, false, out ulong physical);
                byte* block = null;
                if (error == Error.None && physical == 0)
                {
                    error = MapBlock(&inode, logical, true, out physical);
                    if (error == Error.None)
                        error = _cache.GetZeroed(physical, out block);
                }
                else if (error == Error.None)
                    error = piece == _blockSize ? _cache.GetToOverwrite(physical, out block) : _cache.Get(physical, out block);
                if (error != Error.None)
                    break;
                ByteCopy.Copy(data + done, block + within, piece);
                _cache.MarkDirty(block);
                done += piece;
            }
            if (offset + done > inode.Size)
                inode.Size = offset + done;
            if (done > 0)
                Touch(&inode, true, false);
            Error written = FinishFile(&inode);
            if (done > 0)
                return written;
            return error != Error.None ? error : written;
        }

        /// <summary>Writes a regular file's inode after a change, noting large_file in the superblock once a file passes 2 GiB.</summary>
        private Error FinishFile(Inode* inode)
        {
            if (inode->Size > int.MaxValue && (_superblock.FeatureReadOnlyCompat & ExtFeatures.ReadOnlyLargeFile) == 0)
                _superblock.FeatureReadOnlyCompat = _superblock.FeatureReadOnlyCompat | ExtFeatures.ReadOnlyLargeFile;
            Error error = WriteInode(inode);
            Error superblock = WriteSuperblock();
            return error != Error.None ? error : superblock;
        }

        private void NewInode(uint number, uint mode, uint userId, uint groupId, Inode* inode)
        {
            inode->Number = number;
            inode->RecordSize = _inodeSize;
            byte* raw = inode->Raw;
            ByteCopy.Zero(raw, Inode.MaximumRecordSize);   // eight bytes a step: a byte loop was a tenth of file.create_delete
            if (_inodeSize > Inode.GoodOldSize)
            {
                uint extra = _superblock.WantedExtraInodeSize;
                if (extra < 32)
                    extra = 32;
                if (extra > _inodeSize - Inode.GoodOldSize)
                    extra = _inodeSize - Inode.GoodOldSize;
                *(ushort*)(raw + Inode.ExtraSizeOffset) = (ushort)extra;
            }
            inode->Mode = mode;
            inode->UserId = userId;
            inode->GroupId = groupId;
            inode->LinkCount = 1;
            *(uint*)(raw + 0x64) = ++_generation;
            Now(out long seconds, out uint nanoseconds);
            inode->SetTime(Inode.AccessTime, seconds, nanoseconds);
            inode->SetTime(Inode.ChangeTime, seconds, nanoseconds);
            inode->SetTime(Inode.ModificationTime, seconds, nanoseconds);
            inode->SetTime(Inode.CreationTime, seconds, nanoseconds);
        }

        private void UseExtents(Inode* inode)
        {
            if (!_superblock.HasExtents)
                return;
            inode->Flags = inode->Flags | Inode.FlagExtents;
            SetHeader(inode->Raw + Inode.BlockPointersOffset, 0, 4, 0);
        }

        public Error Create(uint directory, byte* name, int length, uint permissions, uint userId, uint groupId, out uint made) =>
            MakeNode(directory, name, length, Inode.TypeRegular | (permissions & 0xFFF), userId, groupId, null, 0, out made);

        public Error MakeDirectory(uint directory, byte* name, int length, uint permissions, uint userId, uint groupId, out uint made) =>
            MakeNode(directory, name, length, Inode.TypeDirectory | (permissions & 0xFFF), userId, groupId, null, 0, out made);

        /// <summary>A symbolic link to 'target' (1 to 4095 bytes, less than a block): in the inode below 60 bytes, else in a block.</summary>
        public Error SymbolicLink(uint directory, byte* name, int length, byte* target, int targetLength, uint userId, uint groupId, out uint made)
        {
            made = 0;
            if (targetLength < 1 || targetLength > 4095 || targetLength >= _blockSize)
                return targetLength < 1 ? Error.NotFound : Error.NameTooLong;
            return MakeNode(directory, name, length, Inode.TypeSymbolicLink | 0x1FF, userId, groupId, target, targetLength, out made);
        }

        private Error MakeNode(uint directory, byte* name, int length, uint mode, uint userId, uint groupId, byte* target, int targetLength, out uint made)
        {
            made = 0;
            Error error = CheckName(name, length);
            if (error != Error.None)
                return error;
            if (IsDotOrDotDot(name, length))
                return Error.AlreadyExists;
            if ((error = Writable()) != Error.None)
                return error;
            Inode dir;
            if ((error = LoadDirectory(directory, &dir)) != Error.None)
                return error;
            error = FindName(&dir, name, length, out _, out _, out _, out _);
            if (error == Error.None)
                return Error.AlreadyExists;
            if (error != Error.NotFound)
                return error;
            bool isDirectory = (mode & Inode.TypeMask) == Inode.TypeDirectory;
            if (isDirectory && dir.LinkCount >= MaximumLinks - 1 && !_superblock.HasDirectoryLinks)
                return Error.TooManyLinks;

            error = AllocateInode((directory - 1) / _inodesPerGroup, isDirectory, out uint number);
            if (error != Error.None)
                return error;
            Inode node;
            NewInode(number, mode, userId, groupId, &node);
            if (isDirectory)
                error = FillNewDirectory(&node, directory);
            else if (target != null && targetLength < Inode.BlockPointersLength)
            {
                for (int i = 0; i < targetLength; i++)
                    node.Raw[Inode.BlockPointersOffset + i] = target[i];
                node.Size = (ulong)targetLength;
            }
            else
            {
                UseExtents(&node);
                if (target != null)
                    error = FillSlowLink(&node, target, targetLength);
            }
            if (error == Error.None)
                error = WriteInode(&node);
            if (error == Error.None)
                error = AddEntry(&dir, name, length, number, DirectoryEntry.TypeOfMode(mode));
            if (error != Error.None)
            {
                FreeBlocksFrom(&node, 0);
                FreeInode(number, isDirectory);
                WriteSuperblock();
                return error;
            }
            if (isDirectory)
                AddDirectoryLink(&dir);
            Touch(&dir, true, false);
            error = WriteInode(&dir);
            if (error == Error.None)
                error = WriteSuperblock();
            made = number;
            return error;
        }

        private Error FillNewDirectory(Inode* node, uint parent)
        {
            UseExtents(node);
            node->LinkCount = 2;
            Error error = MapBlock(node, 0, true, out ulong physical);
            if (error != Error.None)
                return error;
            error = _cache.GetZeroed(physical, out byte* block);
            if (error != Error.None)
                return error;
            InitialiseDirectoryBlock(block);
            int limit = (int)_blockSize - (_metadataChecksums ? TailLength : 0);
            byte dot = (byte)'.';
            byte* dots = stackalloc byte[2];
            dots[0] = dot;
            dots[1] = dot;
            WriteEntry(block, node->Number, 12, dots, 1, DirectoryEntry.TypeDirectory);
            WriteEntry(block + 12, parent, limit - 12, dots, 2, DirectoryEntry.TypeDirectory);
            SealDirectoryBlock(node, block);
            node->Size = _blockSize;
            return Error.None;
        }

        private Error FillSlowLink(Inode* node, byte* target, int targetLength)
        {
            Error error = MapBlock(node, 0, true, out ulong physical);
            if (error != Error.None)
                return error;
            error = _cache.GetZeroed(physical, out byte* block);
            if (error != Error.None)
                return error;
            for (int i = 0; i < targetLength; i++)
                block[i] = target[i];
            node->Size = (ulong)targetLength;
            return Error.None;
        }

        /// <summary>A subdirectory more: the link count grows, or with dir_nlink stays 1 ("many") past the limit.</summary>
        private void AddDirectoryLink(Inode* directory)
        {
            uint links = directory->LinkCount;
            if (links == 1)
                return;
            directory->LinkCount = links + 1 >= MaximumLinks ? 1 : links + 1;
        }

        private static void RemoveDirectoryLink(Inode* directory)
        {
            if (directory->LinkCount > 2)
                directory->LinkCount = directory->LinkCount - 1;
        }

        /// <summary>Whether the inode has data blocks to free (not a fast symbolic link or a device, whose i_block holds no pointers).</summary>
        private bool HasDataBlocks(Inode* inode)
        {
            uint type = inode->Type;
            if (type != Inode.TypeRegular && type != Inode.TypeDirectory && type != Inode.TypeSymbolicLink)
                return false;
            ulong attributeBlocks = inode->ExtendedAttributeBlock != 0 ? _blockSize / 512u : 0u;
            if (type == Inode.TypeSymbolicLink && (inode->Flags & Inode.FlagExtents) == 0)
                return inode->RawBlockCount > attributeBlocks;
            return true;
        }

        /// <summary>Frees an inode whose last link went: its blocks, its extended attribute block's reference, the inode.</summary>
        private Error Release(Inode* inode)
        {
            Error error = Error.None;
            if (HasDataBlocks(inode))
                error = FreeBlocksFrom(inode, 0);
            if (error == Error.None)
                error = ReleaseAttributeBlock(inode);
            if (error != Error.None)
                return error;
            inode->LinkCount = 0;
            inode->Size = 0;
            Now(out long seconds, out _);
            inode->DeletionTime = (uint)seconds != 0 ? (uint)seconds : DeletionTimeWithoutClock;
            error = WriteInode(inode);
            if (error != Error.None)
                return error;
            return FreeInode(inode->Number, inode->IsDirectory);
        }

        /// <summary>
        /// A freed inode's deletion time when there is no clock (extfs has none yet): the superblock's last write time,
        /// at least the inode count. e2fsck takes a deletion time of 0 for an inode never released and one below the
        /// inode count for a link of a broken orphan list (the field is that list's next pointer): both are errors.
        /// </summary>
        private uint DeletionTimeWithoutClock =>
            _superblock.LastWriteTime > _superblock.InodesCount ? _superblock.LastWriteTime : _superblock.InodesCount;

        /// <summary>Drops the inode's reference to its shared extended attribute block (freeing it with the last).</summary>
        private Error ReleaseAttributeBlock(Inode* inode)
        {
            ulong block = inode->ExtendedAttributeBlock;
            if (block == 0)
                return Error.None;
            if (!IsDataBlock(block))
                return ExtErrors.Corrupted;
            Error error = _cache.Get(block, out byte* data);
            if (error != Error.None)
                return error;
            if (*(uint*)data != 0xEA020000)
                return ExtErrors.Corrupted;
            uint references = *(uint*)(data + 4);
            if (references > 1)
            {
                *(uint*)(data + 4) = references - 1;
                if (_metadataChecksums)
                {
                    *(uint*)(data + 0x10) = 0;
                    ulong number = block;
                    uint crc = Crc32c.Update(_checksumSeed, (byte*)&number, 8);
                    *(uint*)(data + 0x10) = Crc32c.Update(crc, data, (int)_blockSize);
                }
                _cache.MarkDirty(data);
            }
            else
            {
                error = ReleaseFileBlock(inode, block);
                if (error != Error.None)
                    return error;
            }
            *(uint*)(inode->Raw + 0x68) = 0;
            *(ushort*)(inode->Raw + 0x76) = 0;
            return Error.None;
        }

        public Error Unlink(uint directory, byte* name, int length) => Remove(directory, name, length, false);

        public Error RemoveDirectory(uint directory, byte* name, int length) => Remove(directory, name, length, true);

        private Error Remove(uint directory, byte* name, int length, bool isDirectory)
        {
            Error error = CheckName(name, length);
            if (error != Error.None)
                return error;
            if (IsDotOrDotDot(name, length))
                return isDirectory ? (length == 1 ? Error.Invalid : Error.NotEmpty) : Error.IsADirectory;
            if ((error = Writable()) != Error.None)
                return error;
            Inode dir, node;
            if ((error = LoadDirectory(directory, &dir)) != Error.None)
                return error;
            error = FindName(&dir, name, length, out uint child, out ulong blockIndex, out int offset, out int previous);
            if (error != Error.None)
                return error;
            if ((error = LoadInode(child, &node)) != Error.None)
                return error;
            if (isDirectory)
            {
                if (!node.IsDirectory)
                    return Error.NotADirectory;
                error = IsEmptyDirectory(&node, out bool empty);
                if (error != Error.None)
                    return error;
                if (!empty)
                    return Error.NotEmpty;
            }
            else if (node.IsDirectory)
                return Error.IsADirectory;
            if ((error = RemoveEntryAt(&dir, blockIndex, offset, previous)) != Error.None)
                return error;
            if (isDirectory)
                RemoveDirectoryLink(&dir);
            Touch(&dir, true, false);
            if ((error = WriteInode(&dir)) != Error.None)
                return error;
            return DropLink(child, isDirectory);
        }

        /// <summary>One link of inode 'number' removed (all of a directory's): written back, or released with the last.</summary>
        private Error DropLink(uint number, bool wholeDirectory)
        {
            Inode node;
            Error error = ReadInode(number, &node);
            if (error != Error.None)
                return error;
            uint links = node.LinkCount;
            node.LinkCount = wholeDirectory || links == 0 ? 0 : links - 1;
            Touch(&node, false, false);
            error = node.LinkCount == 0 ? Release(&node) : WriteInode(&node);
            Error superblock = WriteSuperblock();
            return error != Error.None ? error : superblock;
        }

        public Error Link(uint node, uint directory, byte* name, int length)
        {
            Error error = CheckName(name, length);
            if (error != Error.None)
                return error;
            if (IsDotOrDotDot(name, length))
                return Error.AlreadyExists;
            if ((error = Writable()) != Error.None)
                return error;
            Inode target, dir;
            if ((error = LoadInode(node, &target)) != Error.None)
                return error;
            if (target.IsDirectory)
                return Error.NotPermitted;
            if (target.LinkCount >= MaximumLinks)
                return Error.TooManyLinks;
            if ((error = LoadDirectory(directory, &dir)) != Error.None)
                return error;
            error = FindName(&dir, name, length, out _, out _, out _, out _);
            if (error == Error.None)
                return Error.AlreadyExists;
            if (error != Error.NotFound)
                return error;
            if ((error = AddEntry(&dir, name, length, node, DirectoryEntry.TypeOfMode(target.Mode))) != Error.None)
                return error;
            Touch(&dir, true, false);
            if ((error = WriteInode(&dir)) != Error.None)
                return error;
            if ((error = ReadInode(node, &target)) != Error.None)
                return error;
            target.LinkCount = target.LinkCount + 1;
            Touch(&target, false, false);
            error = WriteInode(&target);
            return error != Error.None ? error : WriteSuperblock();
        }

        /// <summary>Whether directory 'ancestor' is 'directory' or above it (following "..", at most the inode count of steps).</summary>
        private Error IsAncestor(uint ancestor, uint directory, out bool result)
        {
            result = false;
            byte* dotDot = stackalloc byte[2];
            dotDot[0] = (byte)'.';
            dotDot[1] = (byte)'.';
            uint current = directory;
            for (uint steps = 0; steps <= _superblock.InodesCount; steps++)
            {
                if (current == ancestor)
                {
                    result = true;
                    return Error.None;
                }
                if (current == RootInode)
                    return Error.None;
                Inode dir;
                Error error = LoadDirectory(current, &dir);
                if (error != Error.None)
                    return error;
                error = FindName(&dir, dotDot, 2, out current, out _, out _, out _);
                if (error != Error.None)
                    return error == Error.NotFound ? ExtErrors.Corrupted : error;
            }
            return Error.TooManySymbolicLinks;   // a ".." chain that never reaches the root: a loop
        }

        public Error Rename(uint fromDirectory, byte* fromName, int fromLength, uint toDirectory, byte* toName, int toLength)
        {
            Error error = CheckName(fromName, fromLength);
            if (error == Error.None)
                error = CheckName(toName, toLength);
            if (error != Error.None)
                return error;
            if (IsDotOrDotDot(fromName, fromLength) || IsDotOrDotDot(toName, toLength))
                return Error.Invalid;
            if ((error = Writable()) != Error.None)
                return error;
            Inode from, to;
            if ((error = LoadDirectory(fromDirectory, &from)) != Error.None)
                return error;
            if ((error = FindName(&from, fromName, fromLength, out uint source, out _, out _, out _)) != Error.None)
                return error;
            if ((error = ModeOf(source, out uint sourceMode)) != Error.None)
                return error;
            if ((error = LoadDirectory(toDirectory, &to)) != Error.None)
                return error;
            error = FindName(&to, toName, toLength, out uint existing, out ulong existingBlock, out int existingOffset, out _);
            if (error != Error.None && error != Error.NotFound)
                return error;
            if (existing == source)
                return Error.None;   // two names of one inode: rename does nothing
            bool isDirectory = (sourceMode & Inode.TypeMask) == Inode.TypeDirectory, crossing = fromDirectory != toDirectory;
            if (isDirectory && crossing)
            {
                error = IsAncestor(source, toDirectory, out bool inside);
                if (error != Error.None)
                    return error;
                if (inside)
                    return Error.Invalid;
                if (existing == 0 && to.LinkCount >= MaximumLinks - 1 && !_superblock.HasDirectoryLinks)
                    return Error.TooManyLinks;
            }
            bool replacedIsDirectory = false;
            if (existing != 0 && (error = CheckReplaceable(existing, isDirectory, out replacedIsDirectory)) != Error.None)
                return error;

            // The new name first (so the inode is never without one), then the old one goes.
            byte type = DirectoryEntry.TypeOfMode(sourceMode);
            error = existing != 0 ? RetargetEntryAt(&to, existingBlock, existingOffset, source, type) : AddEntry(&to, toName, toLength, source, type);
            if (error != Error.None)
                return error;
            if (isDirectory && crossing && existing == 0)
                AddDirectoryLink(&to);
            Touch(&to, true, false);
            if ((error = WriteInode(&to)) != Error.None)
                return error;

            if ((error = LoadDirectory(fromDirectory, &from)) != Error.None)
                return error;
            error = FindName(&from, fromName, fromLength, out _, out ulong block, out int offset, out int previous);
            if (error == Error.None)
                error = RemoveEntryAt(&from, block, offset, previous);
            if (error != Error.None)
                return error;
            if (isDirectory && crossing)
                RemoveDirectoryLink(&from);
            Touch(&from, true, false);
            if ((error = WriteInode(&from)) != Error.None)
                return error;
            if ((error = FinishMove(source, isDirectory && crossing ? toDirectory : 0)) != Error.None)
                return error;

            if (existing != 0)
            {
                if (replacedIsDirectory)
                {
                    if ((error = LoadDirectory(toDirectory, &to)) != Error.None)
                        return error;
                    RemoveDirectoryLink(&to);
                    if ((error = WriteInode(&to)) != Error.None)
                        return error;
                }
                return DropLink(existing, replacedIsDirectory);
            }
            return WriteSuperblock();
        }

        // Rename's pieces with an inode of their own each: one frame holding four inodes would pass a page, and the
        // core library has no stack probe for frames that large.

        private Error ModeOf(uint number, out uint mode)
        {
            Inode inode;
            Error error = LoadInode(number, &inode);
            mode = error == Error.None ? inode.Mode : 0;
            return error;
        }

        /// <summary>Whether the inode a rename would replace may be (a directory only by a directory, and only empty).</summary>
        private Error CheckReplaceable(uint existing, bool byDirectory, out bool isDirectory)
        {
            Inode replaced;
            Error error = LoadInode(existing, &replaced);
            isDirectory = error == Error.None && replaced.IsDirectory;
            if (error != Error.None)
                return error;
            if (byDirectory && !isDirectory)
                return Error.NotADirectory;
            if (!byDirectory && isDirectory)
                return Error.IsADirectory;
            if (!isDirectory)
                return Error.None;
            error = IsEmptyDirectory(&replaced, out bool empty);
            return error != Error.None ? error : empty ? Error.None : Error.NotEmpty;
        }

        /// <summary>The moved inode's change time, and a directory moved to another parent gets its ".." pointed there.</summary>
        private Error FinishMove(uint source, uint newParent)
        {
            Inode moved;
            Error error = ReadInode(source, &moved);
            if (error != Error.None)
                return error;
            if (newParent != 0)
            {
                byte* dotDot = stackalloc byte[2];
                dotDot[0] = (byte)'.';
                dotDot[1] = (byte)'.';
                error = FindName(&moved, dotDot, 2, out _, out ulong block, out int offset, out _);
                if (error == Error.None)
                    error = RetargetEntryAt(&moved, block, offset, newParent, DirectoryEntry.TypeDirectory);
                if (error != Error.None)
                    return error;
            }
            Touch(&moved, false, false);
            return WriteInode(&moved);
        }

        public Error SetAttributes(uint node, ExtAttributeChange* change)
        {
            Error error = Writable();
            if (error != Error.None)
                return error;
            Inode inode;
            if ((error = LoadInode(node, &inode)) != Error.None)
                return error;
            uint mask = change->Mask;
            if ((mask & ExtAttributeChange.Size) != 0)
            {
                if (inode.IsDirectory)
                    return Error.IsADirectory;   // the same answers as LoadRegularFile's
                if (!inode.IsRegular)
                    return Error.Invalid;
                if ((error = Truncate(&inode, change->NewSize)) != Error.None)
                {
                    WriteInode(&inode);
                    WriteSuperblock();
                    return error;
                }
            }
            if ((mask & ExtAttributeChange.Mode) != 0)
                inode.Mode = (inode.Mode & Inode.TypeMask) | (change->NewMode & 0xFFF);
            if ((mask & ExtAttributeChange.UserId) != 0)
                inode.UserId = change->NewUserId;
            if ((mask & ExtAttributeChange.GroupId) != 0)
                inode.GroupId = change->NewGroupId;
            Touch(&inode, (mask & ExtAttributeChange.Size) != 0, false);
            if ((mask & ExtAttributeChange.Accessed) != 0)
                inode.SetTime(Inode.AccessTime, change->AccessedSeconds, change->AccessedNanoseconds);
            if ((mask & ExtAttributeChange.Modified) != 0)
                inode.SetTime(Inode.ModificationTime, change->ModifiedSeconds, change->ModifiedNanoseconds);
            return FinishFile(&inode);
        }

        /// <summary>A regular file's new size: blocks past it freed, the rest of its last block zeroed; growing leaves a hole.</summary>
        private Error Truncate(Inode* inode, ulong size)
        {
            if (size > MaximumFileBlocks(inode) * _blockSize)
                return Error.FileTooLarge;
            ulong old = inode->Size;
            if (size < old)
            {
                Error error = FreeBlocksFrom(inode, (size + _blockSize - 1) / _blockSize);
                if (error != Error.None)
                    return error;
                uint within = (uint)(size % _blockSize);
                if (within != 0)
                {
                    error = MapBlock(inode, size / _blockSize, false, out ulong physical);
                    if (error == Error.None && physical != 0)
                    {
                        error = _cache.Get(physical, out byte* block);
                        if (error == Error.None)
                        {
                            for (uint i = within; i < _blockSize; i++)
                                block[i] = 0;
                            _cache.MarkDirty(block);
                        }
                    }
                    if (error != Error.None)
                        return error;
                }
            }
            inode->Size = size;
            return Error.None;
        }

        public Error ReadLink(uint node, byte* buffer, int capacity, out int length)
        {
            length = 0;
            Inode inode;
            Error error = LoadInode(node, &inode);
            if (error != Error.None)
                return error;
            if (!inode.IsSymbolicLink)
                return Error.Invalid;
            ulong size = inode.Size;
            if (size == 0 || size > 4095 || size >= _blockSize)
                return ExtErrors.Corrupted;
            int count = (int)size < capacity ? (int)size : capacity;
            if (!HasDataBlocks(&inode))
            {
                if (size >= Inode.BlockPointersLength)
                    return ExtErrors.Corrupted;
                for (int i = 0; i < count; i++)
                    buffer[i] = inode.Raw[Inode.BlockPointersOffset + i];
            }
            else
            {
                error = MapBlock(&inode, 0, false, out ulong physical);
                if (error != Error.None)
                    return error;
                if (physical == 0)
                    return ExtErrors.Corrupted;
                error = _cache.Get(physical, out byte* block);
                if (error != Error.None)
                    return error;
                for (int i = 0; i < count; i++)
                    buffer[i] = block[i];
            }
            length = count;
            return Error.None;
        }

        public Error Statistics(out ExtStatistics figures)
        {
            ulong free = _superblock.FreeBlocksCount, reserved = _superblock.ReservedBlocksCount;
            figures = new ExtStatistics
            {
                BlockSize = _blockSize,
                Blocks = _blocksCount,
                FreeBlocks = free,
                AvailableBlocks = free > reserved ? free - reserved : 0,
                Files = _superblock.InodesCount,
                FreeFiles = _superblock.FreeInodesCount,
                MaximumNameLength = DirectoryEntry.MaximumNameLength,
                UuidLow = *(ulong*)_superblock.Uuid,
                UuidHigh = *(ulong*)(_superblock.Uuid + 8),
            };
            return Error.None;
        }
    }
}
