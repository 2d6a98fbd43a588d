using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Sync;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// A process's descriptors: the architecture document's capability cache. A descriptor is a slot holding a
    /// cached capability to an open file description (the object, its offset and status flags, with the rights its
    /// open mode gave), found in O(1) by number; close-on-exec is the slot's own flag. Lookups count hits (a live
    /// descriptor) and misses (EBADF), which /proc/posix_x reports. The table grows by doubling up to the
    /// process's RLIMIT_NOFILE (EMFILE past it). One lock per table; shared by every thread of the process.
    /// </summary>
    public sealed unsafe class FileDescriptorTable
    {
        /// <summary>The largest table (an explicit limit; RLIMIT_NOFILE's hard maximum here).</summary>
        public const int Capacity = 4096;
        public const byte CloseOnExecFlag = 1;

        private OpenFile[] _files;
        private byte* _flags;
        private int _size;
        // Every slot below it is in use (under the lock): the lowest-free search starts here, not at 0 (Linux's next_fd).
        private int _lowestFree;
        private TicketLock _lock;
        private static ulong s_hits, s_misses;

        public static ulong Hits => s_hits;
        public static ulong Misses => s_misses;

        private FileDescriptorTable() { _lock.Rank = LockRank.Descriptors; }

        public static FileDescriptorTable Create(int initialSize = 64)
        {
            FileDescriptorTable table = new FileDescriptorTable();
            table._files = new OpenFile[initialSize];
            table._flags = (byte*)KernelHeap.Allocate((ulong)initialSize);
            if (table._files == null || table._flags == null)
                return null;
            table._size = initialSize;
            return table;
        }

        /// <summary>The open file behind 'descriptor', with a reference for the caller; null (EBADF) if none.</summary>
        public OpenFile Get(int descriptor)
        {
            using (InterruptMask.Enter())
            using (_lock.Hold())
                return Lookup(descriptor);
        }

        /// <summary>
        /// Get's fast path, for the table's process when the caller is its only thread: nobody else changes the table
        /// (only the process's own threads install, close or grow; /proc only reads), so no lock is needed.
        /// </summary>
        public OpenFile GetFromOnlyThread(int descriptor) => Lookup(descriptor);

        /// <summary>
        /// GetFromOnlyThread without the reference, for a fast path that finishes before it returns to ring 3: the
        /// only thread that could close the descriptor is the caller. A hit or a miss is counted all the same.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public OpenFile PeekFromOnlyThread(int descriptor)
        {
            OpenFile file = (uint)descriptor < (uint)_size ? _files[descriptor] : null;
            if (file == null)
                s_misses++;
            else
                s_hits++;
            return file;
        }

        // Lock held, or the caller is the process's only thread: the slot's file with a reference, counted.
        private OpenFile Lookup(int descriptor)
        {
            OpenFile file = (uint)descriptor < (uint)_size ? _files[descriptor] : null;
            if (file == null)
            {
                s_misses++;
                return null;
            }
            s_hits++;
            file.AddReference();
            return file;
        }

        /// <summary>
        /// Puts 'file' in the lowest free slot at or above 'lowest' and below 'limit' (taking a reference of its own);
        /// the descriptor, or EMFILE.
        /// </summary>
        public Error Install(OpenFile file, int lowest, bool closeOnExec, int limit, out int descriptor)
        {
            descriptor = -1;
            if (limit > Capacity)
                limit = Capacity;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                for (int i = lowest > _lowestFree ? lowest : _lowestFree; i < limit; i++)
                {
                    if (i >= _size && !Grow(i + 1))
                        return Error.OutOfMemory;
                    if (_files[i] != null)
                        continue;
                    file.AddReference();
                    _files[i] = file;
                    _flags[i] = closeOnExec ? CloseOnExecFlag : (byte)0;
                    if (lowest <= _lowestFree)
                        _lowestFree = i + 1;   // the slots from the old mark to i were all in use
                    descriptor = i;
                    return Error.None;
                }
            }
            return Error.TooManyFiles;
        }

        /// <summary>dup2/dup3: 'file' at exactly 'descriptor', closing what was there (released after the lock).</summary>
        public Error InstallAt(OpenFile file, int descriptor, bool closeOnExec, int limit)
        {
            if (descriptor < 0 || descriptor >= limit || descriptor >= Capacity)
                return Error.BadHandle;
            OpenFile previous;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                if (descriptor >= _size && !Grow(descriptor + 1))
                    return Error.OutOfMemory;
                previous = _files[descriptor];
                file.AddReference();
                _files[descriptor] = file;
                _flags[descriptor] = closeOnExec ? CloseOnExecFlag : (byte)0;
            }
            if (previous != null)
                Closed(previous);
            return Error.None;
        }

        /// <summary>close: the slot is freed; the file description goes with its last reference.</summary>
        public Error Close(int descriptor)
        {
            OpenFile file;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                file = (uint)descriptor < (uint)_size ? _files[descriptor] : null;
                if (file == null)
                    return Error.BadHandle;
                _files[descriptor] = null;
                if (descriptor < _lowestFree)
                    _lowestFree = descriptor;
            }
            Closed(file);
            return Error.None;
        }

        /// <summary>
        /// A descriptor of the table let go of 'file' (close, dup2 over it, close-on-exec, the process's end): the
        /// process's record locks on the file go, whichever descriptor took them (POSIX's rule; the table is their
        /// owner, as Linux's files_struct), then the table's reference.
        /// </summary>
        private void Closed(OpenFile file)
        {
            RecordLocks.ReleaseOwner(file.Node, this);
            file.Release();
        }

        public Error GetFlags(int descriptor, out byte flags)
        {
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                flags = 0;
                if ((uint)descriptor >= (uint)_size || _files[descriptor] == null)
                    return Error.BadHandle;
                flags = _flags[descriptor];
                return Error.None;
            }
        }

        public Error SetFlags(int descriptor, byte flags)
        {
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                if ((uint)descriptor >= (uint)_size || _files[descriptor] == null)
                    return Error.BadHandle;
                _flags[descriptor] = flags;
                return Error.None;
            }
        }

        /// <summary>execve: every descriptor marked close-on-exec is closed.</summary>
        public void CloseOnExec()
        {
            // One hold of the lock per descriptor closed (and one to find there is none left), not one per slot:
            // a file is released outside the lock (its last release may take a file system's).
            for (int i = 0; i < _size; i++)
            {
                OpenFile file = null;
                using (InterruptMask.Enter())
                using (_lock.Hold())
                {
                    for (; i < _size; i++)
                    {
                        if (_files[i] != null && (_flags[i] & CloseOnExecFlag) != 0)
                        {
                            file = _files[i];
                            _files[i] = null;
                            if (i < _lowestFree)
                                _lowestFree = i;
                            break;
                        }
                    }
                }
                if (file != null)
                    Closed(file);
            }
        }

        /// <summary>fork: a new table naming the same open file descriptions, flags and all; null when memory runs out.</summary>
        public FileDescriptorTable Clone()
        {
            FileDescriptorTable copy = Create(_size);
            if (copy == null)
                return null;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                for (int i = 0; i < _size; i++)
                {
                    if (_files[i] == null)
                        continue;
                    _files[i].AddReference();
                    copy._files[i] = _files[i];
                    copy._flags[i] = _flags[i];
                }
                copy._lowestFree = _lowestFree;
            }
            return copy;
        }

        /// <summary>The process ends: every descriptor closes, then the table itself goes.</summary>
        public void Destroy()
        {
            for (int i = 0; i < _size; i++)
            {
                OpenFile file = _files[i];
                _files[i] = null;
                if (file != null)
                    Closed(file);
            }
            KernelHeap.Free(_flags);
            Exo.Runtime.ObjectAllocator.Free(_files);
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        /// <summary>
        /// For /proc/PID/fd: the lowest open descriptor at or above 'from', with its open file (a reference for the
        /// caller), or -1. Another process looking, not this one using a descriptor: counted as neither hit nor miss.
        /// </summary>
        public int NextOpen(int from, out OpenFile file)
        {
            file = null;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                for (int i = from < 0 ? 0 : from; i < _size; i++)
                {
                    if (_files[i] == null)
                        continue;
                    file = _files[i];
                    file.AddReference();
                    return i;
                }
            }
            return -1;
        }

        /// <summary>The slots the table has now (/proc/PID/status's FDSize).</summary>
        public int Size => _size;

        /// <summary>The number of open descriptors (for /proc/PID/status and tests).</summary>
        public int OpenCount
        {
            get
            {
                int count = 0;
                using (InterruptMask.Enter())
                using (_lock.Hold())
                    for (int i = 0; i < _size; i++)
                        if (_files[i] != null)
                            count++;
                return count;
            }
        }

        // Doubles the table to hold 'needed' slots (lock held; allocation under the Descriptors lock is in order).
        private bool Grow(int needed)
        {
            int size = _size;
            while (size < needed)
                size *= 2;
            if (size > Capacity)
                size = Capacity;
            if (size < needed)
                return false;
            OpenFile[] files = new OpenFile[size];
            byte* flags = (byte*)KernelHeap.Allocate((ulong)size);
            if (files == null || flags == null)
                return false;
            for (int i = 0; i < _size; i++)
            {
                files[i] = _files[i];
                flags[i] = _flags[i];
            }
            Exo.Runtime.ObjectAllocator.Free(_files);
            KernelHeap.Free(_flags);
            _files = files;
            _flags = flags;
            _size = size;
            return true;
        }
    }
}
