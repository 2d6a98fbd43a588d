using System;
using System.Collections.Generic;
using System.Linq;
using Exo.Kernel.Memory.Heap;
using Xunit;

namespace Exo.Kernel.HostTests;

public unsafe class HeapAllocatorTests
{
    [Fact]
    public void Size_classes_cover_every_size_with_bounded_waste()
    {
        double worst = 0;
        double total = 0;
        for (ulong size = 1; size <= SizeClasses.MaximumSize; size++)
        {
            int sizeClass = SizeClasses.ForSize(size);
            Assert.InRange(sizeClass, 0, SizeClasses.Count - 1);
            int blockSize = SizeClasses.Size(sizeClass);
            Assert.True((ulong)blockSize >= size, $"class {sizeClass} ({blockSize}) too small for {size}");
            if (sizeClass > 0)
                Assert.True((ulong)SizeClasses.Size(sizeClass - 1) < size, $"{size} should use a smaller class");
            Assert.Equal(0, blockSize % 8);
            double waste = (blockSize - (double)size) / blockSize;
            total += waste;
            if (size > 64)
                worst = Math.Max(worst, waste);
        }
        Assert.True(worst < 0.25, $"worst waste above 64 bytes {worst:P1}");
        Assert.True(total / SizeClasses.MaximumSize < 0.12, $"average waste {total / SizeClasses.MaximumSize:P1}");
        Assert.Equal(-1, SizeClasses.ForSize(SizeClasses.MaximumSize + 1));
    }

    [Fact]
    public void Randomised_operations_match_a_model()
    {
        using var memory = new SimulatedMemory(64, (1, 9000), (9100, 16384));
        var live = new Dictionary<ulong, (ulong Size, byte Fill)>();
        var random = new Random(11);
        for (int step = 0; step < 60000; step++)
        {
            if (live.Count > 0 && random.Next(100) < 48)
            {
                ulong address = live.Keys.ElementAt(random.Next(live.Count));
                var (size, fill) = live[address];
                byte* bytes = (byte*)address;
                for (ulong i = 0; i < size; i++)
                    Assert.True(bytes[i] == fill, $"block {address:x} byte {i} overwritten");
                memory.Heap->Free(memory.Cache, (void*)address);
                live.Remove(address);
            }
            else
            {
                ulong size = random.Next(10) == 0 ? (ulong)random.Next(2049, 40000) : (ulong)random.Next(1, 2049);
                byte* block = (byte*)memory.Heap->Allocate(memory.Cache, size, zeroed: random.Next(2) == 0);
                Assert.True(block != null, "allocation failed");
                Assert.Equal(0UL, (ulong)block % 8);
                Assert.True(memory.Heap->UsableSize(block) >= size);
                foreach (var (other, (otherSize, _)) in live)
                    Assert.True((ulong)block + size <= other || other + otherSize <= (ulong)block, "blocks overlap");
                byte fill = (byte)random.Next(1, 256);
                for (ulong i = 0; i < size; i++)
                    block[i] = fill;
                live[(ulong)block] = (size, fill);
            }
        }
        Assert.Empty(memory.Reports);
        foreach (ulong address in live.Keys.ToList())
            memory.Heap->Free(memory.Cache, (void*)address);
        memory.Heap->Drain(memory.Cache);
        Assert.Equal(0UL, memory.Heap->BytesInUse(memory.Cache));
        // Every page is back at level 3, except the one empty slab kept per class that was used.
        ulong reserved = 0;
        for (int c = 0; c < SizeClasses.Count; c++)
            reserved += memory.Heap->Statistics(c, memory.Cache).Pages;
        Assert.Equal(memory.Heap->ManagedPages, memory.Heap->FreePageCount + reserved);
        Assert.Empty(memory.Reports);
    }

    [Fact]
    public void Zeroed_allocation_is_zero_even_after_reuse()
    {
        using var memory = new SimulatedMemory(8);
        for (int round = 0; round < 100; round++)
        {
            byte* block = (byte*)memory.Heap->Allocate(memory.Cache, 200, zeroed: true);
            for (int i = 0; i < 200; i++)
                Assert.Equal(0, block[i]);
            for (int i = 0; i < 200; i++)
                block[i] = 0xEE;
            memory.Heap->Free(memory.Cache, block);
        }
    }

