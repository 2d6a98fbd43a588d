namespace System
{
    // There is no unwinding in the kernel: a thrown exception ends in Exo.Runtime.RuntimeFailure,
    // which the host environment (kernel panic, or process exit in user mode) decides on.
    public class Exception
    {
        private readonly string _message;
        public Exception() { }
        public Exception(string message) { _message = message; }
        public Exception(string message, Exception innerException) { _message = message; }
        public virtual string Message => _message;
    }

    public class SystemException : Exception
    {
        public SystemException() { }
        public SystemException(string message) : base(message) { }
    }

    public class InvalidOperationException : SystemException
    {
        public InvalidOperationException() { }
        public InvalidOperationException(string message) : base(message) { }
    }

    public class ArgumentException : SystemException
    {
        public ArgumentException() { }
        public ArgumentException(string message) : base(message) { }
    }

    public class ArgumentNullException : ArgumentException
    {
        public ArgumentNullException() { }
        public ArgumentNullException(string paramName) : base(paramName) { }
    }

    public class ArgumentOutOfRangeException : ArgumentException
    {
        public ArgumentOutOfRangeException() { }
        public ArgumentOutOfRangeException(string paramName) : base(paramName) { }
    }

    public sealed class IndexOutOfRangeException : SystemException
    {
        public IndexOutOfRangeException() : base("Index was outside the bounds of the array.") { }
    }

    public sealed class NullReferenceException : SystemException
    {
        public NullReferenceException() : base("Object reference not set to an instance of an object.") { }
    }

    public sealed class InvalidCastException : SystemException
    {
        public InvalidCastException() : base("Specified cast is not valid.") { }
    }

    public class ArithmeticException : SystemException
    {
        public ArithmeticException(string message) : base(message) { }
    }

    public sealed class OverflowException : ArithmeticException
    {
        public OverflowException() : base("Arithmetic operation resulted in an overflow.") { }
    }

    public sealed class DivideByZeroException : ArithmeticException
    {
        public DivideByZeroException() : base("Attempted to divide by zero.") { }
    }

    public sealed class OutOfMemoryException : SystemException
    {
        public OutOfMemoryException() : base("Out of memory.") { }
    }

    public class NotSupportedException : SystemException
    {
        public NotSupportedException() { }
        public NotSupportedException(string message) : base(message) { }
    }

    public sealed class PlatformNotSupportedException : NotSupportedException
    {
        public PlatformNotSupportedException() { }
        public PlatformNotSupportedException(string message) : base(message) { }
    }

    public sealed class NotImplementedException : SystemException
    {
        public NotImplementedException() { }
        public NotImplementedException(string message) : base(message) { }
    }

    public sealed class ArrayTypeMismatchException : SystemException
    {
        public ArrayTypeMismatchException() : base("Attempted to access an element as a type incompatible with the array.") { }
    }
}
