namespace Internal.Runtime
{
    // The compiler's type descriptor, as far as this runtime reads it. The layout is internal to ILC and
    // pinned together with the ILCompiler package version (see kernel/Exo.Kernel.csproj).
    internal unsafe struct MethodTable
    {
        private const uint HasComponentSizeFlag = 0x80000000;
        private const uint KindMask = 0x00030000;
        private const uint ParameterizedKind = 0x00020000;
        private const uint ElementTypeMask = 0x7C000000;
        private const int ElementTypeShift = 26;
        private const uint IsGenericFlag = 0x02000000;
        private const uint NullableElementType = 0x12;
        private const uint ClassElementType = 0x14;
        private const uint InterfaceElementType = 0x15;
        private const uint ArrayElementType = 0x17;
        private const uint SzArrayElementType = 0x18;

        internal uint Flags;
        internal uint BaseSize;
        internal MethodTable* RelatedType;   // base type for classes, element type for arrays
        internal ushort NumVtableSlots;
        internal ushort NumInterfaces;
        internal uint HashCode;

        internal bool HasComponentSize => (Flags & HasComponentSizeFlag) != 0;
        internal ushort ComponentSize => HasComponentSize ? (ushort)Flags : (ushort)0;
        internal bool IsParameterized => (Flags & KindMask) == ParameterizedKind;
        internal uint ElementType => (Flags & ElementTypeMask) >> ElementTypeShift;
        internal bool IsArray => ElementType == ArrayElementType || ElementType == SzArrayElementType;
        internal bool IsValueType => ElementType != 0 && ElementType < ClassElementType;
        internal bool IsInterface => ElementType == InterfaceElementType;
        internal bool IsNullable => ElementType == NullableElementType;
        internal bool IsGeneric => (Flags & IsGenericFlag) != 0;

        internal MethodTable* BaseType => IsParameterized ? null : RelatedType;

        internal nint* Vtable
        {
            get { fixed (MethodTable* self = &this) return (nint*)((byte*)self + sizeof(MethodTable)); }
        }

        internal MethodTable** InterfaceMap => (MethodTable**)(Vtable + NumVtableSlots);
    }
}
