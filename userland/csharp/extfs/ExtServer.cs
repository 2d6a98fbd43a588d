using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Storage.Ext;

namespace Extfs
{
    /// <summary>
    /// One file system protocol request answered from the ext2/ext4 library. Node ids are inode numbers except the
    /// root: the protocol's root is node 1, ext's root inode 2 (node 2 is never used; inode 1, the bad-blocks inode,
    /// never reaches a client). Only regular files, directories and symbolic links travel (the protocol's types):
    /// other inodes are listed as unknown and refused with EOPNOTSUPP.
    /// </summary>
    /// <summary>Where file reads' data may be left for the kernel: memory offered as bulk memory, at 'BulkOffset' in it.</summary>
    public unsafe struct ReadWindow
    {
        public byte* Address;
        public uint Length;
        public ulong BulkOffset;
    }

    public static unsafe class ExtServer
    {
        public const ulong RootNode = 1;

        private static Error ToInode(ulong node, out uint inode)
        {
            inode = node == RootNode ? ExtFileSystem.RootInode : (uint)node;
            return node == ExtFileSystem.RootInode || node == 0 || node > uint.MaxValue ? Error.StaleHandle : Error.None;
        }

        private static ulong ToNode(uint inode) => inode == ExtFileSystem.RootInode ? RootNode : inode;

        private static byte ProtocolType(byte extType) => extType switch
        {
            DirectoryEntry.TypeDirectory => DirectoryRecords.TypeDirectory,
            DirectoryEntry.TypeRegular => DirectoryRecords.TypeRegular,
            DirectoryEntry.TypeSymbolicLink => DirectoryRecords.TypeSymbolicLink,
            _ => 0,
        };

        /// <summary>The protocol's type of an inode whose directory entry does not say (file systems without the filetype feature); 0 if none.</summary>
        private static byte TypeOfInode(ExtFileSystem fileSystem, uint inode) =>
            fileSystem.GetAttributes(inode, out ExtAttributes attributes) == Error.None ? ProtocolType(DirectoryEntry.TypeOfMode(attributes.Mode)) : (byte)0;

        // The runs of the file's blocks from the request's offset on, as the disk's sectors (BlockRuns), everything the
        // cache holds unwritten written back first: the client reads them from the disk itself.
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the runs are written before they are read
        private static Error MapBlocks(ExtFileSystem fileSystem, uint inode, in FileSystemRequest request, ulong firstSector, byte* data, out int length)
        {
            length = 0;
            Error error = fileSystem.Cache.DirtyBlocks > 0 ? fileSystem.Sync() : Error.None;
            if (error != Error.None)
                return error;
            uint blockSize = fileSystem.BlockSize;
            DataRun* runs = stackalloc DataRun[BlockRuns.MaximumRuns];
            ulong first = request.Offset / blockSize;
            ulong blocks = (request.Offset % blockSize + request.Count + blockSize - 1) / blockSize;
            error = fileSystem.MapDataRuns(inode, first, blocks, runs, BlockRuns.MaximumRuns, out int found);
            if (error != Error.None)
                return error;
            ulong sectorsPerBlock = blockSize / BlockRuns.SectorSize;
            for (int i = 0; i < found; i++)
                BlockRuns.Write(data + i * BlockRuns.RecordLength, new BlockRun
                {
                    Offset = runs[i].Logical * blockSize, Sector = firstSector + runs[i].Physical * sectorsPerBlock, Length = runs[i].Blocks * blockSize,
                });
            length = found * BlockRuns.RecordLength;
            return Error.None;
        }

        private static Error Attributes(ExtFileSystem fileSystem, uint inode, out NodeAttributes attributes)
        {
            attributes = default;
            Error error = fileSystem.GetAttributes(inode, out ExtAttributes a);
            if (error != Error.None)
                return error;
            if (!NodeAttributes.IsValidMode(a.Mode))
                return Error.NotSupported;
            attributes = new NodeAttributes
            {
                Node = ToNode(inode), Mode = a.Mode, LinkCount = a.LinkCount, UserId = a.UserId, GroupId = a.GroupId,
                Size = a.Size, Blocks = a.Blocks,
                AccessedSeconds = a.AccessedSeconds, AccessedNanoseconds = a.AccessedNanoseconds,
                ModifiedSeconds = a.ModifiedSeconds, ModifiedNanoseconds = a.ModifiedNanoseconds,
                ChangedSeconds = a.ChangedSeconds, ChangedNanoseconds = a.ChangedNanoseconds,
            };
            return Error.None;
        }

