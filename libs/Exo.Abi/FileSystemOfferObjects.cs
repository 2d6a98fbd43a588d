namespace Exo.Abi
{
    /// <summary>
    /// What a file system service offers the kernel beside its channel: FileSystemOffer's sixth argument points at one
    /// (0: nothing). Each handle is 0 for none.
    /// Bulk: a memory object (Map) where its reads' data may lie (FileSystemReply.InBulk).
    /// Block*: a block-device channel to its disk's driver for the kernel's own use (Exo.Protocols.BlockDevice): its
    /// memory (Map and Write; DMA memory, so the kernel reads what the device wrote), the driver's notification (Signal)
    /// with the bits that mean this channel's requests, and the notification the driver signals with completions (Wait).
    /// With it the kernel reads the blocks the service maps (FileSystemOperation.MapBlocks) straight from the driver.
    /// </summary>
    public struct FileSystemOfferObjects
    {
        public uint Bulk;
        public uint BlockMemory;
        public uint BlockDriver;
        public uint BlockClient;
        public ulong BlockRequestBits;
    }
}
