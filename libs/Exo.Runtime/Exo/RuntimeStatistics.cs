namespace Exo.Runtime
{
    /// <summary>Counters of the runtime's slow paths, for tests and diagnostics.</summary>
    public static class RuntimeStatistics
    {
        /// <summary>Interface calls resolved through a dispatch cell (not devirtualised by the compiler).</summary>
        public static ulong InterfaceDispatchResolutions => Internal.Runtime.InterfaceDispatch.Resolutions;
    }
}
