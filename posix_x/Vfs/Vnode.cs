using Exo.Kernel.Capabilities;

namespace Exo.PosixX.Vfs
{
    /// <summary>Which attributes <see cref="Vnode.StoreAttributes"/> is told changed.</summary>
    public static class AttributeChange
    {
        public const uint Mode = 1, UserId = 2, GroupId = 4, Accessed = 16, Modified = 32;
    }

    /// <summary>One entry getdents64 returns: inode, type and name (the name copied into the entry).</summary>
    public unsafe struct DirectoryEntry
    {
        public ulong Inode;
        public byte Type;   // DT_*
        public int NameLength;
        public fixed byte Name[256];   // NAME_MAX + 1

        /// <summary>The longest record WriteRecord writes.</summary>
        public const int MaximumRecordLength = 280;

        /// <summary>Fills 'entry' with "." (dots 1) or ".." (dots 2) of a directory 'inode', moving 'cursor' to 'next'.</summary>
        public static Error Dots(ref ulong cursor, DirectoryEntry* entry, ulong inode, int dots, ulong next)
        {
            entry->Inode = inode;
            entry->Type = FileMode.DirectoryEntryType(FileMode.Directory);
            entry->NameLength = dots;
            entry->Name[0] = (byte)'.';
            entry->Name[1] = (byte)'.';
            cursor = next;
            return Error.None;
        }

        /// <summary>
        /// Writes 'entry' as getdents64's struct linux_dirent64 into 'record' (MaximumRecordLength bytes): inode, the
        /// next entry's cursor, the record's length (8-byte aligned), type, name, zero. Returns the length.
        /// </summary>
        public static int WriteRecord(byte* record, DirectoryEntry* entry, ulong nextCursor)
        {
            int length = (19 + entry->NameLength + 1 + 7) & ~7;
            for (int i = 0; i < length; i++)
                record[i] = 0;
            *(ulong*)record = entry->Inode;
            *(long*)(record + 8) = (long)nextCursor;
            *(ushort*)(record + 16) = (ushort)length;
            record[18] = entry->Type;
            for (int i = 0; i < entry->NameLength; i++)
                record[19 + i] = entry->Name[i];
            return length;
        }
    }

    /// <summary>
    /// A file system object (Linux's inode): a directory, a regular file, a symbolic link, a device or a FIFO,
    /// with its attributes. The operations are virtual, each file system implements what its objects are; the
    /// defaults say the object is not of that kind. Reference-counted (a kernel object): directory entries, open
    /// files, working directories and mounts hold references, and the last release frees it. Calls come from
    /// the VFS layer (PathWalker, the file calls) with permissions already checked there; a file system takes its
    /// own lock inside each operation.
    /// </summary>
    public abstract unsafe class Vnode : KernelObject
    {
        public readonly FileSystem FileSystem;
        /// <summary>The device number of the file system holding this object (stat's st_dev, maps' device), 0 if none.</summary>
        public ulong FileSystemDevice => FileSystem != null ? FileSystem.DeviceId : 0;
        public ulong Inode;
        public uint Mode;
        public uint UserId, GroupId;
        public uint LinkCount;
        /// <summary>A device node's device number (major << 8 | minor for small numbers, Linux's encoding).</summary>
        public ulong Device;
        public Timestamp Accessed, Modified, Changed;
        /// <summary>The mount whose file system is mounted on this directory, or null (under the mount table's lock).</summary>
        public Mount MountedHere;
        /// <summary>flock's holders (WholeFileLocks, under its lock): the exclusive one, or how many share it.</summary>
        internal OpenFile WholeFileExclusive;
        internal int WholeFileShared;
        /// <summary>fcntl's record locks on it (RecordLocks, under its lock; read without it only to see there are none).</summary>
        internal RecordLocks.Record RecordLockList;
        /// <summary>For a directory: the directory holding it, and its name there (getcwd, ".."); the file system keeps them.</summary>
        public Vnode Parent;
        public byte* NameInParent;
        public int NameInParentLength;

        protected Vnode(FileSystem fileSystem, uint mode)
        {
            FileSystem = fileSystem;
            Mode = mode;
            Inode = fileSystem != null ? fileSystem.NextInode() : 0;
            Timestamp now = Timestamp.Now;
            Accessed = Modified = Changed = now;
            LinkCount = 1;
        }

        public bool IsDirectory => FileMode.IsDirectory(Mode);
        /// <summary>A directory removed (rmdir) while something still holds it: listing it is ENOENT, as Linux's dead directories.</summary>
        public virtual bool IsRemovedDirectory => false;
        public bool IsRegular => FileMode.IsRegular(Mode);
        public bool IsSymbolicLink => FileMode.IsSymbolicLink(Mode);
        public uint Type => Mode & FileMode.TypeMask;

        /// <summary>The directory holding this one, with a reference (null for a file system's root); a file system that renames directories guards it.</summary>
        public virtual Vnode ReferenceParent()
        {
            Vnode parent = Parent;
            parent?.AddReference();
            return parent;
        }

        public virtual ulong Size => 0;

        // Linux's i_writecount: above 0, the open file descriptions that may write this file; below 0, the processes
        // running it as their program. A file is never both (ETXTBSY for whichever comes second).
        private int _writeAccess;

        /// <summary>An open file description that may write the file: false (ETXTBSY) while a process runs it.</summary>
        public bool TryGetWriteAccess()
        {
            for (;;)
            {
                int current = System.Threading.Volatile.Read(ref _writeAccess);
                if (current < 0)
                    return false;
                if (System.Threading.Interlocked.CompareExchange(ref _writeAccess, current + 1, current) == current)
                    return true;
            }
        }

