using Exo.Kernel.Capabilities;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>open(2)'s flags (Linux's x86-64 values).</summary>
    public static class OpenFlags
    {
        public const int AccessMask = 3, ReadOnly = 0, WriteOnly = 1, ReadWrite = 2;
        public const int Create = 0x40, Exclusive = 0x80, NoControllingTerminal = 0x100, Truncate = 0x200, Append = 0x400,
            NonBlocking = 0x800, DataSync = 0x1000, Async = 0x2000, Direct = 0x4000, LargeFile = 0x8000, Directory = 0x10000,
            NoFollow = 0x20000, NoAccessTime = 0x40000, CloseOnExec = 0x80000, Sync = 0x101000, Path = 0x200000, TemporaryFile = 0x410000;
        /// <summary>What fcntl(F_SETFL) may change.</summary>
        public const int StatusChangeable = Append | NonBlocking | Async | Direct | NoAccessTime;

        public static bool Readable(int flags) => (flags & AccessMask) != WriteOnly;
        public static bool Writable(int flags) => (flags & AccessMask) != ReadOnly;
    }

    /// <summary>
    /// An open file description (what a descriptor names, shared by dup and fork): the object, the offset, the
    /// status flags. A plain one reads and writes its vnode at its offset; devices, FIFOs and terminals derive
    /// their own. The offset's lock is held across a read or write that moves it, so two threads sharing it do
    /// not read the same bytes.
    /// </summary>
    public unsafe class OpenFile : KernelObject
    {
        public readonly Vnode Node;
        public int Flags;
        public ulong Offset;
        /// <summary>Where the next getdents64 continues (a directory's cursor).</summary>
        public ulong DirectoryCursor;
        protected TicketLock OffsetLock;
        /// <summary>This description counts among its regular file's writers (Vnode.TryGetWriteAccess), until destroyed.</summary>
        public bool HoldsWriteAccess;

        public OpenFile(Vnode node, int flags)
        {
            node?.AddReference();
            Node = node;
            Flags = flags & ~OpenFlags.CloseOnExec;   // a descriptor's flag, not the file's
            OffsetLock.Rank = LockRank.OpenFile;
        }

        public bool CanRead => OpenFlags.Readable(Flags) && (Flags & OpenFlags.Path) == 0;
        public bool CanWrite => OpenFlags.Writable(Flags) && (Flags & OpenFlags.Path) == 0;
        public bool NonBlocking => (Flags & OpenFlags.NonBlocking) != 0;

        /// <summary>read(2): at the offset, which moves past what was read.</summary>
        public virtual Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
            {
                Error error = Node.Read(Offset, buffer, count, out done);
                Offset += done;
                return error;
            }
        }

        /// <summary>write(2): at the offset (at the end with O_APPEND), which moves past what was written.</summary>
        public virtual Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            bool allowed;
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
            {
                if ((Flags & OpenFlags.Append) != 0)
                    Offset = Node.Size;
                done = 0;
                allowed = !Node.IsRegular || FileSizeLimit.ClipWrite(Offset, ref count);
                if (allowed)
                {
                    Error error = Node.Write(Offset, buffer, count, out done);
                    Offset += done;
                    return error;
                }
            }
            return FileSizeLimit.Exceeded();
        }

        /// <summary>pread64: at 'offset', the file's offset untouched; ESPIPE for what cannot seek.</summary>
        public virtual Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) => Node.Read(offset, buffer, count, out done);

        public virtual Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return !Node.IsRegular || FileSizeLimit.ClipWrite(offset, ref count) ? Node.Write(offset, buffer, count, out done)
                : FileSizeLimit.Exceeded();
        }

        public const int SeekSet = 0, SeekCurrent = 1, SeekEnd = 2;

        /// <summary>lseek: the new offset; a negative result is EINVAL (regular files and directories may seek past the end).</summary>
        public virtual Error Seek(long offset, int whence, out ulong position)
        {
            position = 0;
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
            {
                long basis = whence == SeekSet ? 0 : whence == SeekCurrent ? (long)Offset : whence == SeekEnd ? (long)Node.Size : -1;
                if (basis < 0 || (whence != SeekSet && whence != SeekCurrent && whence != SeekEnd))
                    return Error.Invalid;
                long target = basis + offset;
                if (target < 0 || (offset > 0 && target < basis))
                    return Error.Invalid;
                Offset = (ulong)target;
                if (Node.IsDirectory && target == 0)
                    DirectoryCursor = 0;   // rewinddir
                position = Offset;
                return Error.None;
            }
        }

        /// <summary>
        /// getdents64: as many entries as fit in 'count' bytes of 'buffer', from the file's directory cursor (struct
        /// linux_dirent64, 8-byte aligned records); 0 at the end; EINVAL if not even one entry fits.
        /// </summary>
        public virtual Error ReadDirectory(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (!Node.IsDirectory)
                return Error.NotADirectory;
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
                return ListEntries(buffer, count, ref DirectoryCursor, out done);
        }

        /// <summary>
        /// getdents64 for directories whose listing takes locks of its own or sleeps (procfs, ringfs): the cursor is read
        /// and stored back under the offset lock, the entries listed with no lock held.
        /// </summary>
        protected Error ListEntriesWithoutOffsetLock(IoBuffer buffer, ulong count, out ulong done)
        {
            ulong cursor;
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
                cursor = DirectoryCursor;
            Error error = ListEntries(buffer, count, ref cursor, out done);
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
                DirectoryCursor = cursor;
            return error;
        }

        /// <summary>
        /// getdents64's records of Node's entries from 'cursor' (moved past those written), as many as fit in 'count'
        /// bytes; EINVAL if not even one fits. Takes no lock of its own: the caller guards the cursor.
        /// </summary>
        protected Error ListEntries(IoBuffer buffer, ulong count, ref ulong cursor, out ulong done)
        {
            done = 0;
            if (Node.IsRemovedDirectory)
                return Error.NotFound;
            DirectoryEntry* entry = (DirectoryEntry*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized((ulong)sizeof(DirectoryEntry));
            byte* record = stackalloc byte[DirectoryEntry.MaximumRecordLength];
            if (entry == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            while (true)
            {
                ulong next = cursor;
                Error read = Node.ReadEntry(ref next, entry);
                if (read != Error.None)
                {
                    if (read != Error.NotFound && done == 0)
                        error = read;   // not the end: a file system that failed (a ringfs server gone: EIO)
                    break;
                }
                int length = DirectoryEntry.WriteRecord(record, entry, next);
                if ((ulong)length > count - done)
                {
                    if (done == 0)
                        error = Error.Invalid;
                    break;
                }
                if (!buffer.CopyIn(done, record, (ulong)length))
                {
                    if (done == 0)
                        error = Error.BadAddress;
                    break;
                }
                done += (ulong)length;
                cursor = next;
            }
            Exo.Kernel.Memory.Heap.KernelHeap.Free(entry);
            return error;
        }

        /// <summary>What mmap maps: the file's own node, or the memory behind a device that shares some (a service channel's).</summary>
        public virtual Vnode MappingNode => Node;

        /// <summary>ioctl: ENOTTY unless the object knows the request (terminals do).</summary>
        public virtual Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            return Error.NotATerminal;
        }

        /// <summary>poll's view: readable and writable now (a regular file always is).</summary>
        public virtual PollEvents Poll() => PollEvents.In | PollEvents.Out;

        /// <summary>
        /// How many times the object's readiness changed for what 'interest' watches (In: something to read, Out: room
        /// to write; Readiness.Changed(ref)): epoll's edge-triggered mode reports an object again after a new change, as
        /// Linux's wake-ups keyed by event do (a read that makes room does not report EPOLLIN again). 0 for objects
        /// that do not count (only a rising edge is reported then).
        /// </summary>
        public virtual int ChangeCount(PollEvents interest) => 0;

        /// <summary>
        /// The keys (Readiness.KeyOf) of the change counters whose Readiness.Changed announces every change of what
        /// Poll reports: a poller that looked at this object sleeps until one of them changes. Every key for an object
        /// that does not say (any change wakes its pollers); an object that gives keys must announce each change of
        /// its readiness with one of them.
        /// </summary>
        public virtual ulong ReadinessKeys => Readiness.AllKeys;

        /// <summary>
        /// When the object becomes ready by itself, with nobody calling Readiness.Changed (a timerfd's next expiry), in
        /// TSC ticks; 0: never. A poller sleeps no later than that.
        /// </summary>
        public virtual ulong ReadyAt => 0;

        /// <summary>Whether poll and epoll can watch it: not regular files and directories (epoll_ctl's EPERM, as Linux).</summary>
        public virtual bool Pollable => Node == null || (!Node.IsRegular && !Node.IsDirectory);

        /// <summary>The epoll registrations watching this description (EventPoll's lock); they go when it does.</summary>
        internal Events.EventPollItem WatchedBy;
        /// <summary>EventPoll's list of descriptions whose last reference waits for its lock to be free.</summary>
        internal OpenFile NextOrphan;

        /// <summary>The flock lock this description holds (WholeFileLocks.Shared or Exclusive; 0: none), under its lock.</summary>
        internal int WholeFileLock;

        protected override void Destroy()
        {
            if (WholeFileLock != 0)
                WholeFileLocks.Release(this);
            RecordLocks.ReleaseOwner(Node, this);   // its OFD locks
            if (WatchedBy != null)   // set under EventPoll's lock by an ADD that held a reference: seen by the last release
                Events.EventPollFile.Forget(this);
            if (HoldsWriteAccess)
                Node.PutWriteAccess();
            Node?.Release();
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }

    /// <summary>poll's event bits (POLLIN, POLLOUT, ...).</summary>
    [System.Flags]
    public enum PollEvents : short { None = 0, In = 0x1, Priority = 0x2, Out = 0x4, Error = 0x8, HangUp = 0x10, Invalid = 0x20, ReadHangUp = 0x2000 }
}
