namespace Exo.Protocols.FileSystem
{
    /// <summary>
    /// One request, decoded: the fields the operation uses (the others zero), and pointers to its names and data
    /// inside the message buffer it came from. Layout (little endian, RequestHeaderLength bytes, then the name,
    /// the second name and the data, nothing between them):
    /// 0 magic u32 | 4 operation u16 | 6 name length u16 | 8 sequence u32 | 12 second name length u16 | 14 zero u16 |
    /// 16 node u64 | 24 second node u64 | 32 offset u64 | 40 count u32 | 44 data length u32 | 48 mode u32 |
    /// 52 user u32 | 56 group u32 | 60 set mask u32 | 64 size u64 | 72 accessed seconds i64 | 80 accessed ns u32 |
    /// 84 modified ns u32 | 88 modified seconds i64.
    /// </summary>
    public unsafe struct FileSystemRequest
    {
        public FileSystemOperation Operation;
        /// <summary>Chosen by the client, echoed by the reply: a late reply to an abandoned request is told apart.</summary>
        public uint Sequence;
        public ulong Node, SecondNode, Offset;
        public uint Count, Mode, UserId, GroupId, SetMask;
        public ulong Size;
        public long AccessedSeconds, ModifiedSeconds;
        public uint AccessedNanoseconds, ModifiedNanoseconds;
        public byte* Name;
        public int NameLength;
        public byte* SecondName;
        public int SecondNameLength;
        public byte* Data;
        public int DataLength;

        // What each operation carries: a name, a second directory and name, data (and how much at most).
        private static bool NeedsName(FileSystemOperation operation) => operation == FileSystemOperation.Lookup
            || operation == FileSystemOperation.Create || operation == FileSystemOperation.MakeDirectory
            || operation == FileSystemOperation.Unlink || operation == FileSystemOperation.RemoveDirectory
            || operation == FileSystemOperation.Rename || operation == FileSystemOperation.SymbolicLink;

        private static int MaximumDataOf(FileSystemOperation operation) => operation == FileSystemOperation.Write ? FileSystemLimits.MaximumDataLength
            : operation == FileSystemOperation.SymbolicLink ? FileSystemLimits.MaximumLinkTargetLength : 0;

        /// <summary>The message's length for this request, or -1 if the request breaks the protocol's rules.</summary>
        public int EncodedLength => Check() == MessageProblem.None ? FileSystemLimits.RequestHeaderLength + NameLength + SecondNameLength + DataLength : -1;

        /// <summary>The rules a decoded request must meet (also checked before encoding, so a client cannot send what a server refuses).</summary>
        public MessageProblem Check()
        {
            if (Operation == FileSystemOperation.None || Operation > FileSystemOperation.MapBlocks)
                return MessageProblem.UnknownOperation;
            if (Node == 0 || (Operation == FileSystemOperation.Unmount && Node != FileSystemLimits.RootNode))
                return MessageProblem.BadField;
            bool rename = Operation == FileSystemOperation.Rename;
            if (NeedsName(Operation) ? !MessageProblems.IsValidName(Name, NameLength) : NameLength != 0)
                return MessageProblem.BadName;
            if (rename ? !MessageProblems.IsValidName(SecondName, SecondNameLength) || SecondNode == 0 : SecondNameLength != 0 || SecondNode != 0)
                return MessageProblem.BadName;
            int maximumData = MaximumDataOf(Operation);
            if (DataLength < 0 || DataLength > maximumData || (maximumData > 0 && DataLength == 0) || (DataLength > 0 && Data == null))
                return MessageProblem.BadData;
            bool counted = Operation == FileSystemOperation.Read || Operation == FileSystemOperation.ReadDirectory || Operation == FileSystemOperation.MapBlocks;
            uint maximumCount = (uint)(Operation == FileSystemOperation.ReadDirectory ? FileSystemLimits.MaximumDataLength : FileSystemLimits.MaximumReadLength);
            if (counted ? Count == 0 || Count > maximumCount : Count != 0)
                return MessageProblem.BadField;
            if (Operation == FileSystemOperation.Create && (Mode & NodeAttributes.TypeMask) != NodeAttributes.Regular)
                return MessageProblem.BadField;
            if (Operation == FileSystemOperation.MakeDirectory && (Mode & NodeAttributes.TypeMask) != NodeAttributes.Directory)
                return MessageProblem.BadField;
            if ((Operation == FileSystemOperation.Create || Operation == FileSystemOperation.MakeDirectory) && !NodeAttributes.IsValidMode(Mode))
                return MessageProblem.BadField;
            if (Operation == FileSystemOperation.SetAttributes)
            {
                if (SetMask == 0 || (SetMask & ~SetAttributeFields.All) != 0 || (Mode & ~NodeAttributes.PermissionMask) != 0
                    || AccessedNanoseconds >= 1_000_000_000 || ModifiedNanoseconds >= 1_000_000_000)
                    return MessageProblem.BadField;
            }
            else if (SetMask != 0)
            {
                return MessageProblem.BadField;
            }
            return MessageProblem.None;
        }

