using System;
using System.Runtime.InteropServices;

namespace Exo.Std.HostTests;

/// <summary>64-byte aligned native memory standing in for a shared memory object.</summary>
internal sealed unsafe class RingMemory : IDisposable
{
    public byte* Pointer { get; }
    public ulong Length { get; }

    public RingMemory(ulong length)
    {
        Length = length;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 64);
        NativeMemory.Clear(Pointer, (nuint)length);
    }

    public void Dispose() => NativeMemory.AlignedFree(Pointer);
}
