using System;
using Exo.Runtime;
using Xunit;

namespace Exo.Std.HostTests;

/// <summary>The core library's straight-line copy of up to 64 bytes: every length, aligned or not, and blocks that
/// overlap either way, against a byte-by-byte model of memmove.</summary>
public unsafe class ShortCopyTests
{
    [Fact]
    public void Every_length_and_overlap_moves_as_memmove_does()
    {
        const int Size = 256;
        byte[] memory = new byte[Size], model = new byte[Size];
        int cases = 0;
        for (int length = 0; length <= ShortCopy.MaximumLength; length++)
            for (int from = 80; from < 88; from++)
                for (int shift = -length - 2; shift <= length + 2; shift++)
                {
                    for (int i = 0; i < Size; i++)
                        memory[i] = model[i] = (byte)(i * 7 + 3);
                    int to = from + shift;
                    System.Array.Copy(model, from, model, to, length);   // Array.Copy handles overlap as memmove
                    fixed (byte* m = memory)
                        ShortCopy.Move(m + to, m + from, (nuint)length);
                    Assert.True(model.AsSpan().SequenceEqual(memory), $"length {length}, from {from}, to {to}");
                    cases++;
                }
        Assert.True(cases > 4000);
    }
}
