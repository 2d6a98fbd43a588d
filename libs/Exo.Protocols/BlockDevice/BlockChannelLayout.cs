namespace Exo.Protocols.BlockDevice
{
    /// <summary>
    /// The block-device protocol's channel: one memory object shared by a client (a file system service) and the
    /// driver, holding a ring of requests, a ring of completions (each a single-producer single-consumer ring of
    /// fixed-size records) and a data area that requests name by offset, so sectors travel without a copy
    /// between the two processes (the device manager makes the memory DMA memory, so the device reads and writes
    /// the data area itself; with ordinary memory the driver copies through DMA memory of its own). Up to <see cref="MaximumInFlight"/> requests are in flight; a
    /// completion's tag says which one finished, in any order. Notifications: the client signals
    /// <see cref="RequestBit"/> after publishing requests, the driver <see cref="CompletionBit"/> after completions.
    /// </summary>
    public static class BlockChannelLayout
    {
        public const int SectorSize = 512;
        public const int MaximumInFlight = 32;
        /// <summary>The largest transfer of one request: 256 KiB (a 1 MiB read is four, in flight together).</summary>
        public const int MaximumSectorsPerRequest = 512;
        public const int RequestRingOffset = 0;
        public const int CompletionRingOffset = 4096;
        public const int DataOffset = 8192;
        /// <summary>The data area: the rest of one 2 MiB block of the page allocator, which DMA memory takes whole anyway
        /// (room for every request in flight at its largest would be 4 MiB). The client chooses the offsets and how it
        /// divides the area (extfs: a window that file reads' data stays in, to the reader, and room for the rest).</summary>
        public const int DataLength = 2 * 1024 * 1024 - DataOffset;
        public const int Size = DataOffset + DataLength;
        public const ulong RequestBit = 1, CompletionBit = 1;
        /// <summary>
        /// A driver serves up to <see cref="MaximumChannels"/> channels of one disk, waiting on one notification: channel
        /// i's client signals RequestBitOf(i) (channel 0: <see cref="RequestBit"/>). The first is the file system
        /// service's; the second the kernel's, for O_DIRECT reads of blocks the service mapped (FileSystemOperation.MapBlocks).
        /// </summary>
        public const int MaximumChannels = 2;
        public static ulong RequestBitOf(int channel) => 1UL << channel;
    }
}
