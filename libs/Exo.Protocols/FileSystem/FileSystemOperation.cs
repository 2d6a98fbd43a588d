namespace Exo.Protocols.FileSystem
{
    /// <summary>
    /// What a request asks of a file system server. The numbers travel in messages: never renumber one, add new
    /// ones at the end. Each operation's fields are listed in <see cref="FileSystemRequest"/> and checked by
    /// <see cref="FileSystemRequest.Decode"/> and <see cref="FileSystemReply.Decode"/>.
    /// </summary>
    public enum FileSystemOperation : ushort
    {
        None = 0,
        /// <summary>(directory node, name) -> the entry's attributes.</summary>
        Lookup = 1,
        /// <summary>(node) -> its attributes.</summary>
        GetAttributes = 2,
        /// <summary>(directory node, cursor in Offset, Count bytes) -> directory records from the cursor.</summary>
        ReadDirectory = 3,
        /// <summary>(file node, Offset, Count bytes) -> at most Count bytes of data (fewer at the end).</summary>
        Read = 4,
        /// <summary>(file node, Offset, data) -> bytes written in Count, and the file's attributes.</summary>
        Write = 5,
        /// <summary>(directory node, name, Mode of a regular file, UserId, GroupId) -> the new file's attributes.</summary>
        Create = 6,
        /// <summary>(directory node, name, Mode of a directory, UserId, GroupId) -> the new directory's attributes.</summary>
        MakeDirectory = 7,
        /// <summary>(directory node, name): removes a non-directory.</summary>
        Unlink = 8,
        /// <summary>(directory node, name): removes an empty directory.</summary>
        RemoveDirectory = 9,
        /// <summary>(directory node, name, second directory node, second name): rename(2), replacing what rename allows.</summary>
        Rename = 10,
        /// <summary>(node, SetMask, the fields it names) -> the attributes after the change (truncate is Size).</summary>
        SetAttributes = 11,
        /// <summary>(link node) -> the target in data.</summary>
        ReadLink = 12,
        /// <summary>(directory node, name, target in data, UserId, GroupId) -> the new link's attributes.</summary>
        SymbolicLink = 13,
        /// <summary>(node) -> <see cref="FileSystemFigures"/> in data (statfs).</summary>
        Statistics = 14,
        /// <summary>(node): everything the server holds for later is on stable storage when the reply comes (fsync of
        /// the node, or the whole file system's sync and syncfs when it is the root: a server may always do all).</summary>
        Synchronize = 15,
        /// <summary>(the root node, <see cref="FileSystemLimits.RootNode"/>): the kernel's mount is gone; when the reply
        /// comes the server has put everything on stable storage and marked its file system clean (ext's state). The
        /// kernel sends nothing more on that mount; a later mount of the same server is served again.</summary>
        Unmount = 16,
        /// <summary>(file node, Offset, Count bytes) -> <see cref="BlockRuns"/> in data: where the file's bytes from Offset
        /// lie on the disk, so that a client with its own channel to the disk's driver reads them there (an O_DIRECT read
        /// without the server between). The server first writes back what it holds unwritten; it may answer fewer bytes
        /// than asked, or none (a hole, an unwritten extent, a server without a disk), and the client then asks Read.</summary>
        MapBlocks = 17,
    }

    public static class FileSystemOperations
    {
        /// <summary>
        /// An operation that may change what the server holds (a node's data, attributes or a directory's entries), even
        /// when it fails half-way: what a server writes back later, and what a client's cached attributes may not outlive.
        /// </summary>
        public static bool IsChange(FileSystemOperation operation) =>
            operation != FileSystemOperation.Lookup && operation != FileSystemOperation.GetAttributes && operation != FileSystemOperation.Read
            && operation != FileSystemOperation.ReadDirectory && operation != FileSystemOperation.ReadLink && operation != FileSystemOperation.Statistics
            && operation != FileSystemOperation.Synchronize && operation != FileSystemOperation.Unmount && operation != FileSystemOperation.MapBlocks
            && operation != FileSystemOperation.None;
    }

    /// <summary>Which fields a SetAttributes request changes (its SetMask).</summary>
    public static class SetAttributeFields
    {
        public const uint Mode = 1, UserId = 2, GroupId = 4, Size = 8, Accessed = 16, Modified = 32;
        public const uint All = Mode | UserId | GroupId | Size | Accessed | Modified;
    }
}
