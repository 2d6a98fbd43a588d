namespace Exo.Protocols.FileSystem
{
    /// <summary>
    /// How a client and a file system server share one channel: a memory object the server makes and maps, with
    /// the request area at 0 and the reply area at <see cref="ReplyOffset"/>, and two notifications: the client
    /// signals <see cref="RequestBit"/> on the server's after writing a request, the server signals
    /// <see cref="ReplyBit"/> on the client's after writing the reply. One request is in flight at a time; the
    /// sequence number ties a reply to its request. The server hands the three to the kernel with the
    /// FileSystemOffer system call, under the name a mount names it by.
    /// </summary>
    public static class FileSystemChannelLayout
    {
        private const int PageSize = 4096;
        public const int RequestOffset = 0;
        /// <summary>The reply area: past the largest request, on a page boundary.</summary>
        public const int ReplyOffset = (FileSystemLimits.MaximumRequestLength + PageSize - 1) / PageSize * PageSize;
        /// <summary>The memory object's size: both areas, each as large as its largest message, in whole pages.</summary>
        public const int Size = ReplyOffset + (FileSystemLimits.MaximumReplyLength + PageSize - 1) / PageSize * PageSize;
        public const ulong RequestBit = 1, ReplyBit = 1;
    }
}
