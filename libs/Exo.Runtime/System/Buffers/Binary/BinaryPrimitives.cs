using System.Runtime.CompilerServices;

namespace System.Buffers.Binary
{
    /// <summary>Byte-order reversal as .NET defines it: the compiler emits BSWAP (or ROL for 16 bits) in place of the
    /// uint and ulong forms and recognises the ushort form's pattern; the bodies are the fallbacks it never uses.</summary>
    public static class BinaryPrimitives
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ushort ReverseEndianness(ushort value) => (ushort)((value >> 8) + (value << 8));

        [Intrinsic]
        public static uint ReverseEndianness(uint value) =>
            (value >> 24) | ((value >> 8) & 0xFF00) | ((value << 8) & 0xFF0000) | (value << 24);

        [Intrinsic]
        public static ulong ReverseEndianness(ulong value) =>
            ((ulong)ReverseEndianness((uint)value) << 32) | ReverseEndianness((uint)(value >> 32));
    }
}
