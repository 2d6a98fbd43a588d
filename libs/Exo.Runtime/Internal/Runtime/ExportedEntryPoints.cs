using Internal.Runtime.CompilerHelpers;

namespace Internal.Runtime
{
    /// <summary>
    /// The C# methods that compiled code and assembly reach by a fixed symbol name ([RuntimeExport]).
    /// The compiler neither keeps nor names them on its own: taking their addresses here keeps them, and the
    /// link step (tools/scripts/link-runtime-exports.sh) binds each name to the method of the same name.
    /// Add a new export here, or the link reports it undefined.
    /// </summary>
    internal static unsafe class ExportedEntryPoints
    {
        private static nint s_keepAlive;

        internal static void Root()
        {
            Keep((nint)(delegate*<MethodTable*, object>)&AllocationHelpers.RhpNewFast);
            Keep((nint)(delegate*<MethodTable*, object>)&AllocationHelpers.RhpNewFinalizable);
            Keep((nint)(delegate*<MethodTable*, int, object>)&AllocationHelpers.RhpNewArray);
            Keep((nint)(delegate*<MethodTable*, int, object>)&AllocationHelpers.RhpNewArrayFast);
            Keep((nint)(delegate*<MethodTable*, int, object>)&AllocationHelpers.RhpNewPtrArrayFast);
            Keep((nint)(delegate*<MethodTable*, int, object>)&AllocationHelpers.RhNewString);
            Keep((nint)(delegate*<MethodTable*, int, object>)&AllocationHelpers.RhpNewVariableSizeObject);
            Keep((nint)(delegate*<object, void>)&ExceptionHelpers.RhpThrowEx);
            Keep((nint)(delegate*<void>)&ExceptionHelpers.RhpRethrow);
            Keep((nint)(delegate*<void>)&ExceptionHelpers.RhpFallbackFailFast);
            Keep((nint)(delegate*<object, nint, nint>)&InterfaceDispatch.ExoResolveInterfaceDispatch);
        }

        private static void Keep(nint entryPoint) => s_keepAlive ^= entryPoint;
    }
}
