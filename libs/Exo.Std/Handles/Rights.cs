namespace Exo.Std.Handles
{
    /// <summary>What a handle allows (the kernel's Exo.Kernel.Capabilities.Rights, same bits). Rights only shrink when derived.</summary>
    [System.Flags]
    public enum Rights : uint
    {
        None = 0,
        Read = 1,
        Write = 2,
        Execute = 4,
        Map = 8,
        /// <summary>May be sent to another process (copied or moved).</summary>
        Grant = 16,
        Duplicate = 32,
        Revoke = 64,
        Signal = 128,
        Wait = 256,
        /// <summary>Object-specific control, such as ending a process.</summary>
        Manage = 512,
        All = Read | Write | Execute | Map | Grant | Duplicate | Revoke | Signal | Wait | Manage,
    }
}
