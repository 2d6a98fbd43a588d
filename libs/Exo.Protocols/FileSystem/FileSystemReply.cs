namespace Exo.Protocols.FileSystem
{
    /// <summary>
    /// One reply, decoded. Layout (little endian, ReplyHeaderLength bytes, then the data):
    /// 0 magic u32 | 4 operation u16 (the request's) | 6 errno u16 (0: done) | 8 sequence u32 (the request's) |
    /// 12 data length u32 | 16 count u32 (a write's bytes written) | 20 flags u32 | 24 bulk offset u64 |
    /// 32 attributes (NodeAttributes, 88 bytes) | 120 zero u64.
    /// An error reply carries no data and no attributes. Which operations answer with attributes and which with
    /// data is fixed here, and the client's decoder checks it against the request it sent.
    /// A successful read's data may lie in the server's bulk memory instead (flag <see cref="FlagInBulk"/>): the memory
    /// object it gave with its offer (extfs: its block channel, where the disk wrote it), at the bulk offset; up to
    /// FileSystemLimits.MaximumReadLength then, nothing after the header. The client checks the range against the
    /// memory it was given; the bulk offset is 0 for every other reply.
    /// </summary>
    public unsafe struct FileSystemReply
    {
        public const int AttributesOffset = 32;

        public FileSystemOperation Operation;
        public uint Sequence;
        /// <summary>Linux's errno (Exo.Abi.Error uses the same numbers), 0 when the operation was done.</summary>
        public ushort ErrorNumber;
        public uint Count;
        public NodeAttributes Attributes;
        public byte* Data;
        public int DataLength;
        /// <summary>A read's data is in the server's bulk memory at <see cref="BulkOffset"/>, not after the header (Data null).</summary>
        public bool InBulk;
        public ulong BulkOffset;

        public const uint FlagInBulk = 1;

        /// <summary>Whether a successful reply to 'operation' carries attributes.</summary>
        public static bool CarriesAttributes(FileSystemOperation operation) => operation == FileSystemOperation.Lookup
            || operation == FileSystemOperation.GetAttributes || operation == FileSystemOperation.Write
            || operation == FileSystemOperation.Create || operation == FileSystemOperation.MakeDirectory
            || operation == FileSystemOperation.SetAttributes || operation == FileSystemOperation.SymbolicLink;

        /// <summary>Writes the reply into 'buffer': its length, or -1 if it does not fit or its data is too long.</summary>
        public int Encode(byte* buffer, int capacity)
        {
            int dataLength = ErrorNumber != 0 ? 0 : DataLength;
            bool inBulk = InBulk && ErrorNumber == 0;
            if (inBulk && Operation != FileSystemOperation.Read)
                return -1;
            int inline = inBulk ? 0 : dataLength;
            if (dataLength < 0 || dataLength > (inBulk ? FileSystemLimits.MaximumReadLength : FileSystemLimits.MaximumDataLength) || buffer == null
                || FileSystemLimits.ReplyHeaderLength + inline > capacity)
                return -1;
            for (int i = 0; i < FileSystemLimits.ReplyHeaderLength; i += 8)
                *(ulong*)(buffer + i) = 0;
            *(uint*)buffer = FileSystemLimits.Magic;
            *(ushort*)(buffer + 4) = (ushort)Operation;
            *(ushort*)(buffer + 6) = ErrorNumber;
            *(uint*)(buffer + 8) = Sequence;
            *(uint*)(buffer + 12) = (uint)dataLength;
            *(uint*)(buffer + 16) = ErrorNumber != 0 ? 0 : Count;
            if (inBulk)
            {
                *(uint*)(buffer + 20) = FlagInBulk;
                *(ulong*)(buffer + 24) = BulkOffset;
            }
            if (ErrorNumber == 0 && CarriesAttributes(Operation))
                Attributes.Write(buffer + AttributesOffset);
            FileSystemRequest.Copy(Data, buffer + FileSystemLimits.ReplyHeaderLength, inline);
            return FileSystemLimits.ReplyHeaderLength + inline;
        }

        /// <summary>
        /// How many data bytes follow a reply's header (to know how much more to copy): 0 for data in bulk memory, -1 if
        /// over the limit.
        /// </summary>
        public static int ClaimedDataLength(byte* header)
        {
            if ((*(uint*)(header + 20) & FlagInBulk) != 0)
                return 0;
            uint length = *(uint*)(header + 12);
            return length <= FileSystemLimits.MaximumDataLength ? (int)length : -1;
        }

        /// <summary>
        /// Reads the reply to 'request' from the 'available' bytes at 'message' (the client's own copy: a server may
        /// be hostile or broken, so everything is checked): the operation and sequence must be the request's, the
        /// errno in range, the attributes well formed where the operation has them, the data within what was asked
        /// (a read's Count, a write's count within its data) and well formed (directory records, a link target, the
        /// figures).
        /// </summary>
        public static MessageProblem Decode(byte* message, int available, in FileSystemRequest request, out FileSystemReply reply)
        {
            reply = default;
            if (message == null || available < FileSystemLimits.ReplyHeaderLength)
                return MessageProblem.Truncated;
            if (*(uint*)message != FileSystemLimits.Magic)
                return MessageProblem.BadMagic;
            uint flags = *(uint*)(message + 20);
            bool inBulk = flags == FlagInBulk;
            if ((flags != 0 && !inBulk) || (!inBulk && *(ulong*)(message + 24) != 0) || *(ulong*)(message + 120) != 0)
                return MessageProblem.BadField;
            FileSystemOperation operation = (FileSystemOperation)(*(ushort*)(message + 4));
            if (operation != request.Operation || *(uint*)(message + 8) != request.Sequence)
                return MessageProblem.NotTheAnswer;
            ushort errorNumber = *(ushort*)(message + 6);
            if (inBulk && (operation != FileSystemOperation.Read || errorNumber != 0))
                return MessageProblem.BadField;
            uint claimed = *(uint*)(message + 12);
            if (claimed > (inBulk ? FileSystemLimits.MaximumReadLength : FileSystemLimits.MaximumDataLength))
                return MessageProblem.TooLong;
            int dataLength = (int)claimed;
            if (!inBulk && FileSystemLimits.ReplyHeaderLength + dataLength > available)
                return MessageProblem.Truncated;
            uint count = *(uint*)(message + 16);
            if (errorNumber > FileSystemLimits.MaximumErrorNumber)
                return MessageProblem.BadError;
            reply = new FileSystemReply
            {
                Operation = operation, Sequence = request.Sequence, ErrorNumber = errorNumber, Count = count,
                Data = dataLength > 0 && !inBulk ? message + FileSystemLimits.ReplyHeaderLength : null, DataLength = dataLength,
                InBulk = inBulk, BulkOffset = inBulk ? *(ulong*)(message + 24) : 0,
            };
            MessageProblem problem = errorNumber != 0 ? (dataLength != 0 || count != 0 ? MessageProblem.BadError : MessageProblem.None)
                : CheckSuccess(message, ref reply, request);
            if (problem != MessageProblem.None)
                reply = default;
            return problem;
        }

        private static MessageProblem CheckSuccess(byte* message, ref FileSystemReply reply, in FileSystemRequest request)
        {
            if (CarriesAttributes(reply.Operation))
            {
                reply.Attributes = NodeAttributes.Read(message + AttributesOffset);
                if (!reply.Attributes.IsValid)
                    return MessageProblem.BadAttributes;
                if (reply.Operation == FileSystemOperation.Create && (reply.Attributes.Mode & NodeAttributes.TypeMask) != NodeAttributes.Regular
                    || reply.Operation == FileSystemOperation.MakeDirectory && (reply.Attributes.Mode & NodeAttributes.TypeMask) != NodeAttributes.Directory
                    || reply.Operation == FileSystemOperation.SymbolicLink && (reply.Attributes.Mode & NodeAttributes.TypeMask) != NodeAttributes.SymbolicLink)
                    return MessageProblem.BadAttributes;
            }
            else
            {
                // Eight bytes a step: a byte loop was 650 instructions of every read's reply.
                ulong any = 0;
                for (int i = 0; i < NodeAttributes.EncodedLength; i += 8)
                    any |= *(ulong*)(message + AttributesOffset + i);
                if (any != 0)
                    return MessageProblem.BadField;
            }
            if (reply.Operation == FileSystemOperation.Write ? reply.Count > (uint)request.DataLength : reply.Count != 0)
                return MessageProblem.BadField;
            switch (reply.Operation)
            {
                case FileSystemOperation.Read:
                    return reply.DataLength <= (int)request.Count ? MessageProblem.None : MessageProblem.BadData;
                case FileSystemOperation.ReadDirectory:
                    if (reply.DataLength > (int)request.Count)
                        return MessageProblem.BadData;
                    return DirectoryRecords.CheckAll(reply.Data, reply.DataLength, request.Offset);
                case FileSystemOperation.MapBlocks:
                    return BlockRuns.CheckAll(reply.Data, reply.DataLength, request.Offset);
                case FileSystemOperation.ReadLink:
                    return reply.DataLength >= 1 && reply.DataLength <= FileSystemLimits.MaximumLinkTargetLength && !HasZero(reply.Data, reply.DataLength)
                        ? MessageProblem.None : MessageProblem.BadData;
                case FileSystemOperation.Statistics:
                    if (reply.DataLength != FileSystemFigures.EncodedLength)
                        return MessageProblem.BadData;
                    FileSystemFigures figures = FileSystemFigures.Read(reply.Data);
                    return figures.BlockSize != 0 && figures.BlockSize <= 1 << 20 && figures.FreeBlocks <= figures.Blocks
                        && figures.AvailableBlocks <= figures.FreeBlocks && figures.FreeFiles <= figures.Files
                        && figures.MaximumNameLength <= FileSystemLimits.MaximumNameLength ? MessageProblem.None : MessageProblem.BadAttributes;
                default:
                    return reply.DataLength == 0 ? MessageProblem.None : MessageProblem.BadData;
            }
        }

        private static bool HasZero(byte* bytes, int length)
        {
            for (int i = 0; i < length; i++)
                if (bytes[i] == 0)
                    return true;
            return false;
        }
    }
}
