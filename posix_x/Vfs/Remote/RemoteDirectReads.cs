using Exo.Protocols.FileSystem;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// A mount's O_DIRECT reads straight from the disk's driver, when its server offered a block channel
    /// (RemoteBlockChannel): the server says once where a file's blocks lie (FileSystemOperation.MapBlocks, which writes
    /// back what it holds unwritten first), and reads of those blocks then go program -> kernel -> driver and back, two
    /// processes fewer to switch to than through the server. The runs are kept (up to <see cref="Capacity"/>, the
    /// oldest replaced) while the channel's change count stands still: the kernel is the server's only client, so until
    /// it sends a change (a write, a truncation, a removal: any of them may move or free blocks, or leave newer data in
    /// the server's cache) the disk holds the file's data where the runs say; every change forgets them all. Used with
    /// the channel entered, so no change is in flight during a read and none starts before its data is copied. Anything
    /// else (no block channel, a read not in whole sectors, a hole, attributes older than the last change, a driver
    /// that failed) is left to the server: the caller reads through it.
    /// </summary>
    public sealed unsafe class RemoteDirectReads
    {
        public const int Capacity = 32;
        /// <summary>The most runs one read covers.</summary>
        private const int MaximumPieces = 16;
        private const ulong SectorSize = BlockRuns.SectorSize;

        private struct Run
        {
            public ulong Node, Offset, Sector, Length, Changes;
        }

        private readonly Run[] _runs = new Run[Capacity];   // Length 0: unused
        private int _next;

        /// <summary>
        /// Reads bytes [offset, offset + count) of 'node', of 'size' bytes as of the channel's change count 'sizeAt',
        /// into 'buffer' from 'at', from the disk's driver: true with 'done' and 'error' (BadAddress when the buffer
        /// faulted); false when the server must be asked instead. At most RemoteBlockChannel.MaximumReadLength bytes.
        /// </summary>
        public bool TryRead(RemoteChannel channel, ulong node, ulong size, ulong sizeAt, ulong offset, IoBuffer buffer, ulong at, ulong count,
            out ulong done, out Error error)
        {
            done = 0;
            error = Error.None;
            if (count == 0 || count > RemoteBlockChannel.MaximumReadLength || (offset | count) % SectorSize != 0 || offset >= size)
                return false;
            ulong wanted = size - offset < count ? size - offset : count;
            ulong* sectors = stackalloc ulong[MaximumPieces];
            uint* counts = stackalloc uint[MaximumPieces];
            channel.Enter();
            int pieces = channel.Blocks != null && channel.Changes == sizeAt ? Resolve(channel, node, offset, (wanted + SectorSize - 1) & ~(SectorSize - 1), sectors, counts) : 0;
            // Looked at again: a MapBlocks that found its server gone may have followed a new one (its block channel).
            RemoteBlockChannel blocks = channel.Changes == sizeAt ? channel.Blocks : null;
            bool read = pieces > 0 && blocks != null && blocks.Read(sectors, counts, pieces, channel.Server) == Error.None;
            if (read)
            {
                if (buffer.CopyIn(at, blocks.Data, wanted))
                    done = wanted;
                else
                    error = Error.BadAddress;
            }
            channel.Leave();
            return read;
        }

        // The disk's sectors of [offset, offset + length) as at most MaximumPieces runs (asking the server for the runs
        // not kept): how many, or 0 if some part is not on the disk as a run (a hole) or the server did not say.
        private int Resolve(RemoteChannel channel, ulong node, ulong offset, ulong length, ulong* sectors, uint* counts)
        {
            ulong end = offset + length;
            int pieces = 0;
            for (ulong position = offset; position < end; pieces++)
            {
                int found = Find(node, position, channel.Changes);
                if (found < 0 && (!Map(channel, node, position) || (found = Find(node, position, channel.Changes)) < 0))
                    return 0;
                if (pieces == MaximumPieces)
                    return 0;
                ref Run run = ref _runs[found];
                ulong runEnd = run.Offset + run.Length;
                ulong piece = (runEnd < end ? runEnd : end) - position;
                sectors[pieces] = run.Sector + (position - run.Offset) / SectorSize;
                counts[pieces] = (uint)(piece / SectorSize);
                position += piece;
            }
            return pieces;
        }

        private int Find(ulong node, ulong position, ulong changes)
        {
            for (int i = 0; i < Capacity; i++)
            {
                ref Run run = ref _runs[i];
                if (run.Length != 0 && run.Node == node && run.Changes == changes && position - run.Offset < run.Length && position >= run.Offset)
                    return i;
            }
            return -1;
        }

        // Asks the server where the file's blocks from 'position' lie, and keeps the runs it names (checked by the
        // protocol's decoder: whole sectors, in order). False if it named none or failed.
        private bool Map(RemoteChannel channel, ulong node, ulong position)
        {
            FileSystemRequest request = new FileSystemRequest
            {
                Operation = FileSystemOperation.MapBlocks, Node = node, Offset = position, Count = (uint)RemoteBlockChannel.MaximumReadLength,
            };
            if (channel.Ask(ref request, out FileSystemReply reply) != Error.None || reply.DataLength == 0)
                return false;
            ulong changes = channel.Changes;
            for (int i = 0; i < reply.DataLength / BlockRuns.RecordLength; i++)
            {
                BlockRun run = BlockRuns.Read(reply.Data + i * BlockRuns.RecordLength);
                _runs[_next] = new Run { Node = node, Offset = run.Offset, Sector = run.Sector, Length = run.Length, Changes = changes };
                _next = (_next + 1) % Capacity;
            }
            return true;
        }
    }
}
