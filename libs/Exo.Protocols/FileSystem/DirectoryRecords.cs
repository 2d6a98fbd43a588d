namespace Exo.Protocols.FileSystem
{
    /// <summary>One directory entry of a ReadDirectory reply: node id, the cursor after it, type (DT_*), name.</summary>
    public unsafe struct DirectoryRecord
    {
        public ulong Node, NextCursor;
        public byte Type;
        public byte* Name;
        public int NameLength;
    }

    /// <summary>
    /// A ReadDirectory reply's data: records packed one after another, each node u64 | next cursor u64 | type u8 |
    /// name length u8 | name. Cursors are the server's, but must strictly increase from the request's cursor
    /// (so a client's listing always ends) and stay below <see cref="MaximumCursor"/>. "." and ".." are never
    /// sent: the client makes them.
    /// </summary>
    public static unsafe class DirectoryRecords
    {
        public const int FixedLength = 18;
        public const int MaximumRecordLength = FixedLength + FileSystemLimits.MaximumNameLength;
        /// <summary>The largest cursor a server may use (the client keeps room below it for "." and "..").</summary>
        public const ulong MaximumCursor = 1UL << 62;
        public const byte TypeDirectory = 4, TypeRegular = 8, TypeSymbolicLink = 10;

        /// <summary>Appends a record at 'at' if it fits in 'room' bytes: its length, or 0.</summary>
        public static int Write(byte* at, int room, ulong node, ulong nextCursor, byte type, byte* name, int nameLength)
        {
            int length = FixedLength + nameLength;
            if (length > room || nameLength < 1 || nameLength > FileSystemLimits.MaximumNameLength)
                return 0;
            *(ulong*)at = node;
            *(ulong*)(at + 8) = nextCursor;
            at[16] = type;
            at[17] = (byte)nameLength;
            FileSystemRequest.Copy(name, at + FixedLength, nameLength);
            return length;
        }

        /// <summary>The record at 'position' of the 'length' bytes at 'data', 'position' moved past it; false at the end or if malformed.</summary>
        public static bool Next(byte* data, int length, ref int position, out DirectoryRecord record)
        {
            record = default;
            if (position + FixedLength > length)
                return false;
            byte* at = data + position;
            int nameLength = at[17];
            if (position + FixedLength + nameLength > length)
                return false;
            record = new DirectoryRecord { Node = *(ulong*)at, NextCursor = *(ulong*)(at + 8), Type = at[16], Name = at + FixedLength, NameLength = nameLength };
            position += FixedLength + nameLength;
            return true;
        }

        /// <summary>Every record well formed (a name, a node, a known type, cursors increasing from 'cursor'), and nothing left over.</summary>
        public static MessageProblem CheckAll(byte* data, int length, ulong cursor)
        {
            int position = 0;
            while (position < length)
            {
                if (!Next(data, length, ref position, out DirectoryRecord record))
                    return MessageProblem.Truncated;
                if (record.Node == 0 || !MessageProblems.IsValidName(record.Name, record.NameLength)
                    || (record.Type != TypeDirectory && record.Type != TypeRegular && record.Type != TypeSymbolicLink)
                    || record.NextCursor <= cursor || record.NextCursor > MaximumCursor)
                    return MessageProblem.BadAttributes;
                cursor = record.NextCursor;
            }
            return MessageProblem.None;
        }
    }
}
