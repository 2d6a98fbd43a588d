using System.Runtime.CompilerServices;
using Exo.Kernel.Diagnostics;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// The kernel's allocator: one <see cref="HeapAllocator"/> over the direct map of all physical memory.
    /// At start-up it takes every free frame from the boot frame bitmap into level 3, and from then on it is
    /// also where page frames come from (<see cref="PhysicalMemory"/> forwards to it).
    ///
    /// Ownership: whoever allocates frees, with the same API (Free for Allocate, FreePages for AllocatePages);
    /// C# objects from 'new' are freed with Exo.Runtime.ObjectAllocator.Free. Interrupt handlers never allocate.
    /// Level 1 is per processor: each has its own magazines (<see cref="s_caches"/>), found through its GS block.
    /// Every use of them masks interrupts (<see cref="MaskForCache"/>): kernel threads allocate with interrupts on,
    /// and a thread preempted between reading a magazine's count and writing it back (or moved to another
    /// processor meanwhile) would share the magazine with the thread that runs next there, and one object would
    /// be handed out twice.
    /// </summary>
    public static unsafe class KernelHeap
    {
        private static HeapAllocator s_heap;
        private struct CacheStorage { public fixed byte Bytes[Arch.X64.DescriptorTables.MaximumProcessors * CacheBytes]; }
        private const int CacheBytes = 8 * SizeClasses.Count + 8 * SizeClasses.Count * HeapAllocator.CacheCapacity + 16;
        private static CacheStorage s_caches;   // level 1, one per processor
        private static bool s_ready;

        public static bool IsReady => s_ready;

        // Statics never move (no collector), so their addresses can be taken without pinning.
        public static HeapAllocator.CpuCache* CurrentCache
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (HeapAllocator.CpuCache*)((byte*)Unsafe.AsPointer(ref s_caches) + Arch.X64.Cpu.CurrentProcessor() * CacheBytes);
        }

        private static HeapAllocator* Heap
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (HeapAllocator*)Unsafe.AsPointer(ref s_heap);
        }

        public static void Initialize()
        {
            // The span starts at physical 0, so that blocks aligned within it are aligned in address too.
            ulong spanPages = PhysicalMemory.HighestAddress / PageAllocator.PageSize;
            ulong metadataBytes = HeapAllocator.MetadataBytesFor(spanPages);
            ulong metadataPhysical = PhysicalMemory.AllocateContiguous((metadataBytes + 4095) / 4096);
            if (metadataPhysical == 0)
                Panic.Fail("no room for the allocator's page metadata");
            if (sizeof(HeapAllocator.CpuCache) != CacheBytes)
                Panic.Fail("level-1 cache layout changed: update KernelHeap.CacheBytes");
            AllocatorLock.MaskInterruptsWhileHeld();
            Heap->Initialize((byte*)KernelLayout.DirectMapBase, spanPages, (byte*)PhysicalMemory.ToVirtual(metadataPhysical), &Report);
            // Before the free frames go to the heap: the boot bitmap gives a contiguous run of any length (4 MiB of
            // RAM needs 4 KiB of counts; 4 GiB spans 6 GiB of addresses, more than the heap's largest block).
            PhysicalMemory.EnableFrameSharing();
            PhysicalMemory.HandFreeFramesTo(&AddFreeRange);
            s_ready = true;
        }

        private static void AddFreeRange(ulong physicalStart, ulong physicalEnd)
            => Heap->AddFreeRange((byte*)PhysicalMemory.ToVirtual(physicalStart), (byte*)PhysicalMemory.ToVirtual(physicalEnd));

        private static void Report(string what, ulong address) => Panic.Fail("kernel heap", what, null, null, address);

        // Level 1 belongs to the processor, not to the thread: from reading this processor's cache to the last
        // write to it, the thread must stay here and alone, so interrupts (the only way to be preempted) are off.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool MaskForCache() => Arch.X64.Cpu.DisableInterruptsSavingState();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Unmask(bool enabled)
        {
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
        }

        /// <summary>Zeroed memory of at least 'bytes' bytes, 8-byte aligned, or null when memory is exhausted.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void* Allocate(ulong bytes)
        {
            bool enabled = MaskForCache();
            void* block = Heap->Allocate(CurrentCache, bytes, zeroed: true);
            Unmask(enabled);
            return block;
        }

        /// <summary>Like <see cref="Allocate"/> without zeroing (the caller fills it).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void* AllocateUninitialized(ulong bytes)
        {
            bool enabled = MaskForCache();
            void* block = Heap->Allocate(CurrentCache, bytes, zeroed: false);
            Unmask(enabled);
            return block;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Free(void* pointer)
        {
            bool enabled = MaskForCache();
            Heap->Free(CurrentCache, pointer);
            Unmask(enabled);
        }

        /// <summary>Typed fast path for a known size class (pools of hot kernel objects).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void* AllocateClass(int sizeClass)
        {
            bool enabled = MaskForCache();
            void* block = Heap->Allocate(CurrentCache, sizeClass);
            Unmask(enabled);
            return block;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FreeClass(void* pointer, int sizeClass)
        {
            bool enabled = MaskForCache();
            Heap->Free(CurrentCache, pointer, sizeClass);
            Unmask(enabled);
        }

        public static ulong UsableSize(void* pointer) => Heap->UsableSize(pointer);

        /// <summary>2^order pages from level 3, not zeroed, or null.</summary>
        public static void* AllocatePages(int order) => Heap->AllocatePages(order);
        public static void FreePages(void* block, int order) => Heap->FreePages(block, order);

        public static ulong FreePageCount => Heap->FreePageCount;
        public static ulong ManagedPageCount => Heap->ManagedPages;
        public static ulong FreeBlocks(int order) => Heap->FreeBlocks(order);
        public static ulong FailedAllocations => Heap->FailedAllocations;
        public static ulong LargeBlocks => Heap->LargeBlocks;
        public static ulong LargePages => Heap->LargePages;
        public static ulong BytesInUse => Heap->BytesInUse(CurrentCache);
        public static HeapAllocator.ClassStatistics ClassStatistics(int sizeClass) => Heap->Statistics(sizeClass, CurrentCache);
        public static ulong Refills => CurrentCache->Refills;
        public static ulong Flushes => CurrentCache->Flushes;
        public static int CachedCount(int sizeClass) => (int)CurrentCache->Counts[sizeClass];

        /// <summary>Returns this CPU's cached objects to level 2 (and surplus slabs to level 3).</summary>
        public static void Drain()
        {
            bool enabled = MaskForCache();
            Heap->Drain(CurrentCache);
            Unmask(enabled);
        }

        /// <summary>Gives every empty slab back to level 3, the reserve too (see <see cref="HeapAllocator.ReleaseEmptySlabs"/>).</summary>
        public static void ReleaseEmptySlabs() => Heap->ReleaseEmptySlabs();

        // Hooks for Exo.Runtime.ObjectAllocator: 'new' and ObjectAllocator.Free land here.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void* AllocateObject(nuint bytes) => Allocate(bytes);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FreeObject(void* pointer) => Free(pointer);
    }
}
