namespace Exo.Runtime
{
    /// <summary>
    /// Host stand-in for the kernel runtime's barrier-free store: on the host a collector moves objects, so
    /// shared kernel code tested here must keep the ordinary (barriered) store.
    /// </summary>
    public static class UntracedReference
    {
        public static void Store<T>(ref T location, T value) where T : class => location = value;
    }
}
