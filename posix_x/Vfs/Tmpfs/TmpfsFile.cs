using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Tmpfs
{
    /// <summary>
    /// A tmpfs regular file: its bytes in page frames, found through a table of frame addresses indexed by page
    /// (0: a hole, which reads as zeros; sparse files cost nothing for their holes). The table doubles as the
    /// file grows. Frames come from the kernel's allocator and go back when the file shrinks or is freed.
    /// </summary>
    public sealed unsafe class TmpfsFile : Vnode
    {
        private const ulong PageSize = 4096;
        /// <summary>The largest tmpfs file (an explicit limit): EFBIG past it.</summary>
        public const ulong MaximumSize = 1UL << 32;
        /// <summary>
        /// The largest memfd (MemoryFiles): .NET's JIT sizes the memfd of its double mapping to 2 TiB with ftruncate
        /// and uses what it maps of it. Only pages written or mapped cost memory (and the page table up to the highest:
        /// 8 bytes a page), so a write or mapping far out fails with ENOSPC when that table cannot be had.
        /// </summary>
        public const ulong MemoryFileMaximumSize = 1UL << 43;

        private new readonly TmpfsFileSystem FileSystem;
        private ulong* _pages;
        private ulong _pageCapacity;
        private ulong _size;
        private ulong _pagesUsed;
        private int _seals = FileSeals.Seal;
        private ulong _maximumSize = MaximumSize;

        /// <summary>Its seals (FileSeals): F_SEAL_SEAL unless it is a memfd made to be sealed (MemoryFiles).</summary>
        public int Seals => System.Threading.Volatile.Read(ref _seals);

        public TmpfsFile(TmpfsFileSystem fileSystem, uint mode, uint userId, uint groupId) : base(fileSystem, mode)
        {
            FileSystem = fileSystem;
            UserId = userId;
            GroupId = groupId;
            System.Threading.Interlocked.Increment(ref fileSystem.NodesInUse);
        }

        public override ulong Size => _size;
        public override ulong Blocks => _pagesUsed * (PageSize / 512);

        public override Error Read(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                if (offset >= _size)
                    return Error.None;
                if (count > _size - offset)
                    count = _size - offset;
                while (done < count)
                {
                    ulong position = offset + done;
                    ulong page = position / PageSize, within = position % PageSize;
                    ulong chunk = PageSize - within < count - done ? PageSize - within : count - done;
                    ulong frame = page < _pageCapacity ? _pages[page] : 0;
                    bool copied = frame == 0 ? buffer.Zero(done, chunk)
                        : buffer.CopyIn(done, (byte*)PhysicalMemory.ToVirtual(frame) + within, chunk);
                    if (!copied)
                        return done == 0 ? Error.BadAddress : Error.None;
                    done += chunk;
                }
                Accessed = Timestamp.Now;
                return Error.None;
            }
        }

        public override Error Write(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (offset >= _maximumSize)
                return count == 0 ? Error.None : Error.FileTooLarge;
            if (count > _maximumSize - offset)
                count = _maximumSize - offset;
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                // Linux's shmem_write_begin: a write-sealed file takes no write, a grow-sealed one stops at its end
                // (a write that crosses it is short, one that starts there EPERM).
                if ((_seals & FileSeals.Writing) != 0 || ((_seals & FileSeals.Grow) != 0 && count > 0 && offset >= _size))
                    return Error.NotPermitted;
                if ((_seals & FileSeals.Grow) != 0 && count > _size - offset)
                    count = _size - offset;
                while (done < count)
                {
                    ulong position = offset + done;
                    ulong page = position / PageSize, within = position % PageSize;
                    ulong chunk = PageSize - within < count - done ? PageSize - within : count - done;
                    ulong frame = PageFor(page);
                    if (frame == 0)
                    {
                        if (done == 0)
                            return Error.NoSpace;
                        break;
                    }
                    if (!buffer.CopyOut(done, (byte*)PhysicalMemory.ToVirtual(frame) + within, chunk))
                    {
                        if (done == 0)
                            return Error.BadAddress;
                        break;
                    }
                    done += chunk;
                }
                if (offset + done > _size)
                    _size = offset + done;
                if (done > 0)
                    Modified = Changed = Timestamp.Now;
                return Error.None;
            }
        }

        public override Error SetSize(ulong size)
        {
            if (size > _maximumSize)
                return Error.FileTooLarge;
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                if ((size < _size && (_seals & FileSeals.Shrink) != 0) || (size > _size && (_seals & FileSeals.Grow) != 0))
                    return Error.NotPermitted;
                if (size < _size)
                {
                    ulong firstWhole = (size + PageSize - 1) / PageSize;
                    for (ulong page = firstWhole; page < _pageCapacity; page++)
                        FreePage(page);
                    // The kept part of the last page: its tail reads as zeros if the file grows again.
                    ulong within = size % PageSize;
                    if (within != 0 && size / PageSize < _pageCapacity && _pages[size / PageSize] != 0)
                    {
                        byte* data = (byte*)PhysicalMemory.ToVirtual(_pages[size / PageSize]);
                        for (ulong i = within; i < PageSize; i++)
                            data[i] = 0;
                    }
                }
                _size = size;   // growing leaves a hole
                Modified = Changed = Timestamp.Now;
                return Error.None;
            }
        }

        /// <summary>
        /// F_ADD_SEALS on the file (FileSeals.Add checked the rest): EPERM once F_SEAL_SEAL is set. A writable shared
        /// mapping made before F_SEAL_WRITE keeps writing (Linux refuses the seal with EBUSY: mappings are not counted here).
        /// </summary>
        public Error AddSeals(int seals)
        {
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                if ((_seals & FileSeals.Seal) != 0)
                    return Error.NotPermitted;
                _seals |= seals;
                return Error.None;
            }
        }

        /// <summary>A memfd made with MFD_ALLOW_SEALING starts with no seal (MemoryFiles, before anyone else sees the file).</summary>
        internal void AllowSealing() => _seals = 0;

        /// <summary>A memfd may grow to MemoryFileMaximumSize (MemoryFiles, before anyone else sees the file).</summary>
        internal void AllowMemoryFileSize() => _maximumSize = MemoryFileMaximumSize;

        // tmpfs is its own page cache: a mapping shares the file's frames, so that what one mapper writes every mapper,
        // read(2) and write(2) see. A frame the file lets go of (truncation, removal) stays with its mappers until
        // the last one unmaps it (FreePage releases, it does not free).
        public override bool MapsFrames => true;

        public override ulong MapFrame(ulong page)
        {
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                if (page >= (_size + PageSize - 1) / PageSize)
                    return 0;   // past the end of the file
                ulong frame = PageFor(page);
                if (frame != 0)
                    PhysicalMemory.ShareFrame(frame);
                return frame;
            }
        }

        public override ulong MapFrames(ulong page, ulong count, ulong* frames)
        {
            using (InterruptMask.Enter())
            using (FileSystem.Lock.Hold())
            {
                ulong pages = (_size + PageSize - 1) / PageSize, done = 0;
                for (; done < count && page + done < pages; done++)
                {
                    ulong frame = PageFor(page + done);
                    if (frame == 0)
                        break;
                    PhysicalMemory.ShareFrame(frame);
                    frames[done] = frame;
                }
                return done;
            }
        }

        // The frame of 'page', allocated (zeroed) if it is a hole; 0 when memory runs out. Lock held.
        private ulong PageFor(ulong page)
        {
            if (page >= _pageCapacity && !GrowTable(page + 1))
                return 0;
            if (_pages[page] == 0)
            {
                if (FileSystem.MaximumPages != 0 && (ulong)FileSystem.PagesInUse >= FileSystem.MaximumPages)
                    return 0;   // the mount's size= is reached: ENOSPC
                ulong frame = PhysicalMemory.AllocateFrame();
                if (frame == 0)
                    return 0;
                _pages[page] = frame;
                _pagesUsed++;
                System.Threading.Interlocked.Increment(ref FileSystem.PagesInUse);
            }
            return _pages[page];
        }

        private void FreePage(ulong page)
        {
            if (_pages[page] == 0)
                return;
            PhysicalMemory.ReleaseFrame(_pages[page]);   // freed unless a mapping still shares it
            _pages[page] = 0;
            _pagesUsed--;
            System.Threading.Interlocked.Decrement(ref FileSystem.PagesInUse);
        }

        private bool GrowTable(ulong pages)
        {
            ulong capacity = _pageCapacity == 0 ? 16 : _pageCapacity;
            while (capacity < pages)
                capacity *= 2;
            ulong* table = (ulong*)KernelHeap.Allocate(capacity * 8);   // zeroed: holes
            if (table == null)
                return false;
            for (ulong i = 0; i < _pageCapacity; i++)
                table[i] = _pages[i];
            if (_pages != null)
                KernelHeap.Free(_pages);
            _pages = table;
            _pageCapacity = capacity;
            return true;
        }

        protected override void Destroy()
        {
            for (ulong page = 0; page < _pageCapacity; page++)
                FreePage(page);
            if (_pages != null)
                KernelHeap.Free(_pages);
            System.Threading.Interlocked.Decrement(ref FileSystem.NodesInUse);
            base.Destroy();
        }
    }
}
