namespace Exo.Protocols.FileSystem
{
    /// <summary>One run of a MapBlocks reply: the file's bytes [Offset, Offset + Length) lie on the disk from Sector on.</summary>
    public struct BlockRun
    {
        public ulong Offset, Sector;
        public uint Length;
    }

    /// <summary>
    /// A MapBlocks reply's data: up to <see cref="MaximumRuns"/> runs, each file offset u64 | disk sector u64 | length u32
    /// | zero u32, in increasing file order, none overlapping, each a whole number of sectors. A run names only blocks that
    /// hold the file's data on the disk as the server has written it (no hole, no block still only in the server's
    /// cache): a client may read them from the disk itself until it next sends a request that changes something
    /// (FileSystemOperations.IsChange). Sectors are the whole disk's (a partition's start included), of
    /// <see cref="SectorSize"/> bytes.
    /// </summary>
    public static unsafe class BlockRuns
    {
        public const int RecordLength = 24;
        public const int MaximumRuns = 16;
        public const int MaximumLength = MaximumRuns * RecordLength;
        public const uint SectorSize = 512;

        public static void Write(byte* at, in BlockRun run)
        {
            *(ulong*)at = run.Offset;
            *(ulong*)(at + 8) = run.Sector;
            *(uint*)(at + 16) = run.Length;
            *(uint*)(at + 20) = 0;
        }

        public static BlockRun Read(byte* at) => new BlockRun { Offset = *(ulong*)at, Sector = *(ulong*)(at + 8), Length = *(uint*)(at + 16) };

        /// <summary>
        /// Every run well formed: whole records, at most MaximumRuns, each a whole number of sectors, in increasing order
        /// without overlap or overflow, and the first ending after 'offset' (the request's: what it asked about).
        /// </summary>
        public static MessageProblem CheckAll(byte* data, int length, ulong offset)
        {
            if (length % RecordLength != 0 || length > MaximumLength)
                return MessageProblem.BadData;
            ulong end = 0;
            for (int position = 0; position < length; position += RecordLength)
            {
                BlockRun run = Read(data + position);
                if (*(uint*)(data + position + 20) != 0 || run.Length == 0 || run.Length % SectorSize != 0 || run.Offset % SectorSize != 0
                    || run.Offset < end || run.Offset > ulong.MaxValue - run.Length || run.Sector > ulong.MaxValue / SectorSize - run.Length / SectorSize
                    || (position == 0 && run.Offset + run.Length <= offset))
                    return MessageProblem.BadData;
                end = run.Offset + run.Length;
            }
            return MessageProblem.None;
        }
    }
}
