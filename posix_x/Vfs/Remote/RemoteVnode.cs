using Exo.Protocols.FileSystem;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// One object of a file system server, by its node id: each operation becomes one request (reads and writes
    /// larger than the protocol's MaximumDataLength, several), and the attributes a reply carries refresh this
    /// vnode's. A lookup makes a new vnode each time (no cache yet), so a directory of a ringfs mount cannot be a
    /// mount point. Hard links and device nodes are refused (EPERM), as the protocol carries neither. Every vnode keeps
    /// the directory it was looked up in and its name there (getcwd and "..", and what /proc/PID/exe, fd and maps call
    /// it): a file renamed later by another path keeps the name it was found by.
    /// </summary>
    public sealed unsafe class RemoteVnode : Vnode
    {
        private readonly RemoteFileSystem _fileSystem;
        private ulong _size, _blocks;
        // The channel's change count when this vnode's attributes were the server's (RemoteChannel.Changes).
        private ulong _attributesAt;
        private ulong _nextPage;   // the page after the last one asked of the server through the cache (readahead)

        internal RemoteVnode(RemoteFileSystem fileSystem, NodeAttributes attributes, ulong attributesAt, Vnode parent, Name name) : base(fileSystem, attributes.Mode)
        {
            _fileSystem = fileSystem;
            Apply(attributes);
            _attributesAt = attributesAt;
            if (parent != null)
            {
                parent.AddReference();
                Parent = parent;
                NameInParent = name.Copy();
                NameInParentLength = NameInParent != null ? name.Length : 0;
            }
        }

        private RemoteChannel Channel => _fileSystem.Channel;
        public ulong Node => Inode;
        public override ulong Size => _size;
        public override ulong Blocks => _blocks;

        private void Apply(in NodeAttributes attributes)
        {
            Inode = attributes.Node;
            Mode = attributes.Mode;
            LinkCount = attributes.LinkCount;
            UserId = attributes.UserId;
            GroupId = attributes.GroupId;
            _size = attributes.Size;
            _blocks = attributes.Blocks;
            Accessed = new Timestamp { Seconds = attributes.AccessedSeconds, Nanoseconds = attributes.AccessedNanoseconds };
            Modified = new Timestamp { Seconds = attributes.ModifiedSeconds, Nanoseconds = attributes.ModifiedNanoseconds };
            Changed = new Timestamp { Seconds = attributes.ChangedSeconds, Nanoseconds = attributes.ChangedNanoseconds };
        }

        // One request and its outcome, the channel taken and given back: the reply's errno, or the channel's error.
        // 'attributes' are the reply's when it carries them, as of the channel's change count 'attributesAt'.
        private Error Ask(ref FileSystemRequest request, out NodeAttributes attributes, out ulong attributesAt)
        {
            Error error = Channel.EnterAndAsk(ref request, out FileSystemReply reply);
            attributes = reply.Attributes;
            attributesAt = Channel.Changes;
            Channel.Leave();
            return error;
        }

        private Error Ask(ref FileSystemRequest request, out NodeAttributes attributes) => Ask(ref request, out attributes, out _);

        /// <summary>fsync and fdatasync: the server puts the node (or all it holds) on stable storage.</summary>
        public override Error Synchronize()
        {
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Synchronize, Node = Node };
            return Ask(ref request, out _);
        }

        private static bool Fits(Name name) => name.Length >= 1 && name.Length <= FileSystemLimits.MaximumNameLength;

        // ---------------------------------------------------------------- directories

        public override Error Lookup(Name name, out Vnode child)
        {
            child = null;
            if (!IsDirectory)
                return Error.NotADirectory;
            if (!Fits(name))
                return Error.NameTooLong;
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Lookup, Node = Node, Name = name.Bytes, NameLength = name.Length };
            Error error = Ask(ref request, out NodeAttributes attributes, out ulong attributesAt);
            if (error == Error.None)
                child = new RemoteVnode(_fileSystem, attributes, attributesAt, this, name);
            return error;
        }

        public override Error Create(Name name, uint mode, uint userId, uint groupId, ulong device, out Vnode created)
        {
            created = null;
            if (!IsDirectory)
                return Error.NotADirectory;
            uint type = mode & FileMode.TypeMask;
            if (type != FileMode.Regular && type != FileMode.Directory)
                return Error.NotPermitted;   // FIFOs and device nodes: the protocol has no such objects
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = type == FileMode.Directory ? FileSystemOperation.MakeDirectory : FileSystemOperation.Create,
                Node = Node, Name = name.Bytes, NameLength = name.Length, Mode = mode & (NodeAttributes.TypeMask | NodeAttributes.PermissionMask),
                UserId = userId, GroupId = groupId,
            };
            Error error = Ask(ref request, out NodeAttributes attributes, out ulong attributesAt);
            if (error == Error.None)
                created = new RemoteVnode(_fileSystem, attributes, attributesAt, this, name);
            return error;
        }

        public override Error CreateSymbolicLink(Name name, byte* target, int targetLength, uint userId, uint groupId, out Vnode created)
        {
            created = null;
            if (!IsDirectory)
                return Error.NotADirectory;
            if (targetLength < 1 || targetLength > FileSystemLimits.MaximumLinkTargetLength)
                return Error.NameTooLong;
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = FileSystemOperation.SymbolicLink, Node = Node, Name = name.Bytes, NameLength = name.Length,
                Data = target, DataLength = targetLength, UserId = userId, GroupId = groupId,
            };
            Error error = Ask(ref request, out NodeAttributes attributes, out ulong attributesAt);
            if (error == Error.None)
                created = new RemoteVnode(_fileSystem, attributes, attributesAt, this, name);
            return error;
        }

        public override Error Link(Name name, Vnode target) => IsDirectory ? Error.NotPermitted : Error.NotADirectory;

        public override Error Remove(Name name, bool directory)
        {
            if (!IsDirectory)
                return Error.NotADirectory;
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = directory ? FileSystemOperation.RemoveDirectory : FileSystemOperation.Unlink,
                Node = Node, Name = name.Bytes, NameLength = name.Length,
            };
            Error error = Ask(ref request, out _);
            _fileSystem.Pages.ForgetAll();   // the removed node's number may name a new file next
            return error;
        }

        public override Error Rename(Name name, Vnode toDirectory, Name to)
        {
            if (!IsDirectory || toDirectory is not RemoteVnode destination || !destination.IsDirectory)
                return Error.NotADirectory;
            if (destination._fileSystem != _fileSystem)
                return Error.CrossDevice;
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = FileSystemOperation.Rename, Node = Node, Name = name.Bytes, NameLength = name.Length,
                SecondNode = destination.Node, SecondName = to.Bytes, SecondNameLength = to.Length,
            };
            Error error = Ask(ref request, out _);
            _fileSystem.Pages.ForgetAll();   // a file it replaced is gone, its node number free for another
            return error;
        }

        /// <summary>
        /// Cursor 0 is ".", 1 is "..", and from 2 on the server's own cursor plus 2 (the protocol keeps its cursors
        /// below 2^62 and strictly increasing, so a listing always ends).
        /// </summary>
        public override Error ReadEntry(ref ulong cursor, DirectoryEntry* entry)
        {
            if (!IsDirectory)
                return Error.NotADirectory;
            if (cursor == 0)
                return DirectoryEntry.Dots(ref cursor, entry, Inode, 1, 1);
            if (cursor == 1)
                return DirectoryEntry.Dots(ref cursor, entry, Parent != null ? Parent.Inode : Inode, 2, 2);
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = FileSystemOperation.ReadDirectory, Node = Node, Offset = cursor - 2, Count = DirectoryRecords.MaximumRecordLength,
            };
            Error error = Channel.EnterAndAsk(ref request, out FileSystemReply reply);
            if (error == Error.None)
            {
                int position = 0;
                if (DirectoryRecords.Next(reply.Data, reply.DataLength, ref position, out DirectoryRecord record))
                {
                    entry->Inode = record.Node;
                    entry->Type = record.Type;
                    entry->NameLength = record.NameLength;
                    for (int i = 0; i < record.NameLength; i++)
                        entry->Name[i] = record.Name[i];
                    cursor = record.NextCursor + 2;
                }
                else
                {
                    error = Error.NotFound;   // the end
                }
            }
            Channel.Leave();
            return error;
        }

        // ---------------------------------------------------------------- files and links

        /// <summary>A private mapping of a served file is a copy made at map time (MemoryCalls.MapFile); shared ones are refused.</summary>
        public override bool MapsCopies => IsRegular;

        public override Error Read(ulong offset, IoBuffer buffer, ulong count, out ulong done) => Read(offset, buffer, count, out done, direct: false);

        /// <summary>
        /// A read: page by page from the mount's cache (RemotePageCache), a page it lacks asked of the server whole and
        /// kept; 'direct' (O_DIRECT) reads from the disk's driver (RemoteDirectReads) or else asks the server, in requests
        /// as large as the protocol carries.
        /// </summary>
        public Error Read(ulong offset, IoBuffer buffer, ulong count, out ulong done, bool direct)
        {
            done = 0;
            if (IsDirectory)
                return Error.IsADirectory;
            if (!IsRegular)
                return Error.Invalid;
            if (!direct)
                return ReadThroughCache(offset, buffer, count, out done);
            while (done < count)
            {
                // The disk's driver itself first, where the server offered a channel to it and mapped the blocks.
                ulong piece = count - done < RemoteBlockChannel.MaximumReadLength ? count - done : RemoteBlockChannel.MaximumReadLength;
                if (_fileSystem.DirectReads.TryRead(Channel, Node, _size, System.Threading.Volatile.Read(ref _attributesAt), offset + done, buffer, done, piece,
                        out ulong read, out Error failed))
                {
                    if (failed != Error.None)
                        return done > 0 ? Error.None : failed;
                    done += read;
                    if (read < piece)
                        break;   // the end of the file
                    continue;
                }
                ulong most = (ulong)Channel.MaximumReadLength;
                ulong want = count - done < most ? count - done : most;
                FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Read, Node = Node, Offset = offset + done, Count = (uint)want };
                Error error = Channel.EnterAndRead(ref request, buffer, done, out int got);
                if (error != Error.None)
                    return done > 0 ? Error.None : error;
                done += (ulong)got;
                if ((ulong)got < want)
                    break;   // the end of the file
            }
            return Error.None;
        }

        private Error ReadThroughCache(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            RemotePageCache pages = _fileSystem.Pages;
            while (done < count)
            {
                ulong position = offset + done;
                ulong page = position / RemotePageCache.PageSize, within = position % RemotePageCache.PageSize;
                ulong chunk = RemotePageCache.PageSize - within < count - done ? RemotePageCache.PageSize - within : count - done;
                if (pages.TryRead(Node, page, within, buffer, done, chunk, out ulong copied, out bool faulted))
                {
                    done += copied;
                    if (copied < chunk)
                        break;   // the file ends in this page
                    continue;
                }
                if (faulted)
                    return done > 0 ? Error.None : Error.BadAddress;
                ulong seen = pages.Generation;
                ulong asked = PagesToAsk(page, within + (count - done));
                FileSystemRequest request = new FileSystemRequest
                {
                    Operation = FileSystemOperation.Read, Node = Node, Offset = page * RemotePageCache.PageSize, Count = (uint)(asked * RemotePageCache.PageSize),
                };
                Error error = Channel.EnterAndAsk(ref request, out FileSystemReply reply);
                int got = error == Error.None ? reply.DataLength : 0;
                ulong inFirst = (ulong)got < RemotePageCache.PageSize ? (ulong)got : RemotePageCache.PageSize;
                ulong available = inFirst > within ? inFirst - within : 0;
                ulong take = chunk < available ? chunk : available;
                if (error == Error.None)
                {
                    // Every page the reply holds is kept (the first even if empty: the file ends before it).
                    for (ulong i = 0; i == 0 || i * RemotePageCache.PageSize < (ulong)got; i++)
                    {
                        ulong from = i * RemotePageCache.PageSize;
                        ulong length = (ulong)got - from < RemotePageCache.PageSize ? (ulong)got - from : RemotePageCache.PageSize;
                        pages.Fill(Node, page + i, reply.Data + from, got > 0 ? (int)length : 0, seen);
                    }
                    _nextPage = page + asked;
                    if (take > 0 && !buffer.CopyIn(done, reply.Data + within, take))
                        error = Error.BadAddress;
                }
                Channel.Leave();
                if (error != Error.None)
                    return done > 0 ? Error.None : error;
                done += take;
                if (take < chunk)
                    break;   // the end of the file
            }
            return Error.None;
        }

        /// <summary>Pages a read asks for at once when it reads on from where the last one ended, or from the file's start.</summary>
        private const ulong ReadAheadPages = 16;

        // How many pages a read missing page 'page' asks the server for, 'bytes' wanted from that page's start: the
        // pages it needs, and, read on sequentially (Linux's readahead on a smaller scale), at least ReadAheadPages
        // (a 1 MiB file read with cat was 256 requests); never more than a reply carries.
        private ulong PagesToAsk(ulong page, ulong bytes)
        {
            ulong needed = (bytes + RemotePageCache.PageSize - 1) / RemotePageCache.PageSize;
            if ((page == 0 || page == _nextPage) && needed < ReadAheadPages)
                needed = ReadAheadPages;
            const ulong most = (ulong)FileSystemLimits.MaximumDataLength / RemotePageCache.PageSize;
            return needed < most ? needed : most;
        }

        // The file's cached pages are forgotten once the server has the write; a read that raced it does not keep
        // what it got (RemotePageCache's generation). A write that left the size as it was makes only the pages it
        // covered stale; one that changed it (or failed) may have changed the last page's length too: every page.
        public override Error Write(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            ulong sizeBefore = _size;
            Error error = WriteToServer(offset, buffer, count, out done);
            if (error == Error.None && _size == sizeBefore && count > 0)
                _fileSystem.Pages.Forget(Node, offset / RemotePageCache.PageSize, (offset + count - 1) / RemotePageCache.PageSize);
            else
                _fileSystem.Pages.Forget(Node);
            return error;
        }

        private Error WriteToServer(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (IsDirectory)
                return Error.IsADirectory;
            if (!IsRegular)
                return Error.Invalid;
            byte* data = (byte*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized(FileSystemLimits.MaximumDataLength);
            if (data == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            while (done < count)
            {
                ulong chunk = count - done < FileSystemLimits.MaximumDataLength ? count - done : FileSystemLimits.MaximumDataLength;
                if (!buffer.CopyOut(done, data, chunk))
                {
                    error = Error.BadAddress;
                    break;
                }
                FileSystemRequest request = new FileSystemRequest
                {
                    Operation = FileSystemOperation.Write, Node = Node, Offset = offset + done, Data = data, DataLength = (int)chunk,
                };
                error = Channel.EnterAndAsk(ref request, out FileSystemReply reply);
                if (error == Error.None)
                    Apply(reply.Attributes);
                uint written = error == Error.None ? reply.Count : 0;
                Channel.Leave();
                if (error != Error.None)
                    break;
                done += written;
                if (written < chunk)
                    break;   // the server's space ran out: a short write
            }
            Exo.Kernel.Memory.Heap.KernelHeap.Free(data);
            return done > 0 ? Error.None : error;
        }

        public override Error SetSize(ulong size)
        {
            if (IsDirectory)
                return Error.IsADirectory;
            if (!IsRegular)
                return Error.Invalid;
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.SetAttributes, Node = Node, SetMask = SetAttributeFields.Size, Size = size };
            Error error = Ask(ref request, out NodeAttributes attributes);
            _fileSystem.Pages.Forget(Node);
            if (error == Error.None)
                Apply(attributes);
            return error;
        }

        /// <summary>chmod, chown and utimensat: the fields the VFS just set go to the server (AttributeChange's bits are the protocol's SetAttributeFields).</summary>
        public override Error StoreAttributes(uint changed)
        {
            if (changed == 0)
                return Error.None;
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = FileSystemOperation.SetAttributes, Node = Node, SetMask = changed,
                Mode = Mode & NodeAttributes.PermissionMask, UserId = UserId, GroupId = GroupId,
                AccessedSeconds = Accessed.Seconds, AccessedNanoseconds = (uint)Accessed.Nanoseconds,
                ModifiedSeconds = Modified.Seconds, ModifiedNanoseconds = (uint)Modified.Nanoseconds,
            };
            Error error = Ask(ref request, out NodeAttributes attributes);
            if (error == Error.None)
                Apply(attributes);
            return error;
        }

        public override Error ReadLink(byte* buffer, int capacity, out int length)
        {
            length = 0;
            if (!IsSymbolicLink)
                return Error.Invalid;
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.ReadLink, Node = Node };
            Error error = Channel.EnterAndAsk(ref request, out FileSystemReply reply);
            if (error == Error.None)
            {
                length = reply.DataLength < capacity ? reply.DataLength : capacity;
                for (int i = 0; i < length; i++)
                    buffer[i] = reply.Data[i];
            }
            Channel.Leave();
            return error;
        }

        /// <summary>
        /// A ringfs open file: its calls sleep on the server, so it holds no lock across them. Opening asks the server
        /// for the object's attributes first (close-to-open, as NFS does): a file removed meanwhile, or a server gone,
        /// fails the open rather than its first read. Unless nothing could have changed on the server since this vnode
        /// had them (a path's lookup or creation just now: RemoteChannel.Changes has not moved): one round trip, not two,
        /// for each open of a path.
        /// </summary>
        public override Error Open(int flags, out OpenFile file)
        {
            file = null;
            if (System.Threading.Volatile.Read(ref _attributesAt) == Channel.Changes && !Channel.IsBroken)
            {
                file = new RemoteOpenFile(this, flags);
                return Error.None;
            }
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.GetAttributes, Node = Node };
            Error error = Ask(ref request, out NodeAttributes attributes, out ulong attributesAt);
            if (error != Error.None)
                return error;
            if ((attributes.Mode & NodeAttributes.TypeMask) != Type)
                return Error.StaleHandle;   // the node id now names another kind of object
            Apply(attributes);
            System.Threading.Volatile.Write(ref _attributesAt, attributesAt);
            file = new RemoteOpenFile(this, flags);
            return Error.None;
        }
    }
}
