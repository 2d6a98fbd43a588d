// The primitive value types. Their layout is fixed by the compiler: one field of their own type.
namespace System
{
    public struct Void { }
    public struct Boolean { private bool _value; public override string ToString() => _value ? "True" : "False"; }
    public struct Char { private char _value; }
    public struct SByte { private sbyte _value; public const sbyte MaxValue = 127; public const sbyte MinValue = -128; }
    public struct Byte { private byte _value; public const byte MaxValue = 255; public const byte MinValue = 0; }
    public struct Int16 { private short _value; public const short MaxValue = 32767; public const short MinValue = -32768; }
    public struct UInt16 { private ushort _value; public const ushort MaxValue = 65535; public const ushort MinValue = 0; }
    public struct Int32 { private int _value; public const int MaxValue = 0x7fffffff; public const int MinValue = unchecked((int)0x80000000); }
    public struct UInt32 { private uint _value; public const uint MaxValue = 0xffffffff; public const uint MinValue = 0; }
    public struct Int64 { private long _value; public const long MaxValue = 0x7fffffffffffffff; public const long MinValue = unchecked((long)0x8000000000000000); }
    public struct UInt64 { private ulong _value; public const ulong MaxValue = 0xffffffffffffffff; public const ulong MinValue = 0; }
    public struct Single { private float _value; }
    public struct Double { private double _value; }

    public unsafe struct IntPtr
    {
        private void* _value;
        public static readonly IntPtr Zero;
        public IntPtr(void* value) { _value = value; }
        public IntPtr(int value) { _value = (void*)value; }
        public IntPtr(long value) { _value = (void*)value; }
        public static int Size => sizeof(nint);
        public void* ToPointer() => _value;
        public long ToInt64() => (long)_value;
        public static explicit operator IntPtr(int value) => new IntPtr(value);
        public static explicit operator IntPtr(long value) => new IntPtr(value);
        public static explicit operator IntPtr(void* value) => new IntPtr(value);
        public static explicit operator void*(IntPtr value) => value._value;
        public static explicit operator long(IntPtr value) => (long)value._value;
        public static bool operator ==(IntPtr a, IntPtr b) => a._value == b._value;
        public static bool operator !=(IntPtr a, IntPtr b) => a._value != b._value;
        public static IntPtr operator +(IntPtr a, int offset) => new IntPtr((byte*)a._value + offset);
    }

    public unsafe struct UIntPtr
    {
        private void* _value;
        public static readonly UIntPtr Zero;
        public UIntPtr(void* value) { _value = value; }
        public UIntPtr(ulong value) { _value = (void*)value; }
        public static int Size => sizeof(nuint);
        public void* ToPointer() => _value;
        public static explicit operator UIntPtr(ulong value) => new UIntPtr(value);
        public static explicit operator ulong(UIntPtr value) => (ulong)value._value;
        public static bool operator ==(UIntPtr a, UIntPtr b) => a._value == b._value;
        public static bool operator !=(UIntPtr a, UIntPtr b) => a._value != b._value;
    }
}
