using Exo.Kernel.Arch.X64;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.Kernel.Memory;
using Exo.PosixX.Memory;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux memory calls over the process's MemoryRegions: brk, mmap (anonymous, private or shared; fixed,
    /// fixed-no-replace or placed), munmap, mprotect, madvise. Pages are reserved at map time and filled with
    /// zeros on first touch (the kernel's demand paging); a process that runs out of memory is ended by its
    /// page fault, never the kernel. mremap moves pages without copying them. Shared anonymous mappings stay
    /// shared with fork children (the kernel gives their pages frames at fork). Files: a tmpfs file's own frames, private
    /// (copied on the first write) or shared (MemoryRegions.MapFile; never writable once write-sealed, FileSeals); a disk's file (ringfs) private only, as a copy (MapCopy);
    /// /dev/zero as anonymous memory; other files ENODEV.
    /// </summary>
    public static unsafe class MemoryCalls
    {
        // mmap flags (Linux's asm-generic/mman-common.h and x86 additions).
        private const ulong MapShared = 0x01, MapPrivate = 0x02, MapSharedValidate = 0x03, MapTypeMask = 0x0F,
            MapFixed = 0x10, MapAnonymous = 0x20, MapFixedNoReplace = 0x100000;
        private const ulong ProtectionMask = 0x7;
        private const int AdviseDontNeed = 4;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Brk, &DoBreak, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mmap, &DoMap, CallPath.Hybrid);
            LinuxSystemCalls.Register(Munmap, &DoUnmap, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mprotect, &DoProtect, CallPath.Hybrid);
            LinuxSystemCalls.Register(Madvise, &DoAdvise, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mremap, &DoRemap, CallPath.Hybrid);
            LinuxSystemCalls.Register(Msync, &DoSynchronize, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mincore, &DoResidency, CallPath.Hybrid);
        }

        private static ulong DoBreak(RegisterFrame* frame) => LinuxProcess.Current.Regions.SetBreak(frame->Argument0);

        private static ulong DoMap(RegisterFrame* frame)
        {
            ulong address = frame->Argument0, length = frame->Argument1, protection = frame->Argument2, flags = frame->Argument3;
            ulong type = flags & MapTypeMask;
            if ((protection & ~ProtectionMask) != 0 || (type != MapShared && type != MapPrivate && type != MapSharedValidate) || length == 0
                || (frame->Argument5 & 0xFFF) != 0)
                return SystemCallResult.From(Error.Invalid);
            // Linux's order: a length that wraps when rounded to pages, or larger than the user half, is ENOMEM.
            ulong rounded = (length + 0xFFF) & ~0xFFFUL;
            if (rounded == 0 || rounded > UserMemory.Limit)
                return SystemCallResult.From(Error.OutOfMemory);
            if ((flags & MapAnonymous) == 0)
                return MapFile(frame, address, length, (Protection)protection, flags, type);
            if (type == MapSharedValidate)
                return SystemCallResult.From(Error.Invalid);   // MAP_SHARED|MAP_PRIVATE: anonymous memory has no such type
            MemoryRegions regions = LinuxProcess.Current.Regions;
            if ((flags & MapFixedNoReplace) != 0 && regions.Overlapping(address, length))
                return SystemCallResult.From(Error.AlreadyExists);
            bool fixedAddress = (flags & (MapFixed | MapFixedNoReplace)) != 0;
            if (fixedAddress && (address & 0xFFF) == 0 && !UserMemory.IsUserRange(address, rounded))
                return SystemCallResult.From(Error.OutOfMemory);   // Linux: a fixed range past the user half is ENOMEM
            Error error = regions.MapAnonymous(address, length, (Protection)protection, fixedAddress,
                type == MapPrivate ? RegionKind.Anonymous : RegionKind.Shared, out ulong mapped);
            return SystemCallResult.From(error, mapped);
        }

        // mmap of a descriptor: Linux's checks in its order (EBADF, ENODEV for what has no pages to map, EACCES for the
        // access the descriptor lacks), then the file's pages (MemoryRegions.MapFile). /dev/zero maps anonymous memory,
        // as Linux's does. A file whose pages another process holds (a disk's, ringfs): private mappings as a copy (MapCopy).
        private static ulong MapFile(RegisterFrame* frame, ulong address, ulong length, Protection protection, ulong flags, ulong type)
        {
            OpenFile file = DescriptorContext.File(frame->Argument4);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Vfs.Vnode node = file.MappingNode;
            bool shared = type != MapPrivate;
            Error error = Error.None;
            bool zero = file is MemoryDeviceFile device && device.IsZero;
            bool writeSealed = (FileSeals.Of(node) & FileSeals.Writing) != 0;
            if (zero)
                error = Error.None;
            else if (!node.IsRegular || !(node.MapsFrames || (node.MapsCopies && !shared)))
                error = Error.NoDevice;
            else if (!file.CanRead || (shared && (protection & Protection.Write) != 0 && !file.CanWrite))
                error = Error.AccessDenied;
            else if (shared && (protection & Protection.Write) != 0 && writeSealed)
                error = Error.NotPermitted;   // F_SEAL_WRITE, F_SEAL_FUTURE_WRITE
            if (error != Error.None)
            {
                file.Release();
                return SystemCallResult.From(error);
            }
            MemoryRegions regions = LinuxProcess.Current.Regions;
            if ((flags & MapFixedNoReplace) != 0 && regions.Overlapping(address, length))
            {
                file.Release();
                return SystemCallResult.From(Error.AlreadyExists);
            }
            bool fixedAddress = (flags & (MapFixed | MapFixedNoReplace)) != 0;
            ulong mapped;
            if (zero)
                error = regions.MapAnonymous(address, length, protection, fixedAddress, shared ? RegionKind.Shared : RegionKind.Anonymous, out mapped);
            else if (!node.MapsFrames)
                error = MapCopy(regions, address, length, protection, fixedAddress, node, frame->Argument5, out mapped);
            else
                error = regions.MapFile(address, length, protection, fixedAddress, shared, file.CanWrite && !writeSealed, node, frame->Argument5, out mapped);
            file.Release();
            return SystemCallResult.From(error, mapped);
        }

        /// <summary>
        /// A private mapping of a file whose pages live in another process (Vnode.MapsCopies: a ringfs mount's): private
        /// anonymous memory, filled with the file's bytes at map time and then given the asked protection. What the
        /// mapping shows is the file as it was then (Linux's untouched private pages follow later writes to the file);
        /// bytes past the end of the file read as zeros. This is how the dynamic linker maps libraries from a disk.
        /// </summary>
        private static Error MapCopy(MemoryRegions regions, ulong address, ulong length, Protection protection, bool fixedAddress,
            Vfs.Vnode node, ulong offset, out ulong mapped)
        {
            Error error = regions.MapAnonymous(address, length, Protection.Read | Protection.Write, fixedAddress, RegionKind.Anonymous,
                node, offset, out mapped);
            if (error != Error.None)
                return error;
            ulong size = node.Size;
            ulong count = offset < size ? size - offset : 0;
            if (count > length)
                count = length;
            if (count != 0)
            {
                error = node.Read(offset, IoBuffer.User(mapped), count, out _);
                if (error != Error.None)
                {
                    regions.Unmap(mapped, length);
                    mapped = 0;
                    return error;
                }
            }
            if (protection != (Protection.Read | Protection.Write))
                regions.Protect(mapped, length, protection);
            return Error.None;
        }

        private const ulong SyncAsynchronous = 1, SyncInvalidate = 2, SyncSynchronous = 4;

        // msync(address, length, flags): MS_ASYNC and MS_SYNC together, or other bits, are EINVAL; an unmapped page ENOMEM.
        private static ulong DoSynchronize(RegisterFrame* frame)
        {
            ulong flags = frame->Argument2;
            if ((flags & ~(SyncAsynchronous | SyncInvalidate | SyncSynchronous)) != 0
                || (flags & (SyncAsynchronous | SyncSynchronous)) == (SyncAsynchronous | SyncSynchronous))
                return SystemCallResult.From(Error.Invalid);
            return SystemCallResult.From(LinuxProcess.Current.Regions.Synchronize(frame->Argument0, frame->Argument1));
        }

        /// <summary>How many pages mincore looks at per pass (its vector is copied out per pass, from the stack).</summary>
        private const ulong ResidencyChunk = 256;

        // mincore(address, length, vector): one byte per page, 1 when it has a frame. EINVAL for an unaligned address,
        // ENOMEM for a range outside the user half or with an unmapped page, EFAULT for the vector (Linux's order).
        private static ulong DoResidency(RegisterFrame* frame)
        {
            ulong address = frame->Argument0, length = frame->Argument1, vector = frame->Argument2;
            if ((address & 0xFFF) != 0)
                return SystemCallResult.From(Error.Invalid);
            ulong pages = (length + 0xFFF) >> 12;
            if (length > UserMemory.Limit || !UserMemory.IsUserRange(address, pages << 12))
                return SystemCallResult.From(Error.OutOfMemory);
            if (pages == 0)
                return 0;
            if (!UserMemory.IsUserRange(vector, pages))
                return SystemCallResult.From(Error.BadAddress);
            MemoryRegions regions = LinuxProcess.Current.Regions;
            byte* chunk = stackalloc byte[(int)ResidencyChunk];
            for (ulong done = 0; done < pages; done += ResidencyChunk)
            {
                ulong count = pages - done < ResidencyChunk ? pages - done : ResidencyChunk;
                ulong start = address + (done << 12);
                if (!regions.Covers(start, count << 12))
                    return SystemCallResult.From(Error.OutOfMemory);
                regions.Residency(start, count, chunk);
                if (!UserMemory.CopyToUser(vector + done, chunk, count))
                    return SystemCallResult.From(Error.BadAddress);
            }
            return 0;
        }

        private const ulong RemapMayMove = 1, RemapFixed = 2, RemapDontUnmap = 4;

        // mremap(old_address, old_size, new_size, flags, new_address)
        private static ulong DoRemap(RegisterFrame* frame)
        {
            ulong flags = frame->Argument3;
            if ((flags & ~(RemapMayMove | RemapFixed | RemapDontUnmap)) != 0 || (flags & RemapDontUnmap) != 0)
                return SystemCallResult.From(Error.Invalid);   // MREMAP_DONTUNMAP: not offered
            Error error = LinuxProcess.Current.Regions.Remap(frame->Argument0, frame->Argument1, frame->Argument2,
                (flags & RemapMayMove) != 0, (flags & RemapFixed) != 0, frame->Argument4, out ulong result);
            return SystemCallResult.From(error, result);
        }

        private static ulong DoUnmap(RegisterFrame* frame)
            => SystemCallResult.From(LinuxProcess.Current.Regions.Unmap(frame->Argument0, frame->Argument1));

        private static ulong DoProtect(RegisterFrame* frame)
        {
            if ((frame->Argument2 & ~ProtectionMask) != 0)
                return SystemCallResult.From(Error.Invalid);
            return SystemCallResult.From(LinuxProcess.Current.Regions.Protect(frame->Argument0, frame->Argument1, (Protection)frame->Argument2));
        }

        // MADV_DONTNEED gives private anonymous pages back: the next touch finds zeros. Other advice Linux knows is
        // accepted and ignored, as a hint may be; advice it does not know is EINVAL, and a range with an unmapped
        // page ENOMEM, as Linux answers.
        private static ulong DoAdvise(RegisterFrame* frame)
        {
            ulong address = frame->Argument0, length = frame->Argument1;
            int advice = (int)frame->Argument2;
            if ((address & 0xFFF) != 0 || !IsKnownAdvice(advice))
                return SystemCallResult.From(Error.Invalid);
            if (length == 0)
                return 0;
            MemoryRegions regions = LinuxProcess.Current.Regions;
            if (advice == AdviseDontNeed)
                return SystemCallResult.From(regions.Discard(address, length));
            if (!UserMemory.IsUserRange(address, length))
                return SystemCallResult.From(Error.Invalid);
            return regions.Covers(address, length) ? 0 : SystemCallResult.From(Error.OutOfMemory);
        }

        // MADV_NORMAL..MADV_DONTNEED (0-4), MADV_FREE..MADV_COLLAPSE (8-25), MADV_HWPOISON and MADV_SOFT_OFFLINE (100, 101).
        private static bool IsKnownAdvice(int advice)
            => (advice >= 0 && advice <= 4) || (advice >= 8 && advice <= 25) || advice == 100 || advice == 101;
    }
}
