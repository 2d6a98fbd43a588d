namespace Exo.Kernel.Smp
{
    /// <summary>
    /// Host stand-in for the kernel's processors (kernel/Smp/Processors.cs), for the shared TicketLock's spin loop: a
    /// host test has no TLB shoot-downs to answer.
    /// </summary>
    public static class Processors
    {
        public static void ServiceShootDown() { }
    }
}
