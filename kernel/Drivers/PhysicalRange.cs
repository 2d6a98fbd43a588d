using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// Device memory [Base, Base + Length), page aligned, that its holder may map uncached into its own
    /// address space (physical_map). Created only from the root resource and never over RAM or the kernel's
    /// own devices (PhysicalRangePolicy). The object owns no frames: a mapping points at the device itself.
    /// Revoking the capability does not take back a mapping already made (as with memory objects today).
    /// </summary>
    public sealed class PhysicalRange : KernelObject
    {
        public readonly ulong Base;
        public readonly ulong Length;

        public PhysicalRange(ulong start, ulong length) { Base = start; Length = length; }

        /// <summary>Maps every page at 'address' in 'space', uncached; false (nothing left mapped) if any page fails.</summary>
        public bool MapInto(AddressSpace space, ulong address, bool writable)
        {
            for (ulong offset = 0; offset < Length; offset += PhysicalRangePolicy.PageSize)
            {
                if (!space.MapDevice(address + offset, Base + offset, writable))
                {
                    for (ulong undo = 0; undo < offset; undo += PhysicalRangePolicy.PageSize)
                        space.Unmap(address + undo);
                    return false;
                }
            }
            return true;
        }

        protected override void Destroy() => Exo.Runtime.ObjectAllocator.Free(this);

        public override void WriteDetails()
        {
            Console.KernelConsole.Write("  at ");
            Console.KernelConsole.WriteHex(Base);
            Console.KernelConsole.Write(" length ");
            Console.KernelConsole.WriteHex(Length);
        }
    }
}
