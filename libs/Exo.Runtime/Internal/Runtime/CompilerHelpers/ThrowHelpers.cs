using System;
using Exo.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    // Called by compiler-inserted checks. They report without allocating: the failure may be the heap's.
    internal static class ThrowHelpers
    {
        internal static void ThrowOverflowException() => RuntimeFailure.Fail("OverflowException: arithmetic operation resulted in an overflow", null);
        internal static void ThrowIndexOutOfRangeException() => RuntimeFailure.Fail("IndexOutOfRangeException: index was outside the bounds of the array", null);
        internal static void ThrowNullReferenceException() => RuntimeFailure.Fail("NullReferenceException: object reference not set to an instance of an object", null);
        internal static void ThrowDivideByZeroException() => RuntimeFailure.Fail("DivideByZeroException: attempted to divide by zero", null);
        internal static void ThrowArrayTypeMismatchException() => RuntimeFailure.Fail("ArrayTypeMismatchException: element type incompatible with the array", null);
        internal static void ThrowPlatformNotSupportedException() => RuntimeFailure.Fail("PlatformNotSupportedException", null);
        internal static void ThrowTypeLoadException() => RuntimeFailure.Fail("TypeLoadException", null);
        internal static void ThrowTypeLoadExceptionWithArgument() => RuntimeFailure.Fail("TypeLoadException", null);
        internal static void ThrowArgumentException() => RuntimeFailure.Fail("ArgumentException", null);
        internal static void ThrowArgumentOutOfRangeException() => RuntimeFailure.Fail("ArgumentOutOfRangeException", null);
        internal static void ThrowInvalidCastException() => RuntimeFailure.Fail("InvalidCastException: specified cast is not valid", null);
        internal static void ThrowNotSupportedException() => RuntimeFailure.Fail("NotSupportedException", null);
        internal static void ThrowNotImplementedException() => RuntimeFailure.Fail("NotImplementedException", null);
        internal static void ThrowMissingMethodException() => RuntimeFailure.Fail("MissingMethodException", null);
        internal static void ThrowMissingFieldException() => RuntimeFailure.Fail("MissingFieldException", null);
        internal static void ThrowFileNotFoundException() => RuntimeFailure.Fail("FileNotFoundException", null);
        internal static void ThrowBadImageFormatException() => RuntimeFailure.Fail("BadImageFormatException", null);
        internal static void ThrowInvalidProgramException() => RuntimeFailure.Fail("InvalidProgramException", null);
        internal static void ThrowInvalidProgramExceptionWithArgument() => RuntimeFailure.Fail("InvalidProgramException", null);
        internal static void ThrowMarshalDirectiveException() => RuntimeFailure.Fail("MarshalDirectiveException", null);
        internal static void ThrowFeatureBodyRemoved() => RuntimeFailure.Fail("a method body removed by the compiler was called", null);
        internal static void ThrowInstanceBodyRemoved() => RuntimeFailure.Fail("a method body removed by the compiler was called", null);
        internal static void ThrowUnavailableType() => RuntimeFailure.Fail("an unavailable type was used", null);
        internal static void ThrowAmbiguousMatchException() => RuntimeFailure.Fail("AmbiguousMatchException", null);
    }
}
