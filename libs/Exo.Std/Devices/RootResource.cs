using Exo.Abi;
using Exo.Std.Handles;

namespace Exo.Std.Devices
{
    /// <summary>
    /// The handle device resources are made from. Only a program the kernel starts as a driver has one (its
    /// first handle at start-up); the kernel refuses its own ports, IRQs, RAM and APICs (AccessDenied).
    /// </summary>
    public readonly struct RootResource
    {
        public readonly Handle Handle;

        public RootResource(Handle handle) { Handle = handle; }

        /// <summary>I/O ports [first, first + count).</summary>
        public Error CreateIoPorts(ulong first, ulong count, out IoPortRange ports)
        {
            Error error = Create(ResourceKind.IoPorts, first, count, out Handle handle);
            ports = new IoPortRange(handle);
            return error;
        }

        /// <summary>Legacy (ISA) interrupt line 'irq' (Busy if another driver has it).</summary>
        public Error CreateInterrupt(ulong irq, out InterruptLine line)
        {
            Error error = Create(ResourceKind.Interrupt, irq, 1, out Handle handle);
            line = new InterruptLine(handle);
            return error;
        }

        /// <summary>Device memory [start, start + length), page aligned.</summary>
        public Error CreatePhysical(ulong start, ulong length, out PhysicalRange range)
        {
            Error error = Create(ResourceKind.Physical, start, length, out Handle handle);
            range = new PhysicalRange(handle);
            return error;
        }

        /// <summary>The configuration space of PCI function bus:device.function (NotFound: none there; Busy: another
        /// capability to it lives).</summary>
        public Error CreatePciDevice(int bus, int device, int function, out PciDevice pci)
        {
            Error error = Create(ResourceKind.PciDevice, (ulong)(bus << 8 | device << 3 | function), 1, out Handle handle);
            pci = new PciDevice(handle);
            return error;
        }

        /// <summary>DMA memory: 'length' bytes (at most 4 MiB) of zeroed, physically contiguous memory, a memory
        /// object whose physical address the holder may ask for (MemoryObject.PhysicalAddress).</summary>
        public Error CreateDmaMemory(ulong length, out MemoryObject memory)
        {
            Error error = Create(ResourceKind.DmaMemory, 0, length, out Handle handle);
            memory = new MemoryObject(handle);
            return error;
        }

        /// <summary>One fact of the boot loader's framebuffer (NotFound: it set none).</summary>
        public Error QueryFramebuffer(FramebufferField field, out ulong value)
        {
            long result = SystemCall.Call(SystemCallNumber.FramebufferQuery, Handle.Value, (ulong)field);
            value = result >= 0 ? (ulong)result : 0;
            return SystemCall.ErrorOf(result);
        }

        private Error Create(ResourceKind kind, ulong start, ulong length, out Handle handle)
        {
            long result = SystemCall.Call(SystemCallNumber.ResourceCreate, Handle.Value, (ulong)kind, start, length);
            handle = result > 0 ? new Handle((uint)result) : default;
            return SystemCall.ErrorOf(result);
        }
    }
}
