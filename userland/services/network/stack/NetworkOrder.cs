using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Exo.Network
{
    /// <summary>Big-endian (network byte order) loads and stores at any alignment: every header field goes through here,
    /// so each is one unaligned load or store and a byte swap, inlined.</summary>
    public static unsafe class NetworkOrder
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ushort ReadUInt16(byte* bytes) => BinaryPrimitives.ReverseEndianness(*(ushort*)bytes);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint ReadUInt32(byte* bytes) => BinaryPrimitives.ReverseEndianness(*(uint*)bytes);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteUInt16(byte* bytes, ushort value) => *(ushort*)bytes = BinaryPrimitives.ReverseEndianness(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WriteUInt32(byte* bytes, uint value) => *(uint*)bytes = BinaryPrimitives.ReverseEndianness(value);
    }
}
