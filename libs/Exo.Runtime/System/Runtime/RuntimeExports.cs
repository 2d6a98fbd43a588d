using System.Runtime.CompilerServices;
using Internal.Runtime;
using Internal.Runtime.CompilerHelpers;

namespace System.Runtime
{
    // Boxing, unboxing and generic allocation: the compiler looks these methods up by name on this class.
    internal static unsafe class RuntimeExports
    {
        // Boxed value: [MethodTable*][value][padding], with BaseSize counting an 8-byte header word as well.
        private static uint ValueSize(MethodTable* type) => type->BaseSize - (uint)(2 * sizeof(nint)) - type->ValueTypeFieldPadding;

        public static object RhNewObject(MethodTable* type) => AllocationHelpers.AllocateObject(type);

        public static object RhNewArray(MethodTable* type, int length) => AllocationHelpers.AllocateArray(type, length);

        public static object RhBox(MethodTable* type, ref byte data)
        {
            if (type->IsNullable)
                Exo.Runtime.RuntimeFailure.Fail("boxing Nullable<T> is not supported by Exo.Runtime", null);
            object box = AllocationHelpers.AllocateObject(type);
            Buffer.Memmove(ref box.GetRawData(), ref data, ValueSize(type));
            return box;
        }

        public static object RhBoxAny(ref byte data, MethodTable* type)
            => type->IsValueType ? RhBox(type, ref data) : Unsafe.As<byte, object>(ref data);

        public static ref byte RhUnbox2(MethodTable* type, object obj)
        {
            if (obj == null)
                ThrowHelpers.ThrowNullReferenceException();
            if (!SameBoxedType(obj.GetMethodTable(), type))
                ThrowHelpers.ThrowInvalidCastException();
            return ref obj.GetRawData();
        }

        public static void RhUnboxNullable(ref byte data, MethodTable* type, object obj)
            => Exo.Runtime.RuntimeFailure.Fail("unboxing to Nullable<T> is not supported by Exo.Runtime", null);

        public static void RhUnboxAny(object obj, ref byte data, MethodTable* type)
        {
            if (type->IsValueType)
            {
                ref byte source = ref RhUnbox2(type, obj);
                Buffer.Memmove(ref data, ref source, ValueSize(obj.GetMethodTable()));
            }
            else
            {
                if (obj != null && TypeCast.IsInstanceOfAny(type, obj) == null)
                    ThrowHelpers.ThrowInvalidCastException();
                Unsafe.As<byte, object>(ref data) = obj;
            }
        }

        public static void RhUnbox(object obj, ref byte data, MethodTable* type)
        {
            if (obj == null)
                ThrowHelpers.ThrowNullReferenceException();
            Buffer.Memmove(ref data, ref obj.GetRawData(), ValueSize(obj.GetMethodTable()));
        }

        public static object RhMemberwiseClone(object source)
        {
            MethodTable* type = source.GetMethodTable();
            object copy = type->IsArray
                ? AllocationHelpers.AllocateArray(type, Unsafe.As<Array>(source).Length)
                : AllocationHelpers.AllocateObject(type);
            nuint size = type->BaseSize - (nuint)sizeof(nint) + (type->IsArray ? (nuint)Unsafe.As<Array>(source).Length * type->ComponentSize : 0);
            Buffer.Memmove(ref copy.GetRawData(), ref source.GetRawData(), size - (nuint)sizeof(nint));
            return copy;
        }

        // Enums box as their underlying primitive: an int can be unboxed from a boxed enum of int.
        private static bool SameBoxedType(MethodTable* actual, MethodTable* expected)
            => actual == expected || (actual->ElementType == expected->ElementType && actual->ElementType >= 2 && actual->ElementType <= 0xD);
    }
}
