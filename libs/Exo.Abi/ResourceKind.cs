namespace Exo.Abi
{
    /// <summary>
    /// The kinds of device resource ResourceCreate makes from the root resource. None covers the kernel's own
    /// ports (PIC, PIT, keyboard controller, COM1, PCI configuration, QEMU's exit, ACPI power management), IRQs
    /// (0, 2, 4), RAM or APICs: those get AccessDenied.
    /// </summary>
    public enum ResourceKind : ulong
    {
        /// <summary>base = first port, length = count (ports 0-65535).</summary>
        IoPorts = 1,
        /// <summary>base = ISA IRQ (0-15), length = 1; Busy if another driver has it.</summary>
        Interrupt = 2,
        /// <summary>base, length: page-aligned device memory, at most 256 MiB.</summary>
        Physical = 3,
        /// <summary>base = PCI address (bus << 8 | device << 3 | function), length = 1: one function's configuration
        /// space; NotFound if no such function, Busy while another capability to it lives.</summary>
        PciDevice = 4,
        /// <summary>base = 0, length = bytes (at most 4 MiB): a memory object of physically contiguous, zeroed frames
        /// that stay put while it lives (DMA memory; DmaAddress gives its physical address).</summary>
        DmaMemory = 5,
    }
}
