namespace Exo.Abi
{
    /// <summary>
    /// What a handle allows on the object it names. A derived handle (duplicate, copy sent to another process)
    /// holds a subset of the rights of the one it came from, so rights only shrink along the derivation tree.
    /// </summary>
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
        /// <summary>May be duplicated (with the same or fewer rights) in the same table.</summary>
        Duplicate = 32,
        /// <summary>May revoke every capability derived from this one.</summary>
        Revoke = 64,
        Signal = 128,
        Wait = 256,
        /// <summary>Object-specific control (for example ending a process, masking an interrupt).</summary>
        Manage = 512,
        All = Read | Write | Execute | Map | Grant | Duplicate | Revoke | Signal | Wait | Manage,
    }
}
