using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System
{
    // Every object starts with a pointer to its MethodTable, written by the allocator.
    public unsafe class Object
    {
#pragma warning disable 169
        internal MethodTable* m_pMethodTable;
#pragma warning restore 169

        public Object() { }
        ~Object() { }

        public virtual bool Equals(object o) => (object)this == o;
        public virtual int GetHashCode()
        {
            // Address-based: objects never move (no compacting collector).
            object self = this;
            return (int)((ulong)*(void**)Unsafe.AsPointer(ref self) >> 3);
        }
        public virtual string ToString() => "System.Object";

        internal MethodTable* GetMethodTable() => m_pMethodTable;

        /// <summary>Reference to the first byte after the MethodTable pointer.</summary>
        internal ref byte GetRawData() => ref Unsafe.As<RawData>(this).Data;
    }

    internal sealed class RawData
    {
        public byte Data;
    }

    internal sealed class RawArrayData
    {
        public uint Length;
        public uint Padding;
        public byte Data;
    }
}
