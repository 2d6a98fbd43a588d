using System.Runtime.CompilerServices;

namespace System.Runtime.Intrinsics.X86
{
    // The baseline x86 instructions the JIT expands in place (as in .NET). The bodies are fallbacks the
    // compiler never uses: it replaces each call with the instruction.
    [Intrinsic]
    public abstract class X86Base
    {
        public static bool IsSupported => IsSupported;

        /// <summary>BSF: index of the lowest set bit; undefined for zero.</summary>
        [Intrinsic]
        internal static uint BitScanForward(uint value) => BitScanForward(value);

        /// <summary>BSR: index of the highest set bit; undefined for zero.</summary>
        [Intrinsic]
        internal static uint BitScanReverse(uint value) => BitScanReverse(value);

        [Intrinsic]
        public abstract class X64
        {
            public static bool IsSupported => IsSupported;

            [Intrinsic]
            internal static ulong BitScanForward(ulong value) => BitScanForward(value);

            [Intrinsic]
            internal static ulong BitScanReverse(ulong value) => BitScanReverse(value);
        }
    }
}
