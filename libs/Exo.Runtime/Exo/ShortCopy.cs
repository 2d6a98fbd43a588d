using System.Runtime.CompilerServices;

namespace Exo.Runtime
{
    /// <summary>
    /// Copies of at most <see cref="MaximumLength"/> bytes in straight lines (the packet headers, records and small
    /// structs most copies are): the first and the last words of the block, every load before any store, so that
    /// blocks that overlap either way move correctly. A loop of words and bytes took about 50 instructions for 24 bytes.
    /// </summary>
    internal static unsafe class ShortCopy
    {
        public const int MaximumLength = 64;

        /// <summary>Moves 'length' bytes (at most MaximumLength) from 'from' to 'to'; the blocks may overlap.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Move(byte* to, byte* from, nuint length)
        {
            if (length >= 16)
            {
                if (length > 32)
                {
                    // 33 to 64: the first 32 bytes and the last 32 (they overlap in the middle).
                    byte* end = from + length - 32;
                    ulong a0 = *(ulong*)from, a1 = *(ulong*)(from + 8), a2 = *(ulong*)(from + 16), a3 = *(ulong*)(from + 24);
                    ulong b0 = *(ulong*)end, b1 = *(ulong*)(end + 8), b2 = *(ulong*)(end + 16), b3 = *(ulong*)(end + 24);
                    byte* last = to + length - 32;
                    *(ulong*)to = a0; *(ulong*)(to + 8) = a1; *(ulong*)(to + 16) = a2; *(ulong*)(to + 24) = a3;
                    *(ulong*)last = b0; *(ulong*)(last + 8) = b1; *(ulong*)(last + 16) = b2; *(ulong*)(last + 24) = b3;
                }
                else
                {
                    byte* end = from + length - 16;
                    ulong a0 = *(ulong*)from, a1 = *(ulong*)(from + 8);
                    ulong b0 = *(ulong*)end, b1 = *(ulong*)(end + 8);
                    byte* last = to + length - 16;
                    *(ulong*)to = a0; *(ulong*)(to + 8) = a1;
                    *(ulong*)last = b0; *(ulong*)(last + 8) = b1;
                }
            }
            else if (length >= 8)
            {
                ulong a = *(ulong*)from, b = *(ulong*)(from + length - 8);
                *(ulong*)to = a;
                *(ulong*)(to + length - 8) = b;
            }
            else if (length >= 4)
            {
                uint a = *(uint*)from, b = *(uint*)(from + length - 4);
                *(uint*)to = a;
                *(uint*)(to + length - 4) = b;
            }
            else if (length != 0)
            {
                // 1 to 3: the first, the middle and the last byte cover them all.
                byte a = from[0], b = from[length >> 1], c = from[length - 1];
                to[0] = a;
                to[length >> 1] = b;
                to[length - 1] = c;
            }
        }
    }
}
