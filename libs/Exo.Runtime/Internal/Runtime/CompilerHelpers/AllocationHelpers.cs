using System;
using System.Runtime;
using Exo.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    // The allocation entry points that compiled code calls for 'new'. All memory comes from
    // Exo.Runtime.ObjectAllocator: there is no other source and no hidden allocation.
    internal static unsafe class AllocationHelpers
    {
        private const int MaxArrayLength = 0x7FFFFFC7;

        [RuntimeExport("RhpNewFast")]
        internal static object RhpNewFast(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhpNewFinalizable")]
        internal static object RhpNewFinalizable(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhpNewArray")]
        internal static object RhpNewArray(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhpNewArrayFast")]
        internal static object RhpNewArrayFast(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        internal static object RhpNewPtrArrayFast(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhNewString")]
        internal static object RhNewString(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhpNewVariableSizeObject")]
        internal static object RhpNewVariableSizeObject(MethodTable* type, int length) => AllocateArray(type, length);

        internal static object AllocateObject(MethodTable* type)
        {
            void* memory = ObjectAllocator.AllocateZeroed(type->BaseSize);
            *(MethodTable**)memory = type;
            return *(object*)&memory;
        }

        internal static object AllocateArray(MethodTable* type, int length)
        {
            if ((uint)length > MaxArrayLength)
                ThrowHelpers.ThrowOverflowException();
            ulong size = type->BaseSize + (ulong)length * type->ComponentSize;
            size = (size + 7) & ~7UL;
            void* memory = ObjectAllocator.AllocateZeroed((nuint)size);
            *(MethodTable**)memory = type;
            *(int*)((byte*)memory + sizeof(nint)) = length;
            return *(object*)&memory;
        }
    }
}
