namespace Exo.Protocols.FileSystem
{
    /// <summary>
    /// The protocol's explicit limits and constants. Every message is bounded: a request is at most
    /// <see cref="MaximumRequestLength"/> bytes, a reply at most <see cref="MaximumReplyLength"/>, and both ends
    /// refuse anything longer, shorter or inconsistent (see the decoders).
    /// </summary>
    public static class FileSystemLimits
    {
        /// <summary>"EXFS", the first word of every message (a stray or stale buffer is refused).</summary>
        public const uint Magic = 0x53465845;
        /// <summary>Linux's NAME_MAX: a name is 1 to 255 bytes, no '/', no zero byte, never "." or "..".</summary>
        public const int MaximumNameLength = 255;
        /// <summary>
        /// The most data one request or reply carries (read, write, directory records, a link target): 124 KiB, so that a
        /// large O_DIRECT read or a write is a few requests, each of which the server can pass to its disk as requests in
        /// flight together (at 16 KiB, a 1 MiB read was 64 requests, each waiting for the disk in turn); a page less than
        /// 128 KiB so that the largest request or reply with its header fits one 128 KiB block of the kernel's heap.
        /// </summary>
        public const int MaximumDataLength = 124 * 1024;
        /// <summary>
        /// The most a read asks for: 1 MiB. Only a server that offered bulk memory answers more than
        /// <see cref="MaximumDataLength"/> (its reply names where the data lies there: FileSystemReply.InBulk, so a 1 MiB
        /// read is one request, and the disk's data is not copied into the reply area); any other answers a short read.
        /// </summary>
        public const int MaximumReadLength = 1024 * 1024;
        /// <summary>A symbolic link's target: 1 to 4095 bytes (PATH_MAX less its zero).</summary>
        public const int MaximumLinkTargetLength = 4095;
        /// <summary>The highest errno a reply may carry (Linux's MAX_ERRNO).</summary>
        public const int MaximumErrorNumber = 4095;

        /// <summary>The node id of a server's root directory (what a mount asks for first, and the only node Unmount names).</summary>
        public const ulong RootNode = 1;

        public const int RequestHeaderLength = 96;
        public const int ReplyHeaderLength = 128;
        public const int MaximumRequestLength = RequestHeaderLength + 2 * MaximumNameLength + MaximumDataLength;
        public const int MaximumReplyLength = ReplyHeaderLength + MaximumDataLength;
    }
}
