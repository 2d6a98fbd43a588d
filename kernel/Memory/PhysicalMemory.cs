using Exo.Kernel.Boot;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// The physical frame allocator: the firmware's available memory minus everything that is in use at
    /// boot (the first MiB, the kernel image, the boot information, command line and modules), tracked in
    /// a bitmap that lives in the first free range large enough for it.
    /// </summary>
    public static unsafe class PhysicalMemory
    {
        public const ulong FrameSize = 4096;
        private static FrameBitmap s_bitmap;
        private static PhysicalRangeSet s_usable;
        // Everything the firmware calls RAM (available or ACPI), before the boot reservations are cut out:
        // what no driver may map (Drivers.PhysicalRangePolicy).
        private static PhysicalRangeSet s_firmwareRam;
        private static ulong s_highestAddress;      // end of the highest available range
        private static ulong s_totalUsableBytes;
        private static ulong s_bitmapPhysical, s_bitmapBytes;
        // Before paging is switched, physical memory is reached through the boot identity map (offset 0).
        private static ulong s_physicalOffset;

        public static ulong TotalUsableBytes => s_totalUsableBytes;
        public static ulong FreeBytes => KernelHeap.IsReady ? KernelHeap.FreePageCount * FrameSize : s_bitmap.FreeFrames * FrameSize;
        public static ulong HighestAddress => s_highestAddress;

        public static void Initialize(BootInformation* boot)
        {
            s_usable = default;
            s_firmwareRam = default;
            MemoryRegion* regions = boot->Regions;
            for (int i = 0; i < boot->MemoryRegionCount; i++)
            {
                MemoryRegionType type = regions[i].Type;
                if (type == MemoryRegionType.Available)
                    s_usable.Add(regions[i].Base, regions[i].End);
                if (type == MemoryRegionType.Available || type == MemoryRegionType.AcpiReclaimable || type == MemoryRegionType.AcpiNonVolatile)
                    s_firmwareRam.Add(regions[i].Base, regions[i].End);
            }

            // Memory in use at boot: real-mode area and BIOS, kernel image, boot loader data, modules.
            s_usable.Remove(0, 0x100000);
            s_usable.Remove(KernelLayout.PhysicalStart, KernelLayout.PhysicalEnd);
            s_usable.Remove(boot->InformationStart, boot->InformationEnd);
            if (boot->CommandLinePhysical != 0)
                s_usable.Remove(boot->CommandLinePhysical, boot->CommandLinePhysical + BootInformation.CommandLineCapacity);
            for (int i = 0; i < boot->ModuleCount; i++)
                s_usable.Remove(boot->Modules[i].Start, boot->Modules[i].End);
            s_usable.AlignToPages(FrameSize);
            if (s_usable.Count == 0)
                Panic.Fail("no usable physical memory in the boot memory map");

            s_highestAddress = s_usable.End(s_usable.Count - 1);
            ulong frameCount = s_highestAddress / FrameSize;
            s_bitmapBytes = (FrameBitmap.WordsFor(frameCount) * 8 + FrameSize - 1) & ~(FrameSize - 1);

            // The bitmap takes the first usable range with room for it, below 4 GiB (reachable at boot).
            s_bitmapPhysical = ulong.MaxValue;
            for (int i = 0; i < s_usable.Count; i++)
            {
                if (s_usable.End(i) - s_usable.Start(i) >= s_bitmapBytes && s_usable.Start(i) + s_bitmapBytes <= 0x100000000)
                {
                    s_bitmapPhysical = s_usable.Start(i);
                    break;
                }
            }
            if (s_bitmapPhysical == ulong.MaxValue)
                Panic.Fail("no room for the physical frame bitmap");
            s_usable.Remove(s_bitmapPhysical, s_bitmapPhysical + s_bitmapBytes);

            s_physicalOffset = 0;
            s_bitmap.Initialize((ulong*)(s_bitmapPhysical + s_physicalOffset), frameCount);
            for (int i = 0; i < s_usable.Count; i++)
                s_bitmap.MarkFree(s_usable.Start(i) / FrameSize, (s_usable.End(i) - s_usable.Start(i)) / FrameSize);
            s_totalUsableBytes = s_bitmap.FreeFrames * FrameSize;
        }

        /// <summary>The firmware's RAM ranges (read-only use: the set is filled once at boot).</summary>
        public static ref PhysicalRangeSet FirmwareRam => ref s_firmwareRam;

        /// <summary>Called once the kernel's page tables (with the direct map) are active.</summary>
        public static void UseDirectMap()
        {
            s_physicalOffset = KernelLayout.DirectMapBase;
            s_bitmap.MoveStorage((ulong*)ToVirtual(s_bitmapPhysical));
        }

        /// <summary>Where the kernel reaches a physical address right now.</summary>
        public static void* ToVirtual(ulong physical) => (void*)(physical + s_physicalOffset);

        public static ulong ToPhysical(void* directMapped) => (ulong)directMapped - s_physicalOffset;

        /// <summary>
        /// Moves every free frame into the kernel allocator's page level (which serves frames from then on),
        /// as runs of contiguous frames.
        /// </summary>
        public static void HandFreeFramesTo(delegate*<ulong, ulong, void> addRange)
        {
            ulong frame = 0;
            ulong count = s_bitmap.FrameCount;
            while (frame < count)
            {
                if (!s_bitmap.IsFree(frame))
                {
                    frame++;
                    continue;
                }
                ulong start = frame;
                while (frame < count && s_bitmap.IsFree(frame))
                    frame++;
                s_bitmap.MarkUsed(start, frame - start);
                addRange(start * FrameSize, frame * FrameSize);
            }
        }

        /// <summary>A zeroed 4 KiB frame's physical address, or 0 when memory is exhausted.</summary>
        public static ulong AllocateFrame()
        {
            ulong physical = AllocateFrameUninitialized();
            if (physical != 0)
                BlockMemory.ZeroPage((void*)ToVirtual(physical));
            return physical;
        }

        /// <summary>A 4 KiB frame with whatever it held (for a caller that writes every byte), or 0 when memory is exhausted.</summary>
        public static ulong AllocateFrameUninitialized()
        {
            ulong physical;
            if (KernelHeap.IsReady)
            {
                void* page = KernelHeap.AllocatePages(0);
                if (page == null)
                    return 0;
                physical = ToPhysical(page);
            }
            else
            {
                ulong frame = s_bitmap.Allocate();
                if (frame == ulong.MaxValue)
                    return 0;
                physical = frame * FrameSize;
            }
            return physical;
        }

        /// <summary>
        /// 'count' contiguous frames (not zeroed), or 0 when no such run is free. Once the kernel allocator runs,
        /// the run is a power-of-two block aligned to its size; free it with <see cref="FreeContiguous"/>.
        /// </summary>
        public static ulong AllocateContiguous(ulong count)
        {
            if (KernelHeap.IsReady)
            {
                void* block = KernelHeap.AllocatePages(OrderFor(count));
                return block == null ? 0 : ToPhysical(block);
            }
            ulong frame = s_bitmap.AllocateContiguous(count, 1);
            return frame == ulong.MaxValue ? 0 : frame * FrameSize;
        }

        public static void FreeContiguous(ulong physical, ulong count)
        {
            if (KernelHeap.IsReady)
            {
                KernelHeap.FreePages(ToVirtual(physical), OrderFor(count));
                return;
            }
            for (ulong i = 0; i < count; i++)
                FreeFrame(physical + i * FrameSize);
        }

        private static int OrderFor(ulong count)
        {
            int order = 0;
            while ((1UL << order) < count)
                order++;
            return order;
        }

        // Extra sharers of user frames (copy-on-write after fork): one count per frame of RAM, 0 when the frame
        // has one owner. Allocated as the kernel allocator starts, from the boot bitmap (EnableFrameSharing).
        private static int* s_sharers;
        private static ulong s_sharerCount;

        /// <summary>Makes the per-frame share counts (once, before the boot bitmap hands its free frames to the kernel allocator).</summary>
        public static void EnableFrameSharing()
        {
            s_sharerCount = s_highestAddress / FrameSize;
            ulong bytes = s_sharerCount * 4;
            ulong physical = AllocateContiguous((bytes + FrameSize - 1) / FrameSize);
            if (physical == 0)
                Panic.Fail("no memory for the frame share counts");
            s_sharers = (int*)ToVirtual(physical);
            for (ulong i = 0; i < s_sharerCount; i++)
                s_sharers[i] = 0;
        }

        /// <summary>One more address space maps 'physical' (a fork's copy-on-write page).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]   // fork: every page
        public static void ShareFrame(ulong physical) => System.Threading.Interlocked.Increment(ref s_sharers[physical / FrameSize]);

        /// <summary>Whether more than one address space maps 'physical' (a write must copy it first).</summary>
        public static bool IsShared(ulong physical) => System.Threading.Volatile.Read(ref s_sharers[physical / FrameSize]) != 0;

        /// <summary>An address space lets go of a user frame: freed if it was the last to map it.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]   // exit: every page
        public static void ReleaseFrame(ulong physical)
        {
            ref int sharers = ref s_sharers[physical / FrameSize];
            while (true)
            {
                int count = System.Threading.Volatile.Read(ref sharers);
                if (count == 0)
                {
                    FreeFrame(physical);
                    return;
                }
                if (System.Threading.Interlocked.CompareExchange(ref sharers, count - 1, count) == count)
                    return;
            }
        }

        public static void FreeFrame(ulong physical)
        {
            if (KernelHeap.IsReady)
            {
                KernelHeap.FreePages(ToVirtual(physical), 0);
                return;
            }
            if ((physical & (FrameSize - 1)) != 0 || !s_bitmap.Free(physical / FrameSize))
            {
                Panic.Fail("physical frame freed twice or never allocated", null, null, null, physical);
            }
        }
    }
}
