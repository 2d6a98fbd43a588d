using Exo.Kernel.Memory;

namespace Exo.Kernel.Drivers
{
    /// <summary>Why a physical range was refused, or that it may become a <see cref="PhysicalRange"/>.</summary>
    public enum PhysicalRangeVerdict : byte
    {
        Allowed,
        /// <summary>Empty, not page aligned, too long, wrapping or beyond the 52-bit physical address space.</summary>
        Malformed,
        /// <summary>Overlaps memory the firmware calls RAM (the kernel's to manage) or a device the kernel drives.</summary>
        KernelOwned,
    }

    /// <summary>
    /// Which physical ranges a driver may map: device memory only. Anything that touches RAM from the boot
    /// memory map (available or ACPI memory: the kernel's frames, its page tables, every process's pages) or
    /// a device the kernel drives itself (the local and I/O APICs) is refused, so a driver cannot read or write
    /// another process's memory through a mapping. Pure logic, compiled into the host tests.
    /// </summary>
    public static class PhysicalRangePolicy
    {
        public const ulong PageSize = 4096;
        /// <summary>The longest range (an explicit limit): 256 MiB, a large framebuffer or BAR.</summary>
        public const ulong MaximumLength = 256UL << 20;
        public const ulong AddressLimit = 1UL << 52;

        public static PhysicalRangeVerdict Check(ulong start, ulong length, ref PhysicalRangeSet ram, ref PhysicalRangeSet kernelDevices)
        {
            if (length == 0 || length > MaximumLength || ((start | length) & (PageSize - 1)) != 0 || start >= AddressLimit || length > AddressLimit - start)
                return PhysicalRangeVerdict.Malformed;
            ulong end = start + length;
            if (ram.Overlaps(start, end) || kernelDevices.Overlaps(start, end))
                return PhysicalRangeVerdict.KernelOwned;
            return PhysicalRangeVerdict.Allowed;
        }
    }
}
