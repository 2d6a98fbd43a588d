using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// The right to use I/O ports [First, First + Count) from ring 3, once the holder enables it
    /// (io_port_enable). Created only from the root resource, never over the kernel's own ports (IoPortPolicy).
    /// </summary>
    public sealed class IoPortRange : KernelObject
    {
        public readonly int First;
        public readonly int Count;

        public IoPortRange(int first, int count) { First = first; Count = count; }

        protected override void Destroy() => Exo.Runtime.ObjectAllocator.Free(this);

        public override void WriteDetails()
        {
            Console.KernelConsole.Write("  ports ");
            Console.KernelConsole.WriteHex((ulong)First);
            Console.KernelConsole.Write(" count ");
            Console.KernelConsole.WriteDecimal((ulong)Count);
        }
    }
}
