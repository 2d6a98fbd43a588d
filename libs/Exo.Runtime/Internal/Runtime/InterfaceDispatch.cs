using System.Runtime;

namespace Internal.Runtime
{
    internal static unsafe class InterfaceDispatch
    {
        // Called by RhpInitialDynamicInterfaceDispatch (Arch/X64/RuntimeHelpers.asm) with the receiver and
        // the dispatch cell; returns the code address to jump to.
        [RuntimeExport("ExoResolveInterfaceDispatch")]
        internal static nint ExoResolveInterfaceDispatch(object self, nint cell)
        {
            Exo.Runtime.RuntimeFailure.Fail("interface dispatch not implemented", null);
            return 0;
        }
    }
}
