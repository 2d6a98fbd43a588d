namespace Exo.Storage.Ext
{
    /// <summary>
    /// Copies, comparisons and fills of file data and metadata a word at a time: a byte loop is four or five instructions a byte, 20,000 for a
    /// 4 KiB block, which was most of what a cached read cost extfs (and under QEMU's -icount every one is counted).
    /// </summary>
    internal static unsafe class ByteCopy
    {
        /// <summary>Copies 'count' bytes (the areas do not overlap; any alignment).</summary>
        public static void Copy(byte* from, byte* to, uint count) => System.Buffer.MemoryCopy(from, to, count, count);

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