        public void PutWriteAccess() => System.Threading.Interlocked.Decrement(ref _writeAccess);

        /// <summary>A process runs the file: false (ETXTBSY) while it is open for writing.</summary>
        public bool TryDenyWriteAccess()
        {
            for (;;)
            {
                int current = System.Threading.Volatile.Read(ref _writeAccess);
                if (current > 0)
                    return false;
                if (System.Threading.Interlocked.CompareExchange(ref _writeAccess, current - 1, current) == current)
                    return true;
            }
        }

        public void AllowWriteAccess() => System.Threading.Interlocked.Increment(ref _writeAccess);
        /// <summary>Storage used, in 512-byte blocks (st_blocks).</summary>
        public virtual ulong Blocks => 0;

        // ---------------------------------------------------------------- directories

        /// <summary>The entry 'name' (never "." or ".."; the walker handles those), with a reference for the caller.</summary>
        public virtual Error Lookup(Name name, out Vnode child)
        {
            child = null;
            return Error.NotADirectory;
        }

        /// <summary>Creates 'name' of the type and permissions in 'mode' (a file, directory, FIFO or device node).</summary>
        public virtual Error Create(Name name, uint mode, uint userId, uint groupId, ulong device, out Vnode created)
        {
            created = null;
            return Error.NotADirectory;
        }

        public virtual Error CreateSymbolicLink(Name name, byte* target, int targetLength, uint userId, uint groupId, out Vnode created)
        {
            created = null;
            return Error.NotADirectory;
        }

        /// <summary>Adds 'name' for an existing non-directory object of the same file system (link).</summary>
        public virtual Error Link(Name name, Vnode target) => Error.NotADirectory;

        /// <summary>Removes the entry 'name': a non-directory (unlink) or an empty directory (rmdir).</summary>
        public virtual Error Remove(Name name, bool directory) => Error.NotADirectory;

        /// <summary>Moves the entry 'name' to 'to' in 'toDirectory' (same file system), replacing what is there as rename(2) allows.</summary>
        public virtual Error Rename(Name name, Vnode toDirectory, Name to) => Error.NotADirectory;

        /// <summary>
        /// The next entry at or after 'cursor' ("." and ".." first), advancing 'cursor' past it; NotFound at the end.
        /// A cursor stays valid when other entries are added or removed.
        /// </summary>
        public virtual Error ReadEntry(ref ulong cursor, DirectoryEntry* entry) => Error.NotADirectory;

        // ---------------------------------------------------------------- files and links

        public virtual Error Read(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return IsDirectory ? Error.IsADirectory : Error.Invalid;
        }

        public virtual Error Write(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return IsDirectory ? Error.IsADirectory : Error.Invalid;
        }

        /// <summary>Changes a regular file's size (truncate, or grow with zeros).</summary>
        public virtual Error SetSize(ulong size) => IsDirectory ? Error.IsADirectory : Error.Invalid;

        /// <summary>Whether the file's pages are frames a mapping can share (MapFrame): a file system that holds data in memory.</summary>
        public virtual bool MapsFrames => false;

        /// <summary>
        /// Whether a private mapping may copy the file's bytes at map time instead (a file whose pages another process
        /// holds: a ringfs mount's). The mapping is then private memory that does not follow later writes to the file.
        /// </summary>
        public virtual bool MapsCopies => false;

        /// <summary>
        /// mmap: the frame holding page 'page' of the file, with one more sharer for the caller's mapping
        /// (PhysicalMemory.ShareFrame; the mapping lets go with ReleaseFrame), a hole inside the file given its frame
        /// first; 0 for a page wholly past the end of the file or when memory runs out.
        /// </summary>
        public virtual ulong MapFrame(ulong page) => 0;

        /// <summary>
        /// mmap of many pages: MapFrame of up to 'count' pages from 'page' into 'frames', stopping at the first page that
        /// has none (past the end of the file, or memory run out); how many were given. A file system overrides it to
        /// look them up under one hold of its lock.
        /// </summary>
        public virtual ulong MapFrames(ulong page, ulong count, ulong* frames)
        {
            ulong done = 0;
            while (done < count && (frames[done] = MapFrame(page + done)) != 0)
                done++;
            return done;
        }

        public virtual Error ReadLink(byte* buffer, int capacity, out int length)
        {
            length = 0;
            return Error.Invalid;
        }

        /// <summary>
        /// What open makes of this object: a plain open file over it by default; devices, FIFOs and terminals
        /// answer with their own kind of open file. 'flags' are open's (access mode, O_NONBLOCK, ...).
        /// </summary>
        public virtual Error Open(int flags, out OpenFile file)
        {
            file = new OpenFile(this, flags);
            return Error.None;
        }

        /// <summary>
        /// The attributes named in 'changed' (AttributeChange) were just set in this vnode's fields (chmod, chown,
        /// utimensat): a file system that keeps them elsewhere stores them (a ringfs server); in-memory ones have
        /// nothing to do.
        /// </summary>
        public virtual Error StoreAttributes(uint changed) => Error.None;

        /// <summary>Makes file data durable (fsync); in-memory file systems have nothing to do.</summary>
        public virtual Error Synchronize() => Error.None;

        protected override void Destroy()
        {
            if (NameInParent != null)
                Name.FreeCopy(NameInParent);
            Parent?.Release();
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
