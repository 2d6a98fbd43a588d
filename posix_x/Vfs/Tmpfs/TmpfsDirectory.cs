using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Tmpfs
{
    /// <summary>
    /// A tmpfs directory: its entries in a hash table (by name) and a list in creation order (what getdents64
    /// walks: each entry's sequence number is its cursor, so removing or adding entries never makes a reader
    /// skip or repeat one). Each entry holds a reference to its object.
    /// </summary>
    public sealed unsafe class TmpfsDirectory : Vnode
    {
        private sealed class Entry
        {
            public byte* Name;
            public int Length;
            public uint Hash;
            public Vnode Node;
            public ulong Sequence;
            public Entry NextInBucket, NextInOrder, PreviousInOrder;
            public Name AsName => new Name(Name, Length);
        }

        private new readonly TmpfsFileSystem FileSystem;
        private Entry[] _buckets = new Entry[16];
        private Entry _first, _last;
        // The entry ReadEntry returned last (null if none, or it was taken out): a listing reads on from it instead of from
        // the first entry each time (a directory of n entries read in n steps, not n * n / 2). The list is in sequence order.
        private Entry _readFrom;
        private int _count;
        private ulong _nextSequence = 3;   // 1 and 2 are "." and ".." for getdents64

        public TmpfsDirectory(TmpfsFileSystem fileSystem, uint mode, uint userId, uint groupId, TmpfsDirectory parent) : base(fileSystem, mode)
        {
            FileSystem = fileSystem;
            UserId = userId;
            GroupId = groupId;
            LinkCount = 2;
            Parent = parent;
            parent?.AddReference();
            System.Threading.Interlocked.Increment(ref fileSystem.NodesInUse);
        }

        private const ulong EntrySize = 20;   // Linux's tmpfs: BOGO_DIRENT_SIZE a name, "." and ".." included

        // As Linux's tmpfs: 20 bytes an entry with "." and "..", no blocks (what ls -l's column widths and total, and du,
        // show on Linux).
        public override ulong Size => (ulong)(2 + System.Threading.Volatile.Read(ref _count)) * EntrySize;
        public override ulong Blocks => 0;

        public override Vnode ReferenceParent()
        {
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
                return base.ReferenceParent();
        }

        public override Error Lookup(Name name, out Vnode child)
        {
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                Entry entry = Find(name);
                child = entry?.Node;
                child?.AddReference();
                return entry != null ? Error.None : Error.NotFound;
            }
        }

        public override Error Create(Name name, uint mode, uint userId, uint groupId, ulong device, out Vnode created)
        {
            created = null;
            uint type = mode & FileMode.TypeMask;
            Vnode node;
            if (type == FileMode.Directory)
                node = new TmpfsDirectory(FileSystem, mode, userId, groupId, this);
            else if (type == FileMode.Regular)
                node = new TmpfsFile(FileSystem, mode, userId, groupId);
            else if (type == FileMode.Fifo || type == FileMode.CharacterDevice || type == FileMode.BlockDevice || type == FileMode.Socket)
                node = new TmpfsSpecialFile(FileSystem, mode, userId, groupId, device);
            else
                return Error.Invalid;
            node.AddReference();   // the entry's; the one from 'new' is the creator's
            Error error = Insert(name, node);
            if (error != Error.None)
            {
                node.Release();
                node.Release();
                return error;
            }
            created = node;
            return Error.None;
        }

        public override Error CreateSymbolicLink(Name name, byte* target, int targetLength, uint userId, uint groupId, out Vnode created)
        {
            created = null;
            TmpfsSymbolicLink link = TmpfsSymbolicLink.Create(FileSystem, target, targetLength, userId, groupId);
            if (link == null)
                return Error.OutOfMemory;
            link.AddReference();   // the entry's; the one from Create is the creator's
            Error error = Insert(name, link);
            if (error != Error.None)
            {
                link.Release();
                link.Release();
                return error;
            }
            created = link;
            return Error.None;
        }

        public override Error Link(Name name, Vnode target)
        {
            if (target.FileSystem != FileSystem)
                return Error.CrossDevice;
            if (target.IsDirectory)
                return Error.NotPermitted;
            target.AddReference();
            Error error = Insert(name, target);
            if (error != Error.None)
            {
                target.Release();
                return error;
            }
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                target.LinkCount++;
                target.Changed = Timestamp.Now;
            }
            return Error.None;
        }

        // Adds 'node' under 'name', taking over the caller's reference (the entry's); EEXIST if the name is taken.
        private Error Insert(Name name, Vnode node)
        {
            if (name.Length == 0 || name.Length > Name.MaximumLength)
                return name.Length == 0 ? Error.NotFound : Error.NameTooLong;
            byte* copy = name.Copy();
            if (copy == null)
                return Error.OutOfMemory;
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                if (LinkCount == 0)
                {
                    Vfs.Name.FreeCopy(copy);
                    return Error.NotFound;   // removed meanwhile
                }
                if (Find(name) != null)
                {
                    Vfs.Name.FreeCopy(copy);
                    return Error.AlreadyExists;
                }
                Entry entry = new Entry { Name = copy, Length = name.Length, Hash = name.Hash, Node = node, Sequence = _nextSequence++ };
                AddEntry(entry);
                if (node.IsDirectory)
                {
                    LinkCount++;   // the child's ".."
                    SetParentName(node, copy, name.Length);
                }
                Modified = Changed = Timestamp.Now;
                return Error.None;
            }
        }

        // A directory remembers its name in its parent (getcwd); lock held.
        private static void SetParentName(Vnode node, byte* name, int length)
        {
            byte* copy = new Name(name, length).Copy();
            if (node.NameInParent != null)
                Vfs.Name.FreeCopy(node.NameInParent);
            node.NameInParent = copy;
            node.NameInParentLength = copy != null ? length : 0;
        }

        public override Error Remove(Name name, bool directory)
        {
            Vnode removed;
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                Entry entry = Find(name);
                if (entry == null)
                    return Error.NotFound;
                removed = entry.Node;
                if (directory && !removed.IsDirectory)
                    return Error.NotADirectory;
                if (!directory && removed.IsDirectory)
                    return Error.IsADirectory;
                if (directory && ((TmpfsDirectory)removed)._count != 0)
                    return Error.NotEmpty;
                if (removed.MountedHere != null)
                    return Error.Busy;
                RemoveEntry(entry);
                FreeEntry(entry);
                if (removed.IsDirectory)
                {
                    LinkCount--;
                    removed.LinkCount = 0;
                }
                else
                {
                    removed.LinkCount--;
                }
                removed.Changed = Modified = Changed = Timestamp.Now;
            }
            removed.Release();   // the entry's reference: open files keep the object until they close
            return Error.None;
        }

        public override Error Rename(Name name, Vnode toDirectory, Name to)
        {
            if (toDirectory.FileSystem != FileSystem)
                return Error.CrossDevice;
            TmpfsDirectory target = (TmpfsDirectory)toDirectory;
            if (to.Length > Name.MaximumLength)
                return Error.NameTooLong;
            byte* copy = to.Copy();
            if (copy == null)
                return Error.OutOfMemory;
            Vnode replaced = null;
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                Entry entry = Find(name);
                if (entry == null)
                    return Fail(copy, Error.NotFound);
                Vnode moving = entry.Node;
                // A directory may not move into itself or below itself.
                if (moving.IsDirectory)
                    for (Vnode up = target; up != null; up = up.Parent)
                        if (up == moving)
                            return Fail(copy, Error.Invalid);
                Entry existing = target.Find(to);
                if (existing != null)
                {
                    if (existing.Node == moving)
                        return Fail(copy, Error.None);   // two names of one object: nothing to do
                    if (moving.IsDirectory && !existing.Node.IsDirectory)
                        return Fail(copy, Error.NotADirectory);
                    if (!moving.IsDirectory && existing.Node.IsDirectory)
                        return Fail(copy, Error.IsADirectory);
                    if (existing.Node.IsDirectory && ((TmpfsDirectory)existing.Node)._count != 0)
                        return Fail(copy, Error.NotEmpty);
                    if (existing.Node.MountedHere != null)
                        return Fail(copy, Error.Busy);
                    replaced = existing.Node;
                    target.RemoveEntry(existing);
                    FreeEntry(existing);
                    if (replaced.IsDirectory)
                    {
                        target.LinkCount--;
                        replaced.LinkCount = 0;
                    }
                    else
                    {
                        replaced.LinkCount--;
                    }
                }
                RemoveEntry(entry);
                Vfs.Name.FreeCopy(entry.Name);
                entry.Name = copy;
                entry.Length = to.Length;
                entry.Hash = to.Hash;
                entry.Sequence = target._nextSequence++;
                target.AddEntry(entry);
                if (moving.IsDirectory)
                {
                    LinkCount--;
                    target.LinkCount++;
                    SetParentName(moving, copy, to.Length);
                    if (moving.Parent != target)
                    {
                        Vnode old = moving.Parent;
                        target.AddReference();
                        moving.Parent = target;
                        old?.Release();   // never the last reference: 'this' is in use by the caller
                    }
                }
                Timestamp now = Timestamp.Now;
                moving.Changed = Modified = Changed = target.Modified = target.Changed = now;
            }
            replaced?.Release();
            return Error.None;
        }

        private static Error Fail(byte* copy, Error error)
        {
            Vfs.Name.FreeCopy(copy);
            return error;
        }

        public override bool IsRemovedDirectory => System.Threading.Volatile.Read(ref LinkCount) == 0;

        public override Error ReadEntry(ref ulong cursor, DirectoryEntry* entry)
        {
            if (cursor <= 1)
                return DirectoryEntry.Dots(ref cursor, entry, Inode, 1, 2);   // "." (cursor 0), then ".." (2), then the entries (3 on)
            if (cursor == 2)
            {
                Vnode parent = ReferenceParent();
                ulong inode = parent != null ? parent.Inode : Inode;
                parent?.Release();
                return DirectoryEntry.Dots(ref cursor, entry, inode, 2, 3);
            }
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                for (Entry e = _readFrom != null && _readFrom.Sequence < cursor ? _readFrom : _first; e != null; e = e.NextInOrder)
                {
                    if (e.Sequence < cursor)
                        continue;
                    _readFrom = e;
                    entry->Inode = e.Node.Inode;
                    entry->Type = FileMode.DirectoryEntryType(e.Node.Mode);
                    entry->NameLength = e.Length;
                    for (int i = 0; i < e.Length; i++)
                        entry->Name[i] = e.Name[i];
                    cursor = e.Sequence + 1;
                    return Error.None;
                }
            }
            return Error.NotFound;
        }

        // ---------------------------------------------------------------- the table (lock held)

        private Entry Find(Name name)
        {
            uint hash = name.Hash;
            for (Entry e = _buckets[hash & (uint)(_buckets.Length - 1)]; e != null; e = e.NextInBucket)
                if (e.Hash == hash && e.AsName.EqualTo(name))
                    return e;
            return null;
        }

        private void AddEntry(Entry entry)
        {
            if (_count >= _buckets.Length)
                Grow();
            ref Entry bucket = ref _buckets[entry.Hash & (uint)(_buckets.Length - 1)];
            entry.NextInBucket = bucket;
            bucket = entry;
            entry.PreviousInOrder = _last;
            entry.NextInOrder = null;
            if (_last != null) _last.NextInOrder = entry; else _first = entry;
            _last = entry;
            _count++;
        }

        private void RemoveEntry(Entry entry)
        {
            ref Entry link = ref _buckets[entry.Hash & (uint)(_buckets.Length - 1)];
            while (link != entry)
                link = ref link.NextInBucket;
            link = entry.NextInBucket;
            if (_readFrom == entry)
                _readFrom = entry.PreviousInOrder;   // still in the list, and before any cursor this one was before
            if (entry.PreviousInOrder != null) entry.PreviousInOrder.NextInOrder = entry.NextInOrder; else _first = entry.NextInOrder;
            if (entry.NextInOrder != null) entry.NextInOrder.PreviousInOrder = entry.PreviousInOrder; else _last = entry.PreviousInOrder;
            entry.NextInBucket = entry.NextInOrder = entry.PreviousInOrder = null;
            _count--;
        }

        // An entry taken out for good: its name copy and the entry itself (its object's reference is the caller's to drop).
        private static void FreeEntry(Entry entry)
        {
            Vfs.Name.FreeCopy(entry.Name);
            Exo.Runtime.ObjectAllocator.Free(entry);
        }

        private void Grow()
        {
            Entry[] old = _buckets;
            Entry[] larger = new Entry[old.Length * 2];
            for (int i = 0; i < old.Length; i++)
            {
                Entry e = old[i];
                while (e != null)
                {
                    Entry next = e.NextInBucket;
                    ref Entry bucket = ref larger[e.Hash & (uint)(larger.Length - 1)];
                    e.NextInBucket = bucket;
                    bucket = e;
                    e = next;
                }
            }
            _buckets = larger;
            Exo.Runtime.ObjectAllocator.Free(old);
        }

        protected override void Destroy()
        {
            // Only an empty directory can lose its last reference (its entries hold references to their objects).
            System.Threading.Interlocked.Decrement(ref FileSystem.NodesInUse);
            Exo.Runtime.ObjectAllocator.Free(_buckets);
            base.Destroy();
        }
    }
}
