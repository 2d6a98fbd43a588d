using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.HostTests;

/// <summary>
/// A page source for the allocator on the host: native memory aligned like the kernel's direct map
/// (to the largest block size), with holes if asked, and a report hook that records failures.
/// </summary>
public sealed unsafe class SimulatedMemory : IDisposable
{
    public const ulong Alignment = (ulong)PageAllocator.PageSize << PageAllocator.MaximumOrder;
    private readonly void* _raw;
    private readonly byte* _metadata;
    public readonly byte* Start;
    public readonly ulong Pages;
    public HeapAllocator* Heap;
    public HeapAllocator.CpuCache* Cache;
    public HeapAllocator.CpuCache* OtherCache;

    [ThreadStatic] private static List<(string What, ulong Address)> t_reports;
    public List<(string What, ulong Address)> Reports => t_reports;

    private static void Report(string what, ulong address) => t_reports.Add((what, address));

    public SimulatedMemory(ulong megabytes, params (ulong StartPage, ulong EndPage)[] usable)
    {
        t_reports = new List<(string, ulong)>();
        Pages = megabytes * 256;
        _raw = NativeMemory.Alloc((nuint)(Pages * 4096 + Alignment));
        Start = (byte*)(((ulong)_raw + Alignment - 1) & ~(Alignment - 1));
        _metadata = (byte*)NativeMemory.Alloc((nuint)HeapAllocator.MetadataBytesFor(Pages));
        Heap = (HeapAllocator*)NativeMemory.AllocZeroed((nuint)sizeof(HeapAllocator));
        Cache = (HeapAllocator.CpuCache*)NativeMemory.AllocZeroed((nuint)sizeof(HeapAllocator.CpuCache));
        OtherCache = (HeapAllocator.CpuCache*)NativeMemory.AllocZeroed((nuint)sizeof(HeapAllocator.CpuCache));
        Heap->Initialize(Start, Pages, _metadata, &Report);
        if (usable.Length == 0)
            usable = new[] { (0UL, Pages) };
        foreach (var (first, end) in usable)
            Heap->AddFreeRange(Start + first * 4096, Start + end * 4096);
    }

    public void Dispose()
    {
        NativeMemory.Free(_raw);
        NativeMemory.Free(_metadata);
        NativeMemory.Free(Heap);
        NativeMemory.Free(Cache);
        NativeMemory.Free(OtherCache);
    }
}
