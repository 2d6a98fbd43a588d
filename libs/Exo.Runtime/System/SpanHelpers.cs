using System.Runtime.CompilerServices;

namespace System
{
    // Block copy and fill that the compiler calls for struct copies, stackalloc clearing and array moves.
    internal static class SpanHelpers
    {
        [Intrinsic]
        internal static void ClearWithoutReferences(ref byte destination, nuint length) => Fill(ref destination, 0, length);

        [Intrinsic]
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 64)]
        private struct Block64 { public ulong A, B, C, D, E, F, G, H; }

        internal static unsafe void Memmove(ref byte destination, ref byte source, nuint length)
        {
            byte* to = (byte*)Unsafe.AsPointer(ref destination);
            byte* from = (byte*)Unsafe.AsPointer(ref source);
            if (to == from || length == 0)
                return;
            if (length <= Exo.Runtime.ShortCopy.MaximumLength)
            {
                Exo.Runtime.ShortCopy.Move(to, from, length);   // overlap-safe: every load before any store
                return;
            }
            if (to < from || to >= from + length)
            {
                if (length >= Exo.Runtime.WideCopy.MinimumLength && Exo.Runtime.WideCopy.s_forward != null && (to + length <= from || to >= from + length))
                {
                    Exo.Runtime.WideCopy.s_forward(to, from, length);
                    return;
                }
                nuint i = 0;
                // 64 bytes a turn as four 16-byte SSE moves (struct copies of kernel objects: a register frame, limits).
                if (to + 64 <= from || from + 64 <= to)
                    for (; i + 64 <= length; i += 64)
                        *(Block64*)(to + i) = *(Block64*)(from + i);
                for (; i + 8 <= length; i += 8)
                    *(ulong*)(to + i) = *(ulong*)(from + i);
                for (; i < length; i++)
                    to[i] = from[i];
            }
            else
            {
                // Overlapping with the destination above the source: copy from the end.
                nuint i = length;
                for (; i >= 8; i -= 8)
                    *(ulong*)(to + i - 8) = *(ulong*)(from + i - 8);
                for (; i > 0; i--)
                    to[i - 1] = from[i - 1];
            }
        }

        internal static unsafe void Fill(ref byte destination, byte value, nuint length)
        {
            byte* to = (byte*)Unsafe.AsPointer(ref destination);
            ulong pattern = value * 0x0101010101010101UL;
            nuint i = 0;
            if (value == 0)
                for (; i + 64 <= length; i += 64)
                    *(Block64*)(to + i) = default;   // zeroed locals and stackalloc: four 16-byte SSE stores a turn
            for (; i + 8 <= length; i += 8)
                *(ulong*)(to + i) = pattern;
            for (; i < length; i++)
                to[i] = value;
        }
    }

    public static class Buffer
    {
        // No collector, so no write barrier is needed for moves of references.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
            => SpanHelpers.Memmove(ref destination, ref source, byteCount);

        internal static void Memmove(ref byte destination, ref byte source, nuint length)
            => SpanHelpers.Memmove(ref destination, ref source, length);

        /// <summary>
        /// .NET's Buffer.MemoryCopy: 'sourceBytesToCopy' bytes from 'source' to 'destination' (overlap allowed), 64 bytes a
        /// turn; more than 'destinationSizeInBytes' is .NET's ArgumentOutOfRangeException (a runtime failure here).
        /// The one copy of raw memory for everything built on this library (drivers, services, protocols).
        /// </summary>
        public static unsafe void MemoryCopy(void* source, void* destination, long destinationSizeInBytes, long sourceBytesToCopy)
        {
            if ((ulong)sourceBytesToCopy > (ulong)destinationSizeInBytes)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            SpanHelpers.Memmove(ref *(byte*)destination, ref *(byte*)source, (nuint)sourceBytesToCopy);
        }

        public static unsafe void MemoryCopy(void* source, void* destination, ulong destinationSizeInBytes, ulong sourceBytesToCopy)
        {
            if (sourceBytesToCopy > destinationSizeInBytes)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            SpanHelpers.Memmove(ref *(byte*)destination, ref *(byte*)source, (nuint)sourceBytesToCopy);
        }
    }
}
