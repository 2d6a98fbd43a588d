namespace Exo.Protocols.BlockDevice
{
    /// <summary>What a block-device request asks for.</summary>
    public enum BlockOperation : ushort
    {
        None = 0,
        /// <summary>Sectors from the disk into the channel's data area at the request's buffer offset.</summary>
        Read = 1,
        /// <summary>Sectors from the data area to the disk (ReadOnlyFileSystem on a read-only disk).</summary>
        Write = 2,
        /// <summary>Everything written before it is on stable storage when it completes.</summary>
        Flush = 3,
        /// <summary>The disk's size in sectors (the completion's value) and whether it is read-only.</summary>
        Capacity = 4,
    }
}
