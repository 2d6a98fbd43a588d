namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// The kind of kernel object a capability names; checked on lookup so that a handle to one kind of object
    /// cannot be used where another is expected. None marks a free handle-table slot and is never a live type.
    /// </summary>
    public enum KernelObjectType : byte
    {
        None,
        Process,
        Thread,
        MemoryObject,
        /// <summary>A Fusion Ring endpoint.</summary>
        Endpoint,
        Notification,
        Interrupt,
        IoPortRange,
        PhysicalRange,
        /// <summary>The root resource, from which the three above are made (Drivers.RootResource).</summary>
        Resource,
        /// <summary>The console: writing to it (Console.ConsoleCapability).</summary>
        Console,
    }
}
