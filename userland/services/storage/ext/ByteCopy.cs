namespace Exo.Storage.Ext
{
    /// <summary>
    /// Copies, comparisons and fills of file data and metadata a word at a time: a byte loop is four or five instructions a byte, 20,000 for a
    /// 4 KiB block, which was most of what a cached read cost extfs (and under QEMU's -icount every one is counted).
    /// </summary>
    internal static unsafe class ByteCopy
    {
        /// <summary>Copies 'count' bytes (the areas do not overlap; any alignment).</summary>
        public static void Copy(byte* from, byte* to, uint count)
        {
            uint i = 0;
            for (; i + 32 <= count; i += 32)
            {
                ulong a = *(ulong*)(from + i), b = *(ulong*)(from + i + 8), c = *(ulong*)(from + i + 16), d = *(ulong*)(from + i + 24);
                *(ulong*)(to + i) = a;
                *(ulong*)(to + i + 8) = b;
                *(ulong*)(to + i + 16) = c;
                *(ulong*)(to + i + 24) = d;
            }
            for (; i + 8 <= count; i += 8)
                *(ulong*)(to + i) = *(ulong*)(from + i);
            for (; i < count; i++)
                to[i] = from[i];
        }

        /// <summary>Whether the 'count' bytes at 'a' and at 'b' are the same.</summary>
        public static bool Same(byte* a, byte* b, uint count)
        {
            uint i = 0;
            for (; i + 8 <= count; i += 8)
                if (*(ulong*)(a + i) != *(ulong*)(b + i))
                    return false;
            for (; i < count; i++)
                if (a[i] != b[i])
                    return false;
            return true;
        }

        /// <summary>Zeroes 'count' bytes.</summary>
        public static void Zero(byte* to, uint count)
        {
            uint i = 0;
            for (; i + 8 <= count; i += 8)
                *(ulong*)(to + i) = 0;
            for (; i < count; i++)
                to[i] = 0;
        }
    }
}
