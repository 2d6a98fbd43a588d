using System.Runtime.CompilerServices;
using Internal.Runtime;
using Internal.Runtime.CompilerHelpers;

namespace System.Runtime
{
    // Casting and array-store checks that compiled code calls. Exact types, base-class chains, interface
    // maps and arrays of reference types; generic variance is not supported (reported as a failed cast).
    internal static unsafe class TypeCast
    {
        private static MethodTable* TypeOf(object obj) => obj.GetMethodTable();

        internal static bool IsAssignable(MethodTable* source, MethodTable* target)
        {
            if (source == target)
                return true;
            if (target->IsInterface)
                return ImplementsInterface(source, target);
            if (source->IsArray && target->IsArray)
            {
                MethodTable* sourceElement = source->RelatedType;
                MethodTable* targetElement = target->RelatedType;
                if (sourceElement == targetElement)
                    return true;
                // Reference-type arrays are covariant; value-type arrays are not.
                return !sourceElement->IsValueType && !targetElement->IsValueType && IsAssignable(sourceElement, targetElement);
            }
            if (source->IsArray)
                return false;
            for (MethodTable* type = source->BaseType; type != null; type = type->BaseType)
                if (type == target)
                    return true;
            return false;
        }

        private static bool ImplementsInterface(MethodTable* source, MethodTable* target)
        {
            MethodTable** map = source->InterfaceMap;
            for (int i = 0; i < source->NumInterfaces; i++)
                if (map[i] == target)
                    return true;
            return false;
        }

        public static object IsInstanceOfClass(MethodTable* targetType, object obj)
        {
            if (obj == null)
                return null;
            for (MethodTable* type = TypeOf(obj); type != null; type = type->BaseType)
                if (type == targetType)
                    return obj;
            return null;
        }

        public static object IsInstanceOfInterface(MethodTable* targetType, object obj)
            => obj != null && ImplementsInterface(TypeOf(obj), targetType) ? obj : null;

        public static object IsInstanceOfAny(MethodTable* targetType, object obj)
            => obj != null && IsAssignable(TypeOf(obj), targetType) ? obj : null;

        public static bool IsInstanceOfException(MethodTable* targetType, object obj)
            => obj != null && IsAssignable(TypeOf(obj), targetType);

        public static object CheckCastClass(MethodTable* targetType, object obj)
        {
            if (obj == null || IsInstanceOfClass(targetType, obj) != null)
                return obj;
            ThrowHelpers.ThrowInvalidCastException();
            return null;
        }

        public static object CheckCastClassSpecial(MethodTable* targetType, object obj) => CheckCastClass(targetType, obj);

        public static object CheckCastInterface(MethodTable* targetType, object obj)
        {
            if (obj == null || ImplementsInterface(TypeOf(obj), targetType))
                return obj;
            ThrowHelpers.ThrowInvalidCastException();
            return null;
        }

        public static object CheckCastAny(MethodTable* targetType, object obj)
        {
            if (obj == null || IsAssignable(TypeOf(obj), targetType))
                return obj;
            ThrowHelpers.ThrowInvalidCastException();
            return null;
        }

        public static void StelemRef(object[] array, nint index, object obj)
        {
            if (array == null)
                ThrowHelpers.ThrowNullReferenceException();
            if ((nuint)index >= (uint)array.Length)
                ThrowHelpers.ThrowIndexOutOfRangeException();
            ref object element = ref Unsafe.Add(ref Unsafe.As<byte, object>(ref Unsafe.As<RawArrayData>(array).Data), index);
            if (obj != null && !IsAssignable(TypeOf(obj), TypeOf(array)->RelatedType))
                ThrowHelpers.ThrowArrayTypeMismatchException();
            element = obj;
        }

        public static ref object LdelemaRef(object[] array, nint index, MethodTable* elementType)
        {
            if (array == null)
                ThrowHelpers.ThrowNullReferenceException();
            if ((nuint)index >= (uint)array.Length)
                ThrowHelpers.ThrowIndexOutOfRangeException();
            if (elementType != TypeOf(array)->RelatedType)
                ThrowHelpers.ThrowArrayTypeMismatchException();
            return ref Unsafe.Add(ref Unsafe.As<byte, object>(ref Unsafe.As<RawArrayData>(array).Data), index);
        }
    }
}
