namespace System
{
    public struct RuntimeTypeHandle { private IntPtr _value; }
    public struct RuntimeMethodHandle { private IntPtr _value; }
    public struct RuntimeFieldHandle { private IntPtr _value; }

    // typeof() needs Type; there is no reflection in the kernel.
    public abstract class Type
    {
        public static Type GetTypeFromHandle(RuntimeTypeHandle handle) => null;
    }

    // The compiler's run-time type object; Exo.Runtime has no reflection, so it carries nothing.
    internal sealed class RuntimeType : Type { }

    public interface IDisposable { void Dispose(); }
    public interface IEquatable<T> { bool Equals(T other); }
    public interface IComparable<in T> { int CompareTo(T other); }
}
