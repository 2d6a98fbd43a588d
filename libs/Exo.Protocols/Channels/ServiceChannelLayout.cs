namespace Exo.Protocols.Channels
{
    /// <summary>
    /// A service channel: what a Linux program (a .NET desktop application, say) gets by opening /dev/exo/NAME of a
    /// native service that listens under NAME (the ChannelListen and ChannelAccept calls; docs/service-channels.md).
    /// The channel is shared memory that both ends map, plus a doorbell each way:
    /// - the client maps the memory with mmap(fd, MAP_SHARED) from offset 0, rings the service with an 8-byte write(2)
    ///   (its value is ignored) and takes the service's bits with an 8-byte read(2), which waits while there are none
    ///   (poll and epoll say readable then); a read after the service has ended gives 0 (end of file) and poll says
    ///   POLLHUP;
    /// - the service maps the memory object ChannelAccept gave it, waits on its own notification for the bits it chose
    ///   and wakes the client by signalling the notification ChannelAccept gave it (any bits but ServiceEndedBit).
    /// The first <see cref="HeaderSize"/> bytes are the kernel's: it writes <see cref="ClientClosed"/> in the word at
    /// <see cref="ClientStateOffset"/> when the client's last descriptor closes, then rings the service once more. The
    /// rest is the service's protocol's (rings, buffers) and is untrusted by both ends.
    /// </summary>
    public static class ServiceChannelLayout
    {
        /// <summary>The bytes at the start that belong to the kernel.</summary>
        public const int HeaderSize = 64;
        /// <summary>A 32-bit word: <see cref="ClientOpen"/> or <see cref="ClientClosed"/>.</summary>
        public const int ClientStateOffset = 0;
        public const uint ClientOpen = 0, ClientClosed = 1;
        /// <summary>The smallest and largest channel (whole pages; MemoryObject's limit).</summary>
        public const ulong MinimumSize = 4096, MaximumSize = 16UL << 20;
        /// <summary>The bit the kernel sets in what the client reads when the service has ended (never the service's own).</summary>
        public const ulong ServiceEndedBit = 1UL << 63;
        /// <summary>The size of a doorbell read or write: one 64-bit word.</summary>
        public const int DoorbellSize = 8;
        /// <summary>Where a listener's device nodes are: /dev/exo/NAME.</summary>
        public const string DeviceDirectory = "/dev/exo";
    }
}
