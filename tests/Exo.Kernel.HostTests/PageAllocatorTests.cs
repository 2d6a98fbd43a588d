using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Exo.Kernel.Memory.Heap;
using Xunit;

namespace Exo.Kernel.HostTests;

public unsafe class PageAllocatorTests
{
    private sealed class Pages : IDisposable
    {
        public readonly byte* Start;
        private readonly void* _raw;
        private readonly byte* _states;
        public PageAllocator* Allocator;
        public readonly ulong Count;

        public Pages(ulong count)
        {
            Count = count;
            _raw = NativeMemory.Alloc((nuint)(count * 4096 + SimulatedMemory.Alignment));
            Start = (byte*)(((ulong)_raw + SimulatedMemory.Alignment - 1) & ~(SimulatedMemory.Alignment - 1));
            _states = (byte*)NativeMemory.Alloc((nuint)count);
            Allocator = (PageAllocator*)NativeMemory.AllocZeroed((nuint)sizeof(PageAllocator));
            Allocator->Initialize(Start, count, _states);
        }

        public void Dispose() { NativeMemory.Free(_raw); NativeMemory.Free(_states); NativeMemory.Free(Allocator); }
    }

    [Fact]
    public void Blocks_are_aligned_to_their_size_and_coalesce_back()
    {
        using var pages = new Pages(4096);
        pages.Allocator->AddFreeRange(pages.Start, pages.Start + 4096 * 4096);
        Assert.Equal(4UL, pages.Allocator->FreeBlocks(PageAllocator.MaximumOrder));
        var blocks = new List<(IntPtr, int)>();
        var random = new Random(3);
        for (int i = 0; i < 300; i++)
        {
            int order = random.Next(0, 6);
            byte* block = (byte*)pages.Allocator->Allocate(order);
            Assert.True(block != null);
            Assert.Equal(0UL, (ulong)(block - pages.Start) % ((ulong)4096 << order));
            blocks.Add(((IntPtr)block, order));
        }
        foreach (var (block, order) in blocks)
            Assert.Null(pages.Allocator->Free((void*)block, order));
        Assert.Equal(4096UL, pages.Allocator->FreePages);
        Assert.Equal(4UL, pages.Allocator->FreeBlocks(PageAllocator.MaximumOrder));   // fully coalesced
    }

    [Fact]
    public void Holes_are_never_handed_out()
    {
        using var pages = new Pages(2048);
        pages.Allocator->AddFreeRange(pages.Start + 3 * 4096, pages.Start + 700 * 4096);
        pages.Allocator->AddFreeRange(pages.Start + 1000 * 4096, pages.Start + 2048 * 4096);
        var seen = new HashSet<ulong>();
        void* block;
        while ((block = pages.Allocator->Allocate(0)) != null)
        {
            ulong page = (ulong)((byte*)block - pages.Start) / 4096;
            Assert.True((page >= 3 && page < 700) || (page >= 1000 && page < 2048), $"page {page} is in a hole");
            Assert.True(seen.Add(page));
        }
        Assert.Equal(697UL + 1048, (ulong)seen.Count);
    }

    [Fact]
    public void Bad_frees_are_refused_and_change_nothing()
    {
        using var pages = new Pages(1024);
        pages.Allocator->AddFreeRange(pages.Start, pages.Start + 1024 * 4096);
        byte* block = (byte*)pages.Allocator->Allocate(2);
        ulong free = pages.Allocator->FreePages;
        Assert.Equal("freed a page block with the wrong size", pages.Allocator->Free(block, 1));
        Assert.Equal("freed an address the page allocator never handed out", pages.Allocator->Free(block + 4096, -1));
        Assert.Equal("freed an address the page allocator never handed out", pages.Allocator->Free(block + 8, -1));
        Assert.Equal(free, pages.Allocator->FreePages);
        Assert.Null(pages.Allocator->Free(block, 2));
        Assert.Equal("double free of a page block", pages.Allocator->Free(block, 2));
    }

    [Fact]
    public void Exhaustion_returns_null_then_recovers()
    {
        using var pages = new Pages(64);
        pages.Allocator->AddFreeRange(pages.Start, pages.Start + 64 * 4096);
        var held = new List<IntPtr>();
        void* block;
        while ((block = pages.Allocator->Allocate(0)) != null)
            held.Add((IntPtr)block);
        Assert.Equal(64, held.Count);
        Assert.True(pages.Allocator->Allocate(3) == null);
        foreach (var item in held)
            Assert.Null(pages.Allocator->Free((void*)item, 0));
        Assert.True(pages.Allocator->Allocate(6) != null);
    }
}