    [Fact]
    public void Double_free_is_reported_and_not_cached_twice()
    {
        using var memory = new SimulatedMemory(8);
        void* block = memory.Heap->Allocate(memory.Cache, 64, zeroed: false);
        memory.Heap->Free(memory.Cache, block);
        memory.Heap->Free(memory.Cache, block);
        Assert.Single(memory.Reports);
        Assert.Equal(("double free", (ulong)block), memory.Reports[0]);
        void* first = memory.Heap->Allocate(memory.Cache, 64, zeroed: false);
        void* second = memory.Heap->Allocate(memory.Cache, 64, zeroed: false);
        Assert.True(first != second, "the doubly freed block was handed out twice");
    }

    [Fact]
    public void Foreign_and_interior_pointers_are_reported()
    {
        using var memory = new SimulatedMemory(8);
        ulong onTheStack = 0;
        memory.Heap->Free(memory.Cache, &onTheStack);
        byte* block = (byte*)memory.Heap->Allocate(memory.Cache, 64, zeroed: false);
        memory.Heap->Free(memory.Cache, block + 8);
        Assert.Equal(2, memory.Reports.Count);
        Assert.Equal("freed a pointer the allocator never handed out", memory.Reports[0].What);
        Assert.Equal((ulong)(block + 8), memory.Reports[1].Address);
    }

    [Fact]
    public void Free_into_the_wrong_size_class_is_reported()
    {
        using var memory = new SimulatedMemory(8);
        void* block = memory.Heap->Allocate(memory.Cache, SizeClasses.ForSize(100));
        memory.Heap->Free(memory.Cache, block, SizeClasses.ForSize(40));
        Assert.Equal(("freed an object into the wrong size class", (ulong)block), memory.Reports.Single());
        memory.Heap->Free(memory.Cache, block, SizeClasses.ForSize(100));
        Assert.Single(memory.Reports);
    }

    [Fact]
    public void Exhaustion_returns_null_and_the_heap_recovers()
    {
        using var memory = new SimulatedMemory(4);
        var held = new List<IntPtr>();
        void* block;
        while ((block = memory.Heap->Allocate(memory.Cache, 1000, zeroed: false)) != null)
            held.Add((IntPtr)block);
        Assert.True(held.Count > 3000, $"only {held.Count} blocks of 1000 bytes in 4 MiB");
        Assert.True(memory.Heap->FailedAllocations > 0);
        Assert.True(memory.Heap->Allocate(memory.Cache, 100_000, zeroed: false) == null);
        foreach (var item in held)
            memory.Heap->Free(memory.Cache, (void*)item);
        Assert.True(memory.Heap->Allocate(memory.Cache, 100_000, zeroed: false) != null, "large allocation after freeing everything");
        Assert.Empty(memory.Reports);
    }

    [Fact]
    public void Pages_come_back_only_once_every_cache_is_drained_and_empty_slabs_released()
    {
        // What a leak check in the kernel relies on: objects freed on another processor stay in that one's cache,
        // and keep their slabs' pages, until it is drained; the reserve slab of each class goes with ReleaseEmptySlabs.
        using var memory = new SimulatedMemory(64);
        var blocks = new List<IntPtr>();
        for (int i = 0; i < 200; i++)
            blocks.Add((IntPtr)memory.Heap->Allocate(memory.Cache, (ulong)(16 + 8 * (i % 200)), zeroed: false));
        foreach (var block in blocks)
            memory.Heap->Free(memory.OtherCache, (void*)block);
        memory.Heap->Drain(memory.Cache);
        memory.Heap->ReleaseEmptySlabs();
        Assert.True(memory.Heap->FreePageCount < memory.Heap->ManagedPages, "the other cache's objects keep their slabs");
        memory.Heap->Drain(memory.OtherCache);
        memory.Heap->ReleaseEmptySlabs();
        Assert.Equal(memory.Heap->ManagedPages, memory.Heap->FreePageCount);
        Assert.Empty(memory.Reports);
    }

    [Fact]
    public void Objects_freed_on_one_cpu_can_be_allocated_on_another()
    {
        using var memory = new SimulatedMemory(8);
        var blocks = new List<IntPtr>();
        for (int i = 0; i < 500; i++)
            blocks.Add((IntPtr)memory.Heap->Allocate(memory.Cache, 48, zeroed: false));
        foreach (var block in blocks)
            memory.Heap->Free(memory.OtherCache, (void*)block);   // flushes through level 2
        memory.Heap->Drain(memory.OtherCache);
        Assert.Equal(0UL, memory.Heap->BytesInUse(memory.Cache));
        Assert.Empty(memory.Reports);
    }
}
