namespace Exo.Std.Handles
{
    /// <summary>The kind of kernel object a handle names (the kernel's KernelObjectType, same numbers).</summary>
    public enum HandleType : byte
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
        /// <summary>The root resource device resources are made from (Exo.Std.Devices.RootResource).</summary>
        Resource,
        /// <summary>The console: a process writes to it only while it holds one (the kernel gives its own programs one).</summary>
        Console,
    }
}
