using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace System.Numerics
{
    /// <summary>Bit scans as .NET defines them, one instruction each (BSF/BSR) plus the zero case.</summary>
    public static class BitOperations
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int TrailingZeroCount(uint value) => value == 0 ? 32 : (int)X86Base.BitScanForward(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int TrailingZeroCount(ulong value) => value == 0 ? 64 : (int)X86Base.X64.BitScanForward(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Log2(uint value) => value == 0 ? 0 : (int)X86Base.BitScanReverse(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Log2(ulong value) => value == 0 ? 0 : (int)X86Base.X64.BitScanReverse(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int LeadingZeroCount(uint value) => value == 0 ? 32 : 31 ^ (int)X86Base.BitScanReverse(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int LeadingZeroCount(ulong value) => value == 0 ? 64 : 63 ^ (int)X86Base.X64.BitScanReverse(value);
    }
}
