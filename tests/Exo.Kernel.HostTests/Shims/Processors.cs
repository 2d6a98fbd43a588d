namespace Exo.Kernel.Smp
{
    /// <summary>Host stand-in for the kernel's processors (kernel/Smp): no other processor asks for a TLB shoot-down here.</summary>
    public static class Processors
    {
        public static void ServiceShootDown() { }
    }
}
