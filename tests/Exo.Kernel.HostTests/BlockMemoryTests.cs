using Exo.Kernel.Memory;
using Xunit;

namespace Exo.Kernel.HostTests
{
    /// <summary>BlockMemory.Copy's moves (64, 32, 16 bytes, then one move ending at the end): every length and alignment.</summary>
    public unsafe class BlockMemoryTests
    {
        [Fact]
        public void CopyMovesExactlyTheBytesAskedForAtEveryLengthAndAlignment()
        {
            byte[] source = new byte[600], destination = new byte[600];
            for (int i = 0; i < source.Length; i++)
                source[i] = (byte)(i * 7 + 3);
            fixed (byte* from = source, to = destination)
            {
                for (int length = 0; length <= 300; length++)
                    for (int sourceOffset = 0; sourceOffset < 9; sourceOffset++)
                        for (int destinationOffset = 0; destinationOffset < 9; destinationOffset++)
                        {
                            System.Array.Fill(destination, (byte)0xEE);
                            BlockMemory.Copy(to + 16 + destinationOffset, from + sourceOffset, (ulong)length);
                            for (int i = 0; i < destination.Length; i++)
                            {
                                int at = i - 16 - destinationOffset;
                                byte expected = at >= 0 && at < length ? source[sourceOffset + at] : (byte)0xEE;
                                Assert.True(expected == destination[i], $"length {length}, offsets {sourceOffset}/{destinationOffset}: byte {i}");
                            }
                        }
            }
        }
    }
}
