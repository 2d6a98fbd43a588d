namespace Exo.Abi
{
    /// <summary>
    /// The kind of kernel object a handle names (what HandleInfo reports); checked on lookup so that a handle to
    /// one kind of object cannot be used where another is expected. None marks a free handle-table slot and is
    /// never a live type.
    /// </summary>
    public enum ObjectType : byte
    {
        None = 0,
        Process = 1,
        Thread = 2,
        MemoryObject = 3,
        /// <summary>A Fusion Ring endpoint.</summary>
        Endpoint = 4,
        Notification = 5,
        /// <summary>An interrupt line (a device resource).</summary>
        Interrupt = 6,
        /// <summary>A range of I/O ports (a device resource).</summary>
        IoPortRange = 7,
        /// <summary>A range of device memory (a device resource).</summary>
        PhysicalRange = 8,
        /// <summary>The root resource, from which the three above and PCI devices are made.</summary>
        Resource = 9,
        /// <summary>The console: writing to it needs one (the kernel gives its own programs one, last).</summary>
        Console = 10,
        /// <summary>What the test-only calls need (DebugLog, BenchReport): the kernel grants it only to the programs its tests and benchmarks start.</summary>
        Diagnostics = 11,
        /// <summary>One PCI function's configuration space (a device resource).</summary>
        PciDevice = 12,
    }
}
