using System.Numerics;

namespace Exo.Std.Memory
{
    /// <summary>
    /// The user heap's size classes: 16 to 128 bytes in steps of 16, then four per power of two up to 2048
    /// (160, 192, 224, 256, 320, ...): 24 classes, at most 25% internal waste above 128 bytes. Every class
    /// size is a multiple of 16, so objects stay 16-byte aligned.
    /// </summary>
    public static class HeapSizeClasses
    {
        public const int Count = 24;
        public const uint LargestSize = 2048;

        /// <summary>The smallest class holding 'size' bytes (1 to LargestSize).</summary>
        public static int ClassOf(uint size)
        {
            if (size <= 128)
                return size <= 16 ? 0 : (int)((size - 1) >> 4);
            int power = BitOperations.Log2(size - 1);          // size in (2^power, 2^(power+1)]
            int quarter = (int)((size - 1 - (1u << power)) >> (power - 2));
            return 8 + (power - 7) * 4 + quarter;
        }

        public static uint SizeOf(int sizeClass)
        {
            if (sizeClass < 8)
                return (uint)(sizeClass + 1) << 4;
            int power = 7 + (sizeClass - 8) / 4;
            int quarter = (sizeClass - 8) % 4;
            return (1u << power) + ((uint)(quarter + 1) << (power - 2));
        }
    }
}
