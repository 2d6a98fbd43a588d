using System.Runtime.CompilerServices;

namespace System.Runtime.Intrinsics.X86
{
    // SSE4.2's CRC32 instruction (CRC-32C, the Castagnoli polynomial), as .NET defines it. Part of x86-64-v2, the
    // instruction set user programs are compiled for (IlcInstructionSet): the compiler replaces each call with the
    // instruction, and the bodies are fallbacks it never uses. The SSE4.2 vector operations are not declared.
    [Intrinsic]
    public abstract class Sse42
    {
        public static bool IsSupported => IsSupported;

        /// <summary>CRC32 r32, r/m8: the CRC-32C of 'data' continued from 'crc' (no inversion before or after).</summary>
        [Intrinsic]
        public static uint Crc32(uint crc, byte data) => Crc32(crc, data);

        /// <summary>CRC32 r32, r/m32: four bytes, little-endian.</summary>
        [Intrinsic]
        public static uint Crc32(uint crc, uint data) => Crc32(crc, data);

        [Intrinsic]
        public abstract class X64
        {
            public static bool IsSupported => IsSupported;

            /// <summary>CRC32 r64, r/m64: eight bytes, little-endian (the result fits 32 bits).</summary>
            [Intrinsic]
            public static ulong Crc32(ulong crc, ulong data) => Crc32(crc, data);
        }
    }
}
