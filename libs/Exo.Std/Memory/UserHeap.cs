using System.Runtime.CompilerServices;
using Exo.Abi;
using Exo.Runtime;

namespace Exo.Std.Memory
{
    /// <summary>
    /// The user-space heap and every C# 'new' in a user program (ProgramStartup installs it as Exo.Runtime's
    /// ObjectAllocator). Memory comes from SYS_MEMORY_MAP in 64 KiB spans that the heap places itself, at
    /// span-aligned addresses in its own region, so a pointer finds its span header by masking.
    ///
    /// - Small blocks (up to 2048 bytes): a span serves one size class (HeapSizeClasses); a block comes from
    ///   the class's free list (LIFO, linked through the block's first word) or is carved from the class's
    ///   current span. Free pushes it back and marks it with a tag in its second word, which catches double
    ///   frees. Spans are never returned to the kernel (a later version may give back empty ones).
    /// - Large blocks: their own mapping of whole pages, span-aligned, given back on Free.
    /// Blocks are zeroed on allocation (the runtime expects zeroed objects) and 16-byte aligned. A pointer the
    /// heap did not hand out, a misaligned one or a double free ends the program through RuntimeFailure.
    /// Not thread-safe: a process has one thread for now.
    /// </summary>
    public static unsafe class UserHeap
    {
        public const ulong SpanSize = 64 * 1024;
        /// <summary>The heap's address region: far from where the kernel places mappings it chooses (256 MiB up).</summary>
        public const ulong RegionStart = 0x0000200000000000, RegionEnd = 0x0000300000000000;

        private const uint SmallSpanMagic = 0x5053_4D53, LargeSpanMagic = 0x5053_474C;   // "SMSP", "LGSP"
        private const ulong FreeTag = 0xF4EE_B10C_F4EE_B10C;
        private const int HeaderSize = 64;   // a block never starts in the header, and stays 16-byte aligned

        private struct SpanHeader
        {
            public uint Magic;
            public int SizeClass;
            public uint BlockSize;
            public ulong MappedBytes;   // large spans: what to unmap
        }

        private struct ClassTable
        {
            public fixed ulong FreeList[HeapSizeClasses.Count];
            public fixed ulong Carve[HeapSizeClasses.Count];      // next uncarved block in the current span
            public fixed ulong CarveEnd[HeapSizeClasses.Count];
        }

        private static ClassTable s_classes;
        private static ulong s_nextSpan;       // 0 until the first span: statics start zeroed, with no initialiser
        private static ulong s_bytesMapped, s_blocksInUse;

        public static ulong BytesMapped => s_bytesMapped;
        public static ulong BlocksInUse => s_blocksInUse;

        /// <summary>Zeroed memory of at least 'size' bytes, 16-byte aligned, or null when memory is exhausted.</summary>
        public static void* Allocate(nuint size)
        {
            if (size == 0)
                size = 1;
            if (size > HeapSizeClasses.LargestSize)
                return AllocateLarge(size);
            int sizeClass = HeapSizeClasses.ClassOf((uint)size);
            uint blockSize = HeapSizeClasses.SizeOf(sizeClass);
            ulong block = s_classes.FreeList[sizeClass];
            if (block != 0)
            {
                s_classes.FreeList[sizeClass] = *(ulong*)block;
                Unsafe.InitBlock((void*)block, 0, blockSize);   // the link and the free tag, and the old contents
            }
            else
            {
                block = s_classes.Carve[sizeClass];
                if (block == 0 || block + blockSize > s_classes.CarveEnd[sizeClass])
                {
                    SpanHeader* span = (SpanHeader*)MapSpan(SpanSize);
                    if (span == null)
                        return null;
                    span->Magic = SmallSpanMagic;
                    span->SizeClass = sizeClass;
                    span->BlockSize = blockSize;
                    span->MappedBytes = SpanSize;
                    block = (ulong)span + HeaderSize;
                    s_classes.CarveEnd[sizeClass] = (ulong)span + SpanSize;
                }
                s_classes.Carve[sizeClass] = block + blockSize;   // fresh pages are zero already
            }
            s_blocksInUse++;
            return (void*)block;
        }

        /// <summary>Frees a block from Allocate. The caller guarantees nothing uses it any more.</summary>
        public static void Free(void* pointer)
        {
            if (pointer == null)
                return;
            ulong block = (ulong)pointer;
            SpanHeader* span = (SpanHeader*)(block & ~(SpanSize - 1));
            if (block < RegionStart || block >= RegionEnd || (block & 15) != 0 || block - (ulong)span < HeaderSize
                || block >= s_nextSpan)
                Fail("free of a pointer the user heap did not hand out", block);
            if (span->Magic == LargeSpanMagic)
            {
                if (block != (ulong)span + HeaderSize)
                    Fail("free of a pointer inside a large block", block);
                ulong mapped = span->MappedBytes;
                span->Magic = 0;
                s_bytesMapped -= mapped;
                s_blocksInUse--;
                VirtualMemory.Unmap(span, mapped);
                return;
            }
            if (span->Magic != SmallSpanMagic)
                Fail("free of a pointer the user heap did not hand out", block);
            int sizeClass = span->SizeClass;
            if ((block - (ulong)span - HeaderSize) % span->BlockSize != 0)
                Fail("free of a pointer that is not the start of a block", block);
            if (((ulong*)block)[1] == FreeTag)
                Fail("double free", block);
            ((ulong*)block)[0] = s_classes.FreeList[sizeClass];
            ((ulong*)block)[1] = FreeTag;
            s_classes.FreeList[sizeClass] = block;
            s_blocksInUse--;
        }

        // The ObjectAllocator functions: the same heap.
        internal static void* AllocateObject(nuint size) => Allocate(size);
        internal static void FreeObject(void* pointer) => Free(pointer);

        private static void* AllocateLarge(nuint size)
        {
            ulong mapped = ((ulong)size + HeaderSize + VirtualMemory.PageSize - 1) & ~(VirtualMemory.PageSize - 1);
            if ((ulong)size > VirtualMemory.MaximumMapping || mapped > VirtualMemory.MaximumMapping)
                return null;
            SpanHeader* span = (SpanHeader*)MapSpan(mapped);
            if (span == null)
                return null;
            span->Magic = LargeSpanMagic;
            span->SizeClass = -1;
            span->MappedBytes = mapped;
            s_blocksInUse++;
            return (byte*)span + HeaderSize;
        }

        /// <summary>Maps 'bytes' at the next span-aligned address of the region (addresses are not reused).</summary>
        private static void* MapSpan(ulong bytes)
        {
            if (s_nextSpan == 0)
                s_nextSpan = RegionStart;
            ulong reserved = (bytes + SpanSize - 1) & ~(SpanSize - 1);
            if (s_nextSpan + reserved > RegionEnd)
                return null;
            if (VirtualMemory.Map(s_nextSpan, bytes, writable: true, out byte* mapped) != Error.None || mapped != (byte*)s_nextSpan)
                return null;
            s_nextSpan += reserved;
            s_bytesMapped += bytes;
            return mapped;
        }

        private static void Fail(string reason, ulong address) => RuntimeFailure.Fail(reason, null, (nuint)address);
    }
}