        /// <summary>
        /// Answers 'request', its reply's data built at 'data' (the reply area), or, for a read when 'window' has one,
        /// in the read window, which the kernel reads from the bulk memory (no copy into the reply area; the disk's
        /// blocks arrive there themselves). 'firstSector': where the file system's device starts on the disk (a partition's
        /// first sector), which MapBlocks adds to the sectors it names.
        /// </summary>
        public static FileSystemReply Serve(ExtFileSystem fileSystem, in FileSystemRequest request, byte* data, ReadWindow window = default, ulong firstSector = 0)
        {
            FileSystemReply reply = new FileSystemReply { Operation = request.Operation, Sequence = request.Sequence };
            Error error = ToInode(request.Node, out uint inode);
            uint result = inode;
            if (error == Error.None)
            {
                switch (request.Operation)
                {
                    case FileSystemOperation.Lookup:
                        error = fileSystem.Lookup(inode, request.Name, request.NameLength, out result);
                        break;
                    case FileSystemOperation.GetAttributes:
                        break;
                    case FileSystemOperation.Statistics:
                        error = fileSystem.Statistics(out ExtStatistics figures);
                        new FileSystemFigures
                        {
                            BlockSize = figures.BlockSize, Blocks = figures.Blocks, FreeBlocks = figures.FreeBlocks,
                            AvailableBlocks = figures.AvailableBlocks, Files = figures.Files, FreeFiles = figures.FreeFiles,
                            MaximumNameLength = figures.MaximumNameLength,
                            IdentityLow = figures.UuidLow, IdentityHigh = figures.UuidHigh,
                        }.Write(data);
                        reply.Data = data;
                        reply.DataLength = FileSystemFigures.EncodedLength;
                        break;
                    case FileSystemOperation.ReadDirectory:
                        error = ReadDirectory(fileSystem, inode, request, data, ref reply);
                        break;
                    case FileSystemOperation.Read:
                        bool inBulk = window.Address != null;
                        uint most = inBulk ? window.Length : FileSystemLimits.MaximumDataLength;
                        uint count = request.Count < most ? request.Count : most;
                        error = fileSystem.Read(inode, request.Offset, inBulk ? window.Address : data, count, out uint done);
                        reply.Data = inBulk ? null : data;
                        reply.DataLength = (int)done;
                        reply.InBulk = inBulk;
                        reply.BulkOffset = inBulk ? window.BulkOffset : 0;
                        break;
                    case FileSystemOperation.MapBlocks:
                        error = MapBlocks(fileSystem, inode, request, firstSector, data, out reply.DataLength);
                        reply.Data = data;
                        break;
                    case FileSystemOperation.ReadLink:
                        error = fileSystem.ReadLink(inode, data, FileSystemLimits.MaximumLinkTargetLength, out int length);
                        reply.Data = data;
                        reply.DataLength = length;
                        break;
                    case FileSystemOperation.Write:
                        error = fileSystem.Write(inode, request.Offset, request.Data, (uint)request.DataLength, out reply.Count);
                        break;
                    case FileSystemOperation.Create:
                        error = fileSystem.Create(inode, request.Name, request.NameLength, request.Mode, request.UserId, request.GroupId, out result);
                        break;
                    case FileSystemOperation.MakeDirectory:
                        error = fileSystem.MakeDirectory(inode, request.Name, request.NameLength, request.Mode, request.UserId, request.GroupId, out result);
                        break;
                    case FileSystemOperation.SymbolicLink:
                        error = fileSystem.SymbolicLink(inode, request.Name, request.NameLength, request.Data, request.DataLength, request.UserId, request.GroupId, out result);
                        break;
                    case FileSystemOperation.Unlink:
                        error = fileSystem.Unlink(inode, request.Name, request.NameLength);
                        break;
                    case FileSystemOperation.RemoveDirectory:
                        error = fileSystem.RemoveDirectory(inode, request.Name, request.NameLength);
                        break;
                    case FileSystemOperation.Rename:
                        error = ToInode(request.SecondNode, out uint second);
                        if (error == Error.None)
                            error = fileSystem.Rename(inode, request.Name, request.NameLength, second, request.SecondName, request.SecondNameLength);
                        break;
                    case FileSystemOperation.SetAttributes:
                        ExtAttributeChange change = new ExtAttributeChange
                        {
                            Mask = request.SetMask, NewMode = request.Mode, NewUserId = request.UserId, NewGroupId = request.GroupId,
                            NewSize = request.Size, AccessedSeconds = request.AccessedSeconds, AccessedNanoseconds = request.AccessedNanoseconds,
                            ModifiedSeconds = request.ModifiedSeconds, ModifiedNanoseconds = request.ModifiedNanoseconds,
                        };
                        error = fileSystem.SetAttributes(inode, &change);
                        break;
                    case FileSystemOperation.Synchronize:
                        error = fileSystem.Sync();   // the whole file system: the cache written back, then the disk flushed
                        break;
                    default:
                        error = Error.NotSupported;
                        break;
                }
            }
            if (error == Error.None && FileSystemReply.CarriesAttributes(request.Operation))
                error = Attributes(fileSystem, result, out reply.Attributes);
            if (error != Error.None)
                return new FileSystemReply { Operation = request.Operation, Sequence = request.Sequence, ErrorNumber = (ushort)error };
            return reply;
        }

        // As many records as fit in the request's count, from its cursor (ext's byte position; "." and ".." left to the client).
        private static Error ReadDirectory(ExtFileSystem fileSystem, uint directory, in FileSystemRequest request, byte* data, ref FileSystemReply reply)
        {
            ulong cursor = request.Offset;
            int used = 0;
            DirectoryEntry entry;
            while (cursor < DirectoryRecords.MaximumCursor)
            {
                Error error = fileSystem.ReadDirectory(directory, cursor, &entry, out bool end);
                if (error != Error.None)
                    return used > 0 ? Error.None : error;
                if (end)
                    break;
                bool dots = entry.NameLength == 1 && entry.Name[0] == '.' || entry.NameLength == 2 && entry.Name[0] == '.' && entry.Name[1] == '.';
                byte type = entry.Type == DirectoryEntry.TypeUnknown ? TypeOfInode(fileSystem, entry.Inode) : ProtocolType(entry.Type);
                // Only the protocol's three types travel (a client refuses a listing with any other): devices, fifos and
                // sockets are left out, as their lookups are refused.
                if (!dots && type != 0)
                {
                    int written = DirectoryRecords.Write(data + used, (int)request.Count - used, ToNode(entry.Inode), entry.NextPosition,
                        type, entry.Name, entry.NameLength);
                    if (written == 0)
                        break;
                    used += written;
                }
                cursor = entry.NextPosition;
            }
            reply.Data = data;
            reply.DataLength = used;
            return Error.None;
        }
    }
}
