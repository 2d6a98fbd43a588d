using System.Runtime.CompilerServices;

namespace System.Threading
{
    // The JIT expands these [Intrinsic] methods to lock-prefixed instructions; the bodies are fallbacks
    // that are never used on x64.
    public static class Interlocked
    {
        [Intrinsic] public static int CompareExchange(ref int location1, int value, int comparand) => CompareExchange(ref location1, value, comparand);
        [Intrinsic] public static long CompareExchange(ref long location1, long value, long comparand) => CompareExchange(ref location1, value, comparand);
        [Intrinsic] public static uint CompareExchange(ref uint location1, uint value, uint comparand) => (uint)CompareExchange(ref Unsafe.As<uint, int>(ref location1), (int)value, (int)comparand);
        [Intrinsic] public static ulong CompareExchange(ref ulong location1, ulong value, ulong comparand) => (ulong)CompareExchange(ref Unsafe.As<ulong, long>(ref location1), (long)value, (long)comparand);
        [Intrinsic] public static IntPtr CompareExchange(ref IntPtr location1, IntPtr value, IntPtr comparand) => (IntPtr)CompareExchange(ref Unsafe.As<IntPtr, long>(ref location1), (long)value, (long)comparand);
        [Intrinsic] public static int Exchange(ref int location1, int value) => Exchange(ref location1, value);
        [Intrinsic] public static long Exchange(ref long location1, long value) => Exchange(ref location1, value);
        public static ulong Exchange(ref ulong location1, ulong value) => (ulong)Exchange(ref Unsafe.As<ulong, long>(ref location1), (long)value);
        [Intrinsic] public static int ExchangeAdd(ref int location1, int value) => ExchangeAdd(ref location1, value);
        [Intrinsic] public static long ExchangeAdd(ref long location1, long value) => ExchangeAdd(ref location1, value);
        public static int Add(ref int location1, int value) => ExchangeAdd(ref location1, value) + value;
        public static long Add(ref long location1, long value) => ExchangeAdd(ref location1, value) + value;
        public static int Increment(ref int location) => Add(ref location, 1);
        public static long Increment(ref long location) => Add(ref location, 1);
        public static int Decrement(ref int location) => Add(ref location, -1);
        public static long Decrement(ref long location) => Add(ref location, -1);
        public static ulong Increment(ref ulong location) => (ulong)Add(ref Unsafe.As<ulong, long>(ref location), 1);
        [Intrinsic] public static void MemoryBarrier() => MemoryBarrier();

        public static int Or(ref int location1, int value) => (int)Or(ref Unsafe.As<int, uint>(ref location1), (uint)value);

        public static int And(ref int location1, int value) => (int)And(ref Unsafe.As<int, uint>(ref location1), (uint)value);

        public static uint And(ref uint location1, uint value)
        {
            uint current = location1;
            while (true)
            {
                uint previous = CompareExchange(ref location1, current & value, current);
                if (previous == current)
                    return previous;
                current = previous;
            }
        }

        public static uint Or(ref uint location1, uint value)
        {
            uint current = location1;
            while (true)
            {
                uint previous = CompareExchange(ref location1, current | value, current);
                if (previous == current)
                    return previous;
                current = previous;
            }
        }

        public static ulong Or(ref ulong location1, ulong value)
        {
            ulong current = location1;
            while (true)
            {
                ulong previous = CompareExchange(ref location1, current | value, current);
                if (previous == current)
                    return previous;
                current = previous;
            }
        }
    }

    public static class Volatile
    {
        [Intrinsic] public static bool Read(ref readonly bool location) => location;
        [Intrinsic] public static byte Read(ref readonly byte location) => location;
        [Intrinsic] public static ushort Read(ref readonly ushort location) => location;
        [Intrinsic] public static int Read(ref readonly int location) => location;
        [Intrinsic] public static uint Read(ref readonly uint location) => location;
        [Intrinsic] public static long Read(ref readonly long location) => location;
        [Intrinsic] public static ulong Read(ref readonly ulong location) => location;
        [Intrinsic] public static void Write(ref bool location, bool value) => location = value;
        [Intrinsic] public static void Write(ref byte location, byte value) => location = value;
        [Intrinsic] public static void Write(ref ushort location, ushort value) => location = value;
        [Intrinsic] public static void Write(ref int location, int value) => location = value;
        [Intrinsic] public static void Write(ref uint location, uint value) => location = value;
        [Intrinsic] public static void Write(ref long location, long value) => location = value;
        [Intrinsic] public static void Write(ref ulong location, ulong value) => location = value;
    }
}
