using Exo.Kernel.Diagnostics;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// The kernel heap: size classes carved from 4 KiB frames (reached through the direct map), and whole
    /// frames for large blocks. Every block carries a 16-byte header whose tag tells an allocated block from
    /// a freed one, so a double free or a foreign pointer is reported, never silently corrupts.
    /// Out of memory returns null; callers report it.
    /// </summary>
    public static unsafe class KernelHeap
    {
        private const uint AllocatedTag = 0xA110CA7E;
        private const uint FreedTag = 0xF4EEDF4E;
        private const uint LargeTag = 0x1A46EB10;
        private const int HeaderSize = 16;
        public const int ClassCount = 14;
        private const ulong MaximumLargeBytes = 1UL << 30;

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct BlockHeader
        {
            public uint Tag;
            public uint SizeClass;      // class index, or frame count for a large block
            public ulong RequestedBytes;
        }

        private struct ClassTable { public fixed ulong Values[ClassCount]; }
        private static ClassTable s_freeLists;       // head of each class's free list (payload addresses)
        private static ClassTable s_inUse;           // blocks handed out per class
        private static ClassTable s_cached;          // blocks on the free list per class
        private static ulong s_pagesInUse;
        private static ulong s_largeBlocks;
        private static ulong s_requestedBytes;
        private static ulong s_failedAllocations;

        /// <summary>Block sizes including the header.</summary>
        public static int ClassSize(int sizeClass) => sizeClass switch
        {
            0 => 32, 1 => 48, 2 => 64, 3 => 96, 4 => 128, 5 => 192, 6 => 256,
            7 => 384, 8 => 512, 9 => 768, 10 => 1024, 11 => 1536, 12 => 2048, _ => 4096,
        };

        public static ulong PagesInUse => s_pagesInUse;
        public static ulong RequestedBytes => s_requestedBytes;
        public static ulong FailedAllocations => s_failedAllocations;
        public static ulong LargeBlocks => s_largeBlocks;
        public static ulong InUse(int sizeClass) => s_inUse.Values[sizeClass];
        public static ulong Cached(int sizeClass) => s_cached.Values[sizeClass];

        /// <summary>Zeroed memory of at least 'bytes' bytes, 16-byte aligned, or null when memory is exhausted.</summary>
        public static void* Allocate(ulong bytes)
        {
            if (bytes > MaximumLargeBytes)
            {
                s_failedAllocations++;
                return null;
            }
            ulong total = bytes + HeaderSize;
            int sizeClass = 0;
            while (sizeClass < ClassCount - 1 && (ulong)ClassSize(sizeClass) < total)
                sizeClass++;
            BlockHeader* header;
            if ((ulong)ClassSize(sizeClass) < total)
            {
                ulong frames = (total + 4095) / 4096;
                ulong physical = PhysicalMemory.AllocateContiguous(frames);
                if (physical == 0)
                {
                    s_failedAllocations++;
                    return null;
                }
                header = (BlockHeader*)PhysicalMemory.ToVirtual(physical);
                header->Tag = LargeTag;
                header->SizeClass = (uint)frames;
                s_pagesInUse += frames;
                s_largeBlocks++;
            }
            else
            {
                if (s_freeLists.Values[sizeClass] == 0 && !Refill(sizeClass))
                {
                    s_failedAllocations++;
                    return null;
                }
                header = (BlockHeader*)(s_freeLists.Values[sizeClass] - HeaderSize);
                if (header->Tag != FreedTag)
                    Panic.Fail("kernel heap free list corrupted");
                s_freeLists.Values[sizeClass] = *(ulong*)(header + 1);
                s_cached.Values[sizeClass]--;
                s_inUse.Values[sizeClass]++;
                header->Tag = AllocatedTag;
                header->SizeClass = (uint)sizeClass;
            }
            header->RequestedBytes = bytes;
            s_requestedBytes += bytes;
            byte* payload = (byte*)(header + 1);
            Clear(payload, header->Tag == LargeTag ? header->SizeClass * 4096UL - HeaderSize : (ulong)ClassSize(sizeClass) - HeaderSize);
            return payload;
        }

        public static void Free(void* pointer)
        {
            if (pointer == null)
                return;
            if (((ulong)pointer & 15) != 0 || (ulong)pointer < KernelLayout.DirectMapBase)
            {
                ReportBadFree("freed a pointer the kernel heap never handed out", pointer);
                return;
            }
            BlockHeader* header = (BlockHeader*)pointer - 1;
            if (header->Tag == FreedTag)
            {
                ReportBadFree("double free", pointer);
                return;
            }
            s_requestedBytes -= header->RequestedBytes;
            if (header->Tag == LargeTag)
            {
                ulong frames = header->SizeClass;
                ulong physical = PhysicalMemory.ToPhysical(header);
                header->Tag = FreedTag;
                for (ulong i = 0; i < frames; i++)
                    PhysicalMemory.FreeFrame(physical + i * 4096);
                s_pagesInUse -= frames;
                s_largeBlocks--;
                return;
            }
            if (header->Tag != AllocatedTag || header->SizeClass >= ClassCount)
            {
                ReportBadFree("freed a pointer the kernel heap never handed out", pointer);
                return;
            }
            int sizeClass = (int)header->SizeClass;
            header->Tag = FreedTag;
            *(ulong*)pointer = s_freeLists.Values[sizeClass];
            s_freeLists.Values[sizeClass] = (ulong)pointer;
            s_inUse.Values[sizeClass]--;
            s_cached.Values[sizeClass]++;
        }

        /// <summary>Size a block was allocated with, or ulong.MaxValue if the pointer is not a live heap block.</summary>
        public static ulong AllocatedSize(void* pointer)
        {
            if (pointer == null || ((ulong)pointer & 15) != 0 || (ulong)pointer < KernelLayout.DirectMapBase)
                return ulong.MaxValue;
            BlockHeader* header = (BlockHeader*)pointer - 1;
            return header->Tag == AllocatedTag || header->Tag == LargeTag ? header->RequestedBytes : ulong.MaxValue;
        }

        private static void ReportBadFree(string what, void* pointer)
        {
            // The backtrace in the report names the caller.
            Panic.Fail("kernel heap", what, null, null, (ulong)pointer);
        }

        private static bool Refill(int sizeClass)
        {
            ulong physical = PhysicalMemory.AllocateFrame();
            if (physical == 0)
                return false;
            s_pagesInUse++;
            byte* page = (byte*)PhysicalMemory.ToVirtual(physical);
            int size = ClassSize(sizeClass);
            for (int offset = 0; offset + size <= 4096; offset += size)
            {
                BlockHeader* header = (BlockHeader*)(page + offset);
                header->Tag = FreedTag;
                header->SizeClass = (uint)sizeClass;
                *(ulong*)(header + 1) = s_freeLists.Values[sizeClass];
                s_freeLists.Values[sizeClass] = (ulong)(header + 1);
                s_cached.Values[sizeClass]++;
            }
            return true;
        }

        private static void Clear(byte* memory, ulong length)
        {
            ulong i = 0;
            for (; i + 8 <= length; i += 8)
                *(ulong*)(memory + i) = 0;
            for (; i < length; i++)
                memory[i] = 0;
        }

        // Hooks for Exo.Runtime.ObjectAllocator: 'new' and ObjectAllocator.Free land here.
        public static void* AllocateObject(nuint bytes) => Allocate(bytes);
        public static void FreeObject(void* pointer) => Free(pointer);
    }
}
