namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// Object size classes. Up to 64 bytes they step by 8 (the alignment every object needs, so the waste
    /// there is at most 7 bytes); above, four classes per power of two, so that a request never wastes more
    /// than 20% of its block (worst case: 65 bytes in the 80-byte class, 18.75%). Larger requests get
    /// whole pages from level 3.
    /// </summary>
    public static class SizeClasses
    {
        public const int Count = 27;
        public const int MaximumSize = 2048;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int Size(int sizeClass) => sizeClass switch
        {
            0 => 16, 1 => 24, 2 => 32, 3 => 40, 4 => 48, 5 => 56, 6 => 64,
            7 => 80, 8 => 96, 9 => 112, 10 => 128,
            11 => 160, 12 => 192, 13 => 224, 14 => 256,
            15 => 320, 16 => 384, 17 => 448, 18 => 512,
            19 => 640, 20 => 768, 21 => 896, 22 => 1024,
            23 => 1280, 24 => 1536, 25 => 1792, _ => 2048,
        };

        /// <summary>The smallest class that holds 'bytes', or -1 when it is too large for a slab.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int ForSize(ulong bytes)
        {
            if (bytes <= 64)
                return bytes <= 16 ? 0 : (int)((bytes - 16 + 7) / 8);
            if (bytes > MaximumSize)
                return -1;
            // Four classes per power of two above 64: the power p with 2^p < bytes <= 2^(p+1) (one bit scan, every
            // 'new' of the kernel comes here), then the quarter.
            int power = System.Numerics.BitOperations.Log2(bytes - 1);
            int stepShift = power - 2;
            ulong quarter = (bytes - (1UL << power) + (1UL << stepShift) - 1) >> stepShift;   // 1..4
            return 6 + (power - 6) * 4 + (int)quarter;
        }

        /// <summary>Slab size (buddy order) for a class: the smallest that holds at least eight objects.</summary>
        public static int SlabOrder(int sizeClass)
        {
            int size = Size(sizeClass);
            int order = 0;
            while (((PageAllocator.PageSize << order) - SlabHeader.Size) / size < 8)
                order++;
            return order;
        }
    }
}
