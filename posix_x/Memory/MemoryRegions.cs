using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Memory
{
    /// <summary>Page permissions of a region, as mmap's PROT_* bits.</summary>
    [System.Flags]
    public enum Protection : byte { None = 0, Read = 1, Write = 2, Execute = 4 }

    /// <summary>
    /// What a region is (what /proc/PID/maps names it): Heap "[heap]", Stack "[stack]", Vvar "[vvar]" (the kernel's
    /// time page), Vdso "[vdso]" (Optimization/Vdso); the others have no name.
    /// </summary>
    /// File: a private mapping of a file (MAP_PRIVATE); SharedFile: a shared one (MAP_SHARED) of a descriptor open for
    /// writing, SharedFileReadOnly of one that was not (it can never be made writable: EACCES).
    public enum RegionKind : byte { Anonymous, Image, Heap, Stack, Shared, Vvar, Vdso, File, SharedFile, SharedFileReadOnly }

    /// <summary>
    /// A Linux process's address space as mmap, munmap, mprotect, brk and /proc/PID/maps see it: a sorted list of
    /// regions [Start, End) with their permissions, over the kernel's AddressSpace (which holds the page tables:
    /// a region's pages are reserved there and filled on first touch). Placement for mmap without a fixed address
    /// is first fit downward from below the stack, as Linux does; the break grows upward from the end of the
    /// program image. Limits are explicit: at most <see cref="Capacity"/> regions (ENOMEM past them). A new program's
    /// regions include the vDSO and the time page (mapped here, for a spawn and an exec alike; fork copies them).
    /// One lock (ProcessMappings rank) guards the list and the break; it is held across the page-table work. The list's
    /// array is not zeroed (24 KiB at every fork and exec): only its first _count entries are ever read.
    /// </summary>
    public sealed unsafe class MemoryRegions
    {
        public const int Capacity = 1024;
        public const ulong PageSize = 0x1000;
        /// <summary>The stack's reach below its top (RLIMIT_STACK's default; the pages are reserved, not mapped).</summary>
        public const ulong StackReservation = 8UL << 20;
        /// <summary>The gap kept free below the stack's reservation before the first mmap placement.</summary>
        public const ulong StackGap = 128UL << 20;
        public const ulong LowestMapping = 0x10000;
        /// <summary>A file mapping's pages looked up and mapped per turn (their frames are held on the kernel stack).</summary>
        private const ulong FileMappingBatch = 64;

        public struct Region
        {
            public ulong Start, End;
            public Protection Protection;
            public RegionKind Kind;
            /// <summary>The file it maps (its number in the process's MappedFiles), 0 for none or the program's own image.</summary>
            public ushort File;
            /// <summary>The file offset of Start (files and program images; maps prints it).</summary>
            public ulong Offset;
        }

        private readonly Process _process;   // whose limits apply (RLIMIT_AS, DATA, STACK)
        private readonly AddressSpace _space;   // the page tables these regions describe
        // Processes using these regions: 1, or 2 while a vfork child borrows its parent's memory (Linux's shared mm).
        private int _users = 1;
        private Region* _regions;
        private int _count;
        private SpinLock _lock;
        private ulong _breakStart, _breakEnd;
        private ulong _mappingTop;   // mmap places below this
        private ulong _vdso;         // the vDSO's address (AT_SYSINFO_EHDR), 0 if it is not mapped
        private MappedFiles _files;  // the files regions map, made at the first (null until then)

        /// <summary>Where the vDSO was mapped when the program was loaded (AT_SYSINFO_EHDR), or 0 without one.</summary>
        public ulong VdsoAddress => _vdso;

        private MemoryRegions(Process process, AddressSpace space)
        {
            _process = process;
            _space = space;
            _lock.Rank = LockRank.ProcessMappings;
        }

        /// <summary>
        /// The regions of a freshly loaded Linux program: its segments, its stack (8 MiB reserved), the time page and
        /// the vDSO (mapped here), its empty break.
        /// </summary>
        public static MemoryRegions Create(Process process) => Create(process, process.AddressSpace, process.Image);

        /// <summary>
        /// The same for a program loaded into 'space' that is not yet the process's (execve, before it commits), with
        /// its dynamic linker's file if it has one (its segments, at ProgramLoader.InterpreterBase, are named by it).
        /// </summary>
        public static MemoryRegions Create(Process process, AddressSpace space, in ProgramImage image, Vfs.Vnode interpreter = null)
        {
            MemoryRegions regions = new MemoryRegions(process, space);
            regions._regions = (Region*)KernelHeap.AllocateUninitialized((ulong)(Capacity * sizeof(Region)));
            if (regions._regions == null)
            {
                Exo.Runtime.ObjectAllocator.Free(regions);
                return null;
            }
            for (int i = 0; i < image.SegmentCount; i++)
            {
                bool interpreterSegment = interpreter != null && image.InterpreterBase != 0 && image.SegmentStart[i] >= image.InterpreterBase;
                regions.Insert(image.SegmentStart[i], image.SegmentEnd[i], (Protection)image.SegmentProtection[i], RegionKind.Image,
                    interpreterSegment ? regions.UseFile(interpreter) : (ushort)0, image.SegmentOffset[i]);
            }
            ulong stackBottom = image.StackTop - StackReservationFor(process);
            ulong stackReserved = image.StackTop - image.StackMappedBytes;
            if (stackReserved > stackBottom)
                space.ReserveRange(stackBottom, (stackReserved - stackBottom) / PageSize, writable: true);
            regions.Insert(stackBottom, image.StackTop, Protection.Read | Protection.Write, RegionKind.Stack);
            regions._vdso = Optimization.Vdso.MapInto(space);
            if (regions._vdso != 0)
            {
                regions.Insert(Optimization.Vdso.TimePageAddress, Optimization.Vdso.TimePageAddress + PageSize, Protection.Read, RegionKind.Vvar);
                regions.Insert(regions._vdso, Optimization.Vdso.ImageEnd, Protection.Read | Protection.Execute, RegionKind.Vdso);
            }
            regions._breakStart = regions._breakEnd = image.ImageEnd;
            regions._mappingTop = stackBottom - StackGap;
            return regions;
        }

        /// <summary>The stack's reach: RLIMIT_STACK (8 MiB by default), at least what the loader mapped, at most 1 GiB.</summary>
        private static ulong StackReservationFor(Process process)
        {
            ulong limit = process.PersonalityState is KernelInterface.LinuxProcess linux
                ? linux.Limits.Current[KernelInterface.ResourceLimits.Stack] : StackReservation;
            if (limit > MaximumStackReservation)
                limit = MaximumStackReservation;
            if (limit < ProgramLoader.StackBytes)
                limit = ProgramLoader.StackBytes;
            return limit & ~(PageSize - 1);
        }

        private const ulong MaximumStackReservation = 1UL << 30;

        // Lock held: the bytes every region covers (what RLIMIT_AS limits).
        private ulong MappedBytesLocked()
        {
            ulong total = 0;
            for (int i = 0; i < _count; i++)
                total += _regions[i].End - _regions[i].Start;
            return total;
        }

        // Lock held: may 'growth' more bytes be mapped? RLIMIT_AS, and Linux's heuristic overcommit: no single
        // request larger than all of memory (such a request could only be satisfied by ending someone).
        /// <summary>
        /// Linux's accounted memory (VM_ACCOUNT): private writable mappings, which may each need a frame per page. Only
        /// those are held to the heuristic that one mapping cannot exceed the machine's memory; a PROT_NONE reservation
        /// (a runtime's heap range, a guard) or a shared or read-only one is not.
        /// </summary>
        private static bool Accountable(Protection protection, RegionKind kind) => (protection & Protection.Write) != 0 && !IsShared(kind);

        private bool MayGrow(ulong growth, bool accountable = true)
        {
            if (accountable && growth > Exo.Kernel.Memory.PhysicalMemory.TotalUsableBytes)
                return false;
            ulong limit = _process.PersonalityState is KernelInterface.LinuxProcess linux
                ? linux.Limits.Current[KernelInterface.ResourceLimits.AddressSpace] : ulong.MaxValue;
            return limit == KernelInterface.ResourceLimits.Infinity || MappedBytesLocked() + growth <= limit;
        }

        private ulong DataLimit => _process.PersonalityState is KernelInterface.LinuxProcess linux
            ? linux.Limits.Current[KernelInterface.ResourceLimits.Data] : KernelInterface.ResourceLimits.Infinity;

        /// <summary>fork: the same regions and break for the child (whose pages the kernel copied on write); null on no memory.</summary>
        public MemoryRegions CloneFor(Process child)
        {
            MemoryRegions copy = new MemoryRegions(child, child.AddressSpace);
            copy._regions = (Region*)KernelHeap.AllocateUninitialized((ulong)(Capacity * sizeof(Region)));
            if (copy._regions == null)
            {
                Exo.Runtime.ObjectAllocator.Free(copy);
                return null;
            }
            using (_lock.Hold())
            {
                for (int i = 0; i < _count; i++)
                    copy._regions[i] = _regions[i];
                copy._count = _count;
                if (_files != null)
                {
                    copy._files = new MappedFiles();
                    _files.CopyInto(copy._files);
                }
                copy._breakStart = _breakStart;
                copy._breakEnd = _breakEnd;
                copy._mappingTop = _mappingTop;
                copy._vdso = _vdso;
            }
            return copy;
        }

        /// <summary>vfork: the child uses these regions (and their address space) until it execs or ends.</summary>
        public void AddUser() => System.Threading.Interlocked.Increment(ref _users);

        /// <summary>A process no longer uses these regions: the last one frees them.</summary>
        public void Release()
        {
            if (System.Threading.Interlocked.Decrement(ref _users) != 0)
                return;
            KernelHeap.Free(_regions);
            _files?.Free();
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        /// <summary>
        /// mmap of anonymous memory: 'length' bytes (page-rounded) at 'address' if 'fixed' (replacing what was there),
        /// else near the hint when it is free, else where the placement finds room. The mapped address, or an error.
        /// </summary>
        public Error MapAnonymous(ulong address, ulong length, Protection protection, bool fixedAddress, RegionKind kind, out ulong mapped)
            => MapAnonymous(address, length, protection, fixedAddress, kind, null, 0, out mapped);

        /// <summary>
        /// The same, named in /proc/PID/maps by 'file' from 'offset' (a private copy of a file whose pages another process
        /// holds: MemoryCalls.MapCopy fills it).
        /// </summary>
        public Error MapAnonymous(ulong address, ulong length, Protection protection, bool fixedAddress, RegionKind kind,
            Vfs.Vnode file, ulong offset, out ulong mapped)
        {
            mapped = 0;
            length = (length + PageSize - 1) & ~(PageSize - 1);
            if (length == 0 || length > UserMemory.Limit)
                return Error.Invalid;
            using (_lock.Hold())
            {
                Error placed = PlaceLocked(ref address, length, fixedAddress);
                if (placed != Error.None)
                    return placed;
                if (_count >= Capacity - 2 || !MayGrow(length, Accountable(protection, kind)))
                    return Error.OutOfMemory;
                // One pass over the page tables (AddressSpace.ReserveRange; a large private range stays one deferred range,
                // PROT_NONE included); on a refusal, the pages it did reserve are undone.
                ulong reserved = _space.ReserveRange(address, length / PageSize, (protection & Protection.Write) != 0,
                    (protection & Protection.Execute) != 0, IsShared(kind), readable: protection != Protection.None);
                if (reserved != length / PageSize)
                {
                    UnmapPages(address, address + reserved * PageSize);
                    return Error.OutOfMemory;
                }
                Insert(address, address + length, protection, kind, file != null ? UseFile(file) : (ushort)0, offset);
                mapped = address;
                return Error.None;
            }
        }

        /// <summary>
        /// mmap of a file whose frames can be shared (Vnode.MapsFrames: tmpfs, its own page cache): 'length' bytes
        /// (page-rounded) of 'file' from 'offset' (page-aligned), placed as MapAnonymous places. Shared: every mapper
        /// and read(2) and write(2) see one page; private: the file's page until the first write copies it (untouched
        /// pages follow the file, as on Linux). The frames are mapped at once (a tmpfs file's pages are in memory
        /// anyway: no faults to take later). Pages wholly past the end of the file read as zeros (Linux sends SIGBUS)
        /// and are not the file's. 'mayWrite': the descriptor was open for writing (a shared mapping of one that was
        /// not can never be made writable).
        /// </summary>
        public Error MapFile(ulong address, ulong length, Protection protection, bool fixedAddress, bool shared, bool mayWrite,
            Vfs.Vnode file, ulong offset, out ulong mapped)
        {
            mapped = 0;
            length = (length + PageSize - 1) & ~(PageSize - 1);
            if (length == 0 || length > UserMemory.Limit || offset + length < offset)
                return Error.Invalid;
            RegionKind kind = !shared ? RegionKind.File : mayWrite ? RegionKind.SharedFile : RegionKind.SharedFileReadOnly;
            bool writable = (protection & Protection.Write) != 0, executable = (protection & Protection.Execute) != 0;
            using (_lock.Hold())
            {
                Error placed = PlaceLocked(ref address, length, fixedAddress);
                if (placed != Error.None)
                    return placed;
                if (_count >= Capacity - 2 || !MayGrow(length))
                    return Error.OutOfMemory;
                ulong* frames = stackalloc ulong[(int)FileMappingBatch];
                ulong pages = length / PageSize, filePages = (file.Size + PageSize - 1) / PageSize, firstPage = offset / PageSize;
                for (ulong done = 0; done < pages;)
                {
                    ulong page = address + done * PageSize;
                    if (firstPage + done >= filePages)
                    {
                        // Wholly past the end of the file: zeros, not the file's.
                        ulong reserved = _space.ReserveRange(page, pages - done, writable, executable, shared, readable: protection != Protection.None);
                        if (reserved != pages - done)
                        {
                            UnmapPages(address, page + reserved * PageSize);
                            return Error.OutOfMemory;
                        }
                        break;
                    }
                    ulong batch = pages - done < FileMappingBatch ? pages - done : FileMappingBatch;
                    ulong found = file.MapFrames(firstPage + done, batch, frames);
                    ulong placedPages = found == 0 ? 0 : _space.MapFileFrames(page, frames, found, writable, executable, shared,
                        readable: protection != Protection.None);
                    for (ulong unused = placedPages; unused < found; unused++)
                        PhysicalMemory.ReleaseFrame(frames[unused]);
                    done += placedPages;
                    // No frame inside the file is memory run out (ENOMEM), as is a page that could not be placed.
                    if (placedPages < found || (found < batch && firstPage + done < filePages))
                    {
                        UnmapPages(address, address + done * PageSize);
                        return Error.OutOfMemory;
                    }
                }
                Insert(address, address + length, protection, kind, UseFile(file), offset);
                mapped = address;
                return Error.None;
            }
        }

        // Lock held: where a new mapping of 'length' bytes goes: at 'address' if fixed (what was there is unmapped), else
        // there if it is free, else where placement finds room.
        private Error PlaceLocked(ref ulong address, ulong length, bool fixedAddress)
        {
            if (fixedAddress)
            {
                if ((address & (PageSize - 1)) != 0 || address < LowestMapping || !UserMemory.IsUserRange(address, length))
                    return Error.Invalid;
                UnmapLocked(address, length);
            }
            else if (address == 0 || (address & (PageSize - 1)) != 0 || address < LowestMapping
                || !UserMemory.IsUserRange(address, length) || Overlaps(address, address + length))
            {
                address = FindFree(length);
                if (address == 0)
                    return Error.OutOfMemory;
            }
            return Error.None;
        }

        /// <summary>msync: the range must be mapped (ENOMEM); a tmpfs file's pages are its cache, so nothing is written.</summary>
        public Error Synchronize(ulong address, ulong length)
        {
            length = (length + PageSize - 1) & ~(PageSize - 1);
            if ((address & (PageSize - 1)) != 0 || !UserMemory.IsUserRange(address, length == 0 ? PageSize : length))
                return Error.Invalid;
            using (_lock.Hold())
                return length == 0 || Covered(address, address + length) ? Error.None : Error.OutOfMemory;
        }

        /// <summary>munmap: what lies in [address, address + length) goes (parts of regions too); unmapped pages are no error.</summary>
        public Error Unmap(ulong address, ulong length)
        {
            length = (length + PageSize - 1) & ~(PageSize - 1);
            if ((address & (PageSize - 1)) != 0 || length == 0 || !UserMemory.IsUserRange(address, length))
                return Error.Invalid;
            using (_lock.Hold())
                UnmapLocked(address, length);
            return Error.None;
        }

        /// <summary>mprotect: every page of the range must be in a region (else ENOMEM, and nothing changes).</summary>
        public Error Protect(ulong address, ulong length, Protection protection)
        {
            length = (length + PageSize - 1) & ~(PageSize - 1);
            if ((address & (PageSize - 1)) != 0 || !UserMemory.IsUserRange(address, length == 0 ? PageSize : length))
                return Error.Invalid;
            if (length == 0)
                return Error.None;
            ulong end = address + length;
            using (_lock.Hold())
            {
                if (!Covered(address, end))
                    return Error.OutOfMemory;
                if ((protection & Protection.Write) != 0 && OverlapsShareable(address, end))
                    return Error.AccessDenied;   // the vDSO and the time page are every process's: never writable
                if ((protection & Protection.Write) != 0 && OverlapsKind(address, end, RegionKind.SharedFileReadOnly))
                    return Error.AccessDenied;   // a shared mapping of a file not open for writing (Linux: no VM_MAYWRITE)
                if (_count >= Capacity - 2)
                    return Error.OutOfMemory;
                Split(address);
                Split(end);
                for (int i = FirstEndingAtOrAfter(address); i < _count && _regions[i].Start < end; i++)
                    if (_regions[i].Start >= address && _regions[i].End <= end)
                        _regions[i].Protection = protection;
                for (ulong page = address; page < end; page += PageSize)
                    _space.Protect(page, (protection & Protection.Write) != 0, (protection & Protection.Execute) != 0,
                        readable: protection != Protection.None);
                Merge(address, end);
            }
            return Error.None;
        }

        /// <summary>brk: asks for the break at 'requested' (0 asks where it is); returns where the break now is.</summary>
        public ulong SetBreak(ulong requested)
        {
            using (_lock.Hold())
            {
                // Past the user half (brk(-100)): refused, as Linux does. Rounded up to a page, such a request wrapped
                // to 0 and looked like a shrink: everything from 0 to the break, the program's own image, was unmapped.
                if (requested < _breakStart || requested > UserMemory.Limit)
                    return _breakEnd;
                ulong oldTop = (_breakEnd + PageSize - 1) & ~(PageSize - 1);
                ulong newTop = (requested + PageSize - 1) & ~(PageSize - 1);
                if (newTop > oldTop)
                {
                    if (!UserMemory.IsUserRange(oldTop, newTop - oldTop) || Overlaps(oldTop, newTop) || _count >= Capacity - 2
                        || !MayGrow(newTop - oldTop))
                        return _breakEnd;
                    ulong dataLimit = DataLimit;
                    if (dataLimit != KernelInterface.ResourceLimits.Infinity && newTop - _breakStart > dataLimit)
                        return _breakEnd;   // RLIMIT_DATA
                    for (ulong page = oldTop; page < newTop; page += PageSize)
                    {
                        if (!_space.Reserve(page, writable: true))
                        {
                            UnmapPages(oldTop, page);
                            return _breakEnd;
                        }
                    }
                    Insert(oldTop, newTop, Protection.Read | Protection.Write, RegionKind.Heap);
                }
                else if (newTop < oldTop)
                {
                    UnmapLocked(newTop, oldTop - newTop);
                }
                _breakEnd = requested;
                return _breakEnd;
            }
        }

        /// <summary>
        /// mremap: the region part [address, address + oldLength) becomes 'newLength' bytes: cut short in place, grown
        /// in place when the pages after it are free, else (mayMove) moved, its pages with it (no copy), to where
        /// placement finds room or to 'target' (fixed, replacing what was there). The old range must lie within one
        /// region (EFAULT otherwise, as Linux).
        /// </summary>
        public Error Remap(ulong address, ulong oldLength, ulong newLength, bool mayMove, bool fixedTarget, ulong target, out ulong result)
        {
            result = 0;
            oldLength = (oldLength + PageSize - 1) & ~(PageSize - 1);
            newLength = (newLength + PageSize - 1) & ~(PageSize - 1);
            if ((address & (PageSize - 1)) != 0 || newLength == 0 || (fixedTarget && (!mayMove || (target & (PageSize - 1)) != 0)))
                return Error.Invalid;
            if (oldLength == 0)
                return Error.Invalid;   // duplicating a shared mapping (old size 0) is not offered
            using (_lock.Hold())
            {
                int index = -1;
                for (int i = 0; i < _count; i++)
                    if (_regions[i].Start <= address && address + oldLength <= _regions[i].End)
                        index = i;
                if (index < 0)
                    return Error.BadAddress;
                Region region = _regions[index];
                if (IsKernelShared(region.Kind) && newLength != oldLength)
                    return Error.Invalid;   // as Linux's vdso_mremap: the kernel's pages may move whole, never grow or shrink
                if (fixedTarget)
                {
                    if (!UserMemory.IsUserRange(target, newLength) || target < LowestMapping
                        || (target < address + oldLength && address < target + newLength))
                        return Error.Invalid;
                    if (_count >= Capacity - 4)
                        return Error.OutOfMemory;
                    UnmapLocked(target, newLength);
                    return MoveLocked(address, oldLength, newLength, target, region, out result);
                }
                if (newLength <= oldLength)
                {
                    if (newLength < oldLength)
                        UnmapLocked(address + newLength, oldLength - newLength);
                    result = address;
                    return Error.None;
                }
                ulong growth = newLength - oldLength;
                if (!MayGrow(growth))
                    return Error.OutOfMemory;
                ulong end = address + oldLength;
                if (UserMemory.IsUserRange(end, growth) && !Overlaps(end, end + growth) && _count < Capacity - 2)
                {
                    if (!ReserveLocked(end, end + growth, region.Protection, region.Kind))
                        return Error.OutOfMemory;
                    _files?.AddUse(region.File);
                    Insert(end, end + growth, region.Protection, region.Kind, region.File, region.Offset + (end - region.Start));
                    result = address;
                    return Error.None;
                }
                if (!mayMove)
                    return Error.OutOfMemory;
                ulong destination = FindFree(newLength);
                if (destination == 0 || _count >= Capacity - 4)
                    return Error.OutOfMemory;
                return MoveLocked(address, oldLength, newLength, destination, region, out result);
            }
        }

        // Lock held: moves [address, +oldLength)'s pages to 'destination' (free), reserves the rest up to newLength.
        private Error MoveLocked(ulong address, ulong oldLength, ulong newLength, ulong destination, in Region region, out ulong result)
        {
            result = 0;
            ulong kept = oldLength < newLength ? oldLength : newLength;
            for (ulong offset = 0; offset < kept; offset += PageSize)
            {
                if (!_space.MovePage(address + offset, destination + offset))
                {
                    for (ulong undo = 0; undo < offset; undo += PageSize)
                        _space.MovePage(destination + undo, address + undo);
                    return Error.OutOfMemory;
                }
            }
            if (newLength > kept && !ReserveLocked(destination + kept, destination + newLength, region.Protection, region.Kind))
            {
                for (ulong undo = 0; undo < kept; undo += PageSize)
                    _space.MovePage(destination + undo, address + undo);
                return Error.OutOfMemory;
            }
            _files?.AddUse(region.File);   // before the old range lets its use go
            UnmapLocked(address, oldLength);   // the moved pages are gone from here already; the rest goes
            Insert(destination, destination + newLength, region.Protection, region.Kind, region.File, region.Offset + (address - region.Start));
            result = destination;
            return Error.None;
        }

        // Lock held: page reservations for [start, end) as a region of this protection and kind would have them.
        private bool ReserveLocked(ulong start, ulong end, Protection protection, RegionKind kind)
        {
            for (ulong page = start; page < end; page += PageSize)
            {
                if (!_space.Reserve(page, (protection & Protection.Write) != 0, (protection & Protection.Execute) != 0, IsShared(kind)))
                {
                    UnmapPages(start, page);
                    return false;
                }
                if (protection == Protection.None)
                    _space.Protect(page, writable: false, executable: false, readable: false);
            }
            return true;
        }

        /// <summary>Whether any region overlaps [address, address + length) (MAP_FIXED_NOREPLACE).</summary>
        public bool Overlapping(ulong address, ulong length)
        {
            length = (length + PageSize - 1) & ~(PageSize - 1);
            using (_lock.Hold())
                return Overlaps(address, address + length);
        }

        /// <summary>Whether every page of the range lies in a region (madvise's ENOMEM otherwise).</summary>
        public bool Covers(ulong address, ulong length)
        {
            length = (length + PageSize - 1) & ~(PageSize - 1);
            using (_lock.Hold())
                return Covered(address, address + length);
        }

        /// <summary>
        /// mincore: 1 in 'vector' for each of the 'pages' pages from 'address' that has a frame (touched, or a file's
        /// page mapped at once), 0 for the others (reserved, never touched). The caller checked the range is mapped.
        /// </summary>
        public void Residency(ulong address, ulong pages, byte* vector)
        {
            ulong end = address + pages * PageSize;
            for (ulong page = address; page < end;)
            {
                ulong backed = _space.NextBacked(page, end);
                for (; page < backed; page += PageSize)
                    vector[(page - address) / PageSize] = 0;
                if (backed < end)
                {
                    vector[(backed - address) / PageSize] = 1;
                    page = backed + PageSize;
                }
            }
        }

        /// <summary>
        /// MADV_DONTNEED: the touched pages of the range go back (their frames are freed); the range stays mapped
        /// with its permissions, and the next touch finds zeros. Pages outside every region: ENOMEM.
        /// </summary>
        public Error Discard(ulong address, ulong length)
        {
            length = (length + PageSize - 1) & ~(PageSize - 1);
            if (!UserMemory.IsUserRange(address, length == 0 ? PageSize : length))
                return Error.Invalid;
            using (_lock.Hold())
            {
                if (!Covered(address, address + length))
                    return Error.OutOfMemory;
                for (int i = 0; i < _count; i++)
                {
                    if (_regions[i].Kind == RegionKind.Image || IsKernelShared(_regions[i].Kind) || IsFile(_regions[i].Kind))
                        continue;   // not anonymous memory: a file (Linux drops private copies; kept here), or the kernel's shared pages
                    ulong start = _regions[i].Start > address ? _regions[i].Start : address;
                    ulong end = _regions[i].End < address + length ? _regions[i].End : address + length;
                    Protection protection = _regions[i].Protection;
                    // Only pages that may hold a frame: the rest already read as zeros (a thread's stack is mostly such).
                    for (ulong page = _space.NextBacked(start, end); page < end; page = _space.NextBacked(page + PageSize, end))
                    {
                        _space.Unmap(page);
                        _space.Reserve(page, (protection & Protection.Write) != 0, (protection & Protection.Execute) != 0);
                        if (protection == Protection.None)
                            _space.Protect(page, writable: false, executable: false, readable: false);
                    }
                }
            }
            return Error.None;
        }

        /// <summary>Copies up to 'capacity' regions into 'into' (for /proc/PID/maps); the number copied.</summary>
        public int Snapshot(Region* into, int capacity)
        {
            using (_lock.Hold())
            {
                int count = _count < capacity ? _count : capacity;
                for (int i = 0; i < count; i++)
                    into[i] = _regions[i];
                return count;
            }
        }

        // ------------------------------------------------------------------ the list (lock held)

        private bool Overlaps(ulong start, ulong end)
        {
            for (int i = 0; i < _count; i++)
                if (_regions[i].Start < end && start < _regions[i].End)
                    return true;
            return false;
        }

        // The vDSO and the time page: the kernel's pages, mapped into every process, never anonymous memory.
        // Lock held: undoes the pages a mapping placed in [start, end) before one failed.
        private void UnmapPages(ulong start, ulong end)
        {
            for (ulong page = start; page < end; page += PageSize)
                _space.Unmap(page);
        }

        /// <summary>Whether a region of this kind is MAP_SHARED (anonymous or a file's): its pages stay shared with fork children.</summary>
        public static bool IsShared(RegionKind kind)
            => kind == RegionKind.Shared || kind == RegionKind.SharedFile || kind == RegionKind.SharedFileReadOnly;

        private static bool IsFile(RegionKind kind)
            => kind == RegionKind.File || kind == RegionKind.SharedFile || kind == RegionKind.SharedFileReadOnly;

        private static bool IsKernelShared(RegionKind kind) => kind == RegionKind.Vdso || kind == RegionKind.Vvar;

        // Whether [start, end) touches the vDSO or the time page (pages every process shares with the kernel).
        private bool OverlapsKind(ulong start, ulong end, RegionKind kind)
        {
            for (int i = 0; i < _count; i++)
                if (_regions[i].Kind == kind && _regions[i].Start < end && start < _regions[i].End)
                    return true;
            return false;
        }

        private bool OverlapsShareable(ulong start, ulong end)
        {
            for (int i = 0; i < _count; i++)
                if (IsKernelShared(_regions[i].Kind) && _regions[i].Start < end && start < _regions[i].End)
                    return true;
            return false;
        }

        private bool Covered(ulong start, ulong end)
        {
            ulong position = start;
            for (int i = 0; i < _count && position < end; i++)
            {
                if (_regions[i].End <= position)
                    continue;
                if (_regions[i].Start > position)
                    return false;
                position = _regions[i].End;
            }
            return position >= end;
        }

        // Highest free range of 'length' bytes below the mapping top (regions are sorted by address).
        private ulong FindFree(ulong length)
        {
            ulong ceiling = _mappingTop;
            for (int i = _count - 1; i >= -1; i--)
            {
                ulong floor = i >= 0 ? _regions[i].End : LowestMapping;
                if (i >= 0 && _regions[i].Start >= ceiling)
                    continue;
                if (ceiling > floor && ceiling - floor >= length)
                    return ceiling - length;
                if (i >= 0)
                    ceiling = _regions[i].Start < ceiling ? _regions[i].Start : ceiling;
            }
            return 0;
        }

        // Lock held: one region more will name 'node' (MappedFiles.Use, the table made at the first); 0 past its limit.
        private ushort UseFile(Vfs.Vnode node)
        {
            _files ??= new MappedFiles();
            return _files.Use(node);
        }

        /// <summary>File 'number' of a region (Region.File) with a reference, or null (for /proc/PID/maps).</summary>
        public Vfs.Vnode MappedFile(ushort number)
        {
            using (_lock.Hold())
                return _files?.Get(number);
        }

        // 'file': a use of it (UseFile, AddUse) the new region takes over; 'offset': the file offset of 'start'.
        private void Insert(ulong start, ulong end, Protection protection, RegionKind kind, ushort file = 0, ulong offset = 0)
        {
            int at = 0;
            while (at < _count && _regions[at].Start < start)
                at++;
            for (int i = _count; i > at; i--)
                _regions[i] = _regions[i - 1];
            _regions[at] = new Region { Start = start, End = end, Protection = protection, Kind = kind, File = file, Offset = offset };
            _count++;
            Merge(start, end);
        }

        // Cuts the region containing 'address' in two there (no-op at a boundary).
        private void Split(ulong address)
        {
            int i = FirstEndingAtOrAfter(address + 1);   // the first region that ends past 'address'
            if (i >= _count || _regions[i].Start >= address)
                return;
            for (int j = _count; j > i + 1; j--)
                _regions[j] = _regions[j - 1];
            _regions[i + 1] = _regions[i];
            _regions[i].End = address;
            _regions[i + 1].Start = address;
            _regions[i + 1].Offset += address - _regions[i].Start;
            _files?.AddUse(_regions[i].File);
            _count++;
        }

        // Joins neighbours that touch and have the same permissions and kind (and, for a file or an image, the same file
        // at following offsets), among the regions that touch [start, end]: the range a change made, so the regions on
        // either side of it too. Elsewhere the list is merged already (every change merges), so only there can two
        // regions join; walking the whole list cost about 940 instructions a call in a process with many thread stacks.
        private void Merge(ulong start, ulong end)
        {
            int first = FirstEndingAtOrAfter(start);
            if (first >= _count)
                return;
            int last = first;
            while (last + 1 < _count && _regions[last + 1].Start <= end)
                last++;
            int write = first + 1;
            for (int read = first + 1; read <= last; read++)
            {
                if (Joinable(_regions[write - 1], _regions[read]))
                {
                    _regions[write - 1].End = _regions[read].End;
                    _files?.DropUse(_regions[read].File);
                    continue;
                }
                if (write != read)
                    _regions[write] = _regions[read];
                write++;
            }
            int removed = last + 1 - write;
            if (removed == 0)
                return;
            for (int read = last + 1; read < _count; read++)
                _regions[read - removed] = _regions[read];
            _count -= removed;
        }

        // The index of the first region whose End is at or after 'address' (_count if none): regions are sorted and
        // disjoint, so their ends are sorted too.
        private int FirstEndingAtOrAfter(ulong address)
        {
            int low = 0, high = _count;
            while (low < high)
            {
                int middle = (low + high) >> 1;
                if (_regions[middle].End < address)
                    low = middle + 1;
                else
                    high = middle;
            }
            return low;
        }

        private static bool Joinable(in Region before, in Region after)
            => before.End == after.Start && before.Protection == after.Protection && before.Kind == after.Kind && before.File == after.File
                && (before.File == 0 && before.Kind != RegionKind.Image || before.Offset + (before.End - before.Start) == after.Offset);

        private void UnmapLocked(ulong address, ulong length)
        {
            ulong end = address + length;
            if (_count >= Capacity - 2)
                return;
            Split(address);
            Split(end);
            int write = 0;
            for (int read = 0; read < _count; read++)
            {
                if (_regions[read].Start >= address && _regions[read].End <= end)
                {
                    _files?.DropUse(_regions[read].File);
                    continue;
                }
                _regions[write++] = _regions[read];
            }
            _count = write;
            _space.UnmapRange(address, end);
        }
    }
}