        /// <summary>Writes the request into 'buffer' ('capacity' bytes): its length, or -1 if it breaks a rule or does not fit.</summary>
        public int Encode(byte* buffer, int capacity)
        {
            int length = EncodedLength;
            if (length < 0 || length > capacity || buffer == null)
                return -1;
            *(uint*)buffer = FileSystemLimits.Magic;
            *(ushort*)(buffer + 4) = (ushort)Operation;
            *(ushort*)(buffer + 6) = (ushort)NameLength;
            *(uint*)(buffer + 8) = Sequence;
            *(ushort*)(buffer + 12) = (ushort)SecondNameLength;
            *(ushort*)(buffer + 14) = 0;
            *(ulong*)(buffer + 16) = Node;
            *(ulong*)(buffer + 24) = SecondNode;
            *(ulong*)(buffer + 32) = Offset;
            *(uint*)(buffer + 40) = Count;
            *(uint*)(buffer + 44) = (uint)DataLength;
            *(uint*)(buffer + 48) = Mode;
            *(uint*)(buffer + 52) = UserId;
            *(uint*)(buffer + 56) = GroupId;
            *(uint*)(buffer + 60) = SetMask;
            *(ulong*)(buffer + 64) = Size;
            *(long*)(buffer + 72) = AccessedSeconds;
            *(uint*)(buffer + 80) = AccessedNanoseconds;
            *(uint*)(buffer + 84) = ModifiedNanoseconds;
            *(long*)(buffer + 88) = ModifiedSeconds;
            byte* at = buffer + FileSystemLimits.RequestHeaderLength;
            Copy(Name, at, NameLength);
            Copy(SecondName, at + NameLength, SecondNameLength);
            Copy(Data, at + NameLength + SecondNameLength, DataLength);
            return length;
        }

        /// <summary>
        /// Reads a request from the 'available' bytes at 'message' (a server's copy: the names and data point into
        /// it). Refuses anything malformed, whatever the bytes (a client may be hostile).
        /// </summary>
        public static MessageProblem Decode(byte* message, int available, out FileSystemRequest request)
        {
            request = default;
            if (message == null || available < FileSystemLimits.RequestHeaderLength)
                return MessageProblem.Truncated;
            if (*(uint*)message != FileSystemLimits.Magic)
                return MessageProblem.BadMagic;
            if (*(ushort*)(message + 14) != 0)
                return MessageProblem.BadField;
            int nameLength = *(ushort*)(message + 6), secondNameLength = *(ushort*)(message + 12);
            uint dataLength = *(uint*)(message + 44);
            if (nameLength > FileSystemLimits.MaximumNameLength || secondNameLength > FileSystemLimits.MaximumNameLength)
                return MessageProblem.BadName;
            if (dataLength > FileSystemLimits.MaximumDataLength)
                return MessageProblem.BadData;
            int length = FileSystemLimits.RequestHeaderLength + nameLength + secondNameLength + (int)dataLength;
            if (length > available)
                return MessageProblem.Truncated;
            byte* at = message + FileSystemLimits.RequestHeaderLength;
            request = new FileSystemRequest
            {
                Operation = (FileSystemOperation)(*(ushort*)(message + 4)), Sequence = *(uint*)(message + 8),
                Node = *(ulong*)(message + 16), SecondNode = *(ulong*)(message + 24), Offset = *(ulong*)(message + 32),
                Count = *(uint*)(message + 40), Mode = *(uint*)(message + 48), UserId = *(uint*)(message + 52),
                GroupId = *(uint*)(message + 56), SetMask = *(uint*)(message + 60), Size = *(ulong*)(message + 64),
                AccessedSeconds = *(long*)(message + 72), AccessedNanoseconds = *(uint*)(message + 80),
                ModifiedNanoseconds = *(uint*)(message + 84), ModifiedSeconds = *(long*)(message + 88),
                Name = nameLength > 0 ? at : null, NameLength = nameLength,
                SecondName = secondNameLength > 0 ? at + nameLength : null, SecondNameLength = secondNameLength,
                Data = dataLength > 0 ? at + nameLength + secondNameLength : null, DataLength = (int)dataLength,
            };
            MessageProblem problem = request.Check();
            if (problem != MessageProblem.None)
                request = default;
            return problem;
        }

        // A word at a time (a read's 4 KiB to 16 KiB of data pass through here): a byte loop is several instructions a byte.
        internal static void Copy(byte* from, byte* to, int count)
        {
            // A reply's data built in place (extfs reads into the reply area) is already where it goes.
            if (count > 0 && from != to)
                System.Buffer.MemoryCopy(from, to, count, count);
        }
    }
}
