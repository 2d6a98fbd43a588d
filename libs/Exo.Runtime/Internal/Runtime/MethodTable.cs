namespace Internal.Runtime
{
    /// <summary>Which method of a type implements each interface method: entries follow the four counts.</summary>
    internal unsafe struct DispatchMap
    {
        internal ushort StandardEntryCount;
        internal ushort DefaultEntryCount;
        internal ushort StandardStaticEntryCount;
        internal ushort DefaultStaticEntryCount;

        internal struct Entry
        {
            internal ushort InterfaceIndex;      // into the type's interface map
            internal ushort InterfaceMethodSlot;
            internal ushort ImplementationSlot;  // vtable slot, or past the vtable: sealed virtual slot
        }

        internal Entry* Entries
        {
            get { fixed (DispatchMap* self = &this) return (Entry*)(self + 1); }
        }
    }

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

        private const uint HasDispatchMapFlag = 0x00040000;
        private const uint IsFinalizableFlag = 0x00100000;
        private const uint HasSealedVTableEntriesFlag = 0x00400000;
        private const uint ValueTypePaddingMask = 0xE0;

        internal bool HasDispatchMap => (Flags & HasDispatchMapFlag) != 0;
        internal bool IsFinalizable => (Flags & IsFinalizableFlag) != 0;
        internal bool HasSealedVTableEntries => (Flags & HasSealedVTableEntriesFlag) != 0;
        internal uint ValueTypeFieldPadding => (Flags & ValueTypePaddingMask) >> 5;

        // After the interface map come 32-bit relative pointers: type manager, writable data, then the
        // optional dispatch map, finalizer and sealed virtual table, each present only if its flag says so.
        private byte* OptionalFieldsStart => (byte*)(InterfaceMap + NumInterfaces) + 2 * sizeof(int);

        internal DispatchMap* DispatchMap
        {
            get
            {
                if (!HasDispatchMap)
                    return null;
                return (DispatchMap*)FollowRelativePointer((int*)OptionalFieldsStart);
            }
        }

        /// <summary>Code address of a virtual slot numbered past the vtable (moved to the sealed table).</summary>
        internal nint SealedVirtualSlot(int index)
        {
            byte* field = OptionalFieldsStart + (HasDispatchMap ? 4 : 0) + (IsFinalizable ? 4 : 0);
            int* table = (int*)FollowRelativePointer((int*)field);
            return (nint)FollowRelativePointer(table + index);
        }

        internal static byte* FollowRelativePointer(int* location) => (byte*)location + *location;
    }
}
