namespace System.Runtime.InteropServices
{
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }
    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }
    public enum CallingConvention { Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5 }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { Value = layoutKind; }
        public LayoutKind Value { get; }
        public int Pack;
        public int Size;
        public CharSet CharSet;
    }

    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class FieldOffsetAttribute : Attribute { public FieldOffsetAttribute(int offset) { } }

    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName) { }
        public string EntryPoint;
        public CallingConvention CallingConvention;
    }

    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class UnmanagedCallersOnlyAttribute : Attribute
    {
        public Type[] CallConvs;
        public string EntryPoint;
    }

    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class InAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class OutAttribute : Attribute { }

    public static class MemoryMarshal
    {
        [System.Runtime.CompilerServices.Intrinsic]
        public static ref T GetArrayDataReference<T>(T[] array) => ref System.Runtime.CompilerServices.Unsafe.As<byte, T>(ref System.Runtime.CompilerServices.Unsafe.As<RawArrayData>(array).Data);
    }
}

namespace System.Runtime
{
    // Gives a method a fixed native symbol name so that compiler-generated code and assembly can call it.
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class RuntimeExportAttribute : Attribute { public RuntimeExportAttribute(string entry) { } }

    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string entry) { }
        public RuntimeImportAttribute(string dllName, string entry) { }
    }
}

namespace System.Runtime.InteropServices
{
    // Known to the compiler; no type in Exo.Runtime implements it.
    public unsafe interface IDynamicInterfaceCastable
    {
        internal static IntPtr GetDynamicInterfaceImplementation(object instance, Internal.Runtime.MethodTable* interfaceType, ushort slot)
        {
            Exo.Runtime.RuntimeFailure.Fail("IDynamicInterfaceCastable is not supported", null);
            return default;
        }
    }
}

namespace System.Runtime.InteropServices
{
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class SuppressGCTransitionAttribute : Attribute { }
}
