namespace Exo.Kernel.Sync
{
    /// <summary>Host stand-in for the kernel's lock-order checker (kernel/Sync/LockOrder.cs): the host tests of shared code check nothing.</summary>
    public static unsafe class LockOrder
    {
        public static void Acquiring(LockRank rank, void* address) { }
        public static void Acquired(LockRank rank, void* address) { }
        public static void Released(LockRank rank, void* address) { }
    }
}
