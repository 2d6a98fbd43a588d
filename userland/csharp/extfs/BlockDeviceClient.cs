using Exo.Abi;
using Exo.Protocols.BlockDevice;
using Exo.Std.Services;
using Exo.Storage.Ext;

namespace Extfs
{
    /// <summary>
    /// The ext library's block device over the block-device protocol (a channel to virtio_blk that the device
    /// manager made). Each call is answered before it returns: a transfer larger than one request
    /// (BlockChannelLayout.MaximumSectorsPerRequest) goes as several requests in flight at once, as many as the data
    /// area holds, and the sectors are copied between the caller's buffer and the data area. The data area's last
    /// <see cref="ReadWindowLength"/> bytes are the read window: a read into it is no copy (the device writes
    /// there, and extfs's file reads leave the data there for the kernel to take: FileSystemReply.InBulk); every
    /// other transfer goes through the room before it.
    /// </summary>
    public sealed unsafe class BlockDeviceClient : IBlockDevice
    {
        /// <summary>The read window's size: the largest read the file system protocol asks for.</summary>
        public const int ReadWindowLength = Exo.Protocols.FileSystem.FileSystemLimits.MaximumReadLength;
        private const int ScratchLength = BlockChannelLayout.DataLength - ReadWindowLength;
        private const int BytesPerRequest = BlockChannelLayout.MaximumSectorsPerRequest * BlockChannelLayout.SectorSize;
        private const uint SectorsPerRequest = BlockChannelLayout.MaximumSectorsPerRequest;
        private const int RequestsAtOnce = ScratchLength / BytesPerRequest;

        private BlockChannel _channel;
        private uint _nextTag = 1;

        /// <summary>The read window, in this process's mapping of the channel.</summary>
        public byte* ReadWindow => _channel.Data + ScratchLength;

        /// <summary>Where the read window starts in the channel's memory object (what the kernel is told).</summary>
        public const ulong ReadWindowOffset = BlockChannelLayout.DataOffset + ScratchLength;

        public uint SectorSize => BlockChannelLayout.SectorSize;
        public ulong SectorCount { get; private set; }
        public bool IsReadOnly { get; private set; }

        private BlockDeviceClient(BlockChannel channel) { _channel = channel; }

        /// <summary>Attaches and asks the disk's capacity.</summary>
        public static Error Open(BlockChannel channel, out BlockDeviceClient client)
        {
            client = new BlockDeviceClient(channel);
            BlockRequest request = new BlockRequest { Operation = BlockOperation.Capacity };
            Error error = client.Exchange(&request, 1, out BlockCompletion last);
            client.SectorCount = last.Value;
            client.IsReadOnly = (last.Flags & BlockCompletion.FlagReadOnly) != 0;
            return error;
        }

        public Error Read(ulong sector, uint count, byte* buffer) => Transfer(BlockOperation.Read, sector, count, buffer);

        public Error Write(ulong sector, uint count, byte* buffer) =>
            IsReadOnly ? Error.ReadOnlyFileSystem : Transfer(BlockOperation.Write, sector, count, buffer);

        /// <summary>
        /// Several runs in flight together: as many as the data area and the ring hold per exchange (a flush's dirty
        /// blocks wait for the disk once, not once each).
        /// </summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // each request is written whole before it is sent
        public Error WriteRuns(SectorRun* runs, int count)
        {
            if (IsReadOnly)
                return Error.ReadOnlyFileSystem;
            BlockRequest* requests = stackalloc BlockRequest[BlockChannelLayout.MaximumInFlight];
            int next = 0;
            while (next < count)
            {
                if (runs[next].Count > SectorsPerRequest)
                {
                    // Larger than one request: on its own (Transfer splits it).
                    Error alone = Write(runs[next].Sector, runs[next].Count, runs[next].Data);
                    if (alone != Error.None)
                        return alone;
                    next++;
                    continue;
                }
                int n = 0;
                uint used = 0;
                while (next < count && n < BlockChannelLayout.MaximumInFlight && runs[next].Count <= SectorsPerRequest
                       && used + runs[next].Count * BlockChannelLayout.SectorSize <= ScratchLength)
                {
                    uint bytes = runs[next].Count * BlockChannelLayout.SectorSize;
                    Copy(runs[next].Data, _channel.Data + used, bytes);
                    requests[n++] = new BlockRequest
                    {
                        Operation = BlockOperation.Write, Sector = runs[next].Sector, SectorCount = runs[next].Count, BufferOffset = used,
                    };
                    used += bytes;
                    next++;
                }
                Error error = Exchange(requests, n, out _);
                if (error != Error.None)
                    return error;
            }
            return Error.None;
        }

        public Error Flush()
        {
            BlockRequest request = new BlockRequest { Operation = BlockOperation.Flush };
            return Exchange(&request, 1, out _);
        }

        [System.Runtime.CompilerServices.SkipLocalsInit]   // each request is written whole before it is sent
        private Error Transfer(BlockOperation operation, ulong sector, uint count, byte* buffer)
        {
            ulong bytes = (ulong)count * BlockChannelLayout.SectorSize;
            if (buffer >= ReadWindow && bytes <= ReadWindowLength && buffer + bytes <= ReadWindow + ReadWindowLength
                && (buffer - _channel.Data) % BlockChannelLayout.SectorSize == 0)
                return TransferInPlace(operation, sector, count, (uint)(buffer - _channel.Data));
            BlockRequest* requests = stackalloc BlockRequest[RequestsAtOnce];
            while (count > 0)
            {
                int n = 0;
                uint batchSectors = 0;
                while (n < RequestsAtOnce && count > 0)
                {
                    uint sectors = count < SectorsPerRequest ? count : SectorsPerRequest;
                    uint offset = batchSectors * BlockChannelLayout.SectorSize;
                    requests[n++] = new BlockRequest { Operation = operation, Sector = sector, SectorCount = sectors, BufferOffset = offset };
                    if (operation == BlockOperation.Write)
                        Copy(buffer + offset, _channel.Data + offset, sectors * BlockChannelLayout.SectorSize);
                    sector += sectors;
                    count -= sectors;
                    batchSectors += sectors;
                }
                Error error = Exchange(requests, n, out _);
                if (error != Error.None)
                    return error;
                if (operation == BlockOperation.Read)
                    Copy(_channel.Data, buffer, batchSectors * BlockChannelLayout.SectorSize);
                buffer += batchSectors * BlockChannelLayout.SectorSize;
            }
            return Error.None;
        }

        // A transfer whose buffer is the data area itself (the read window) at 'offset': every request at once, no copy.
        [System.Runtime.CompilerServices.SkipLocalsInit]
        private Error TransferInPlace(BlockOperation operation, ulong sector, uint count, uint offset)
        {
            BlockRequest* requests = stackalloc BlockRequest[BlockChannelLayout.MaximumInFlight];
            int n = 0;
            while (count > 0)   // at most ReadWindowLength / BytesPerRequest (4) requests: fewer than MaximumInFlight
            {
                uint sectors = count < SectorsPerRequest ? count : SectorsPerRequest;
                requests[n++] = new BlockRequest { Operation = operation, Sector = sector, SectorCount = sectors, BufferOffset = offset };
                sector += sectors;
                count -= sectors;
                offset += sectors * BlockChannelLayout.SectorSize;
            }
            return Exchange(requests, n, out _);
        }

        // Sends 'count' requests (tags filled in here), waits for all their completions; the first error, if any.
        // (The message is encoded whole before it is sent, and only the completions received are read.)
        [System.Runtime.CompilerServices.SkipLocalsInit]
        private Error Exchange(BlockRequest* requests, int count, out BlockCompletion last)
        {
            last = default;
            byte* message = stackalloc byte[BlockRequest.Length];
            uint firstTag = _nextTag;
            for (int i = 0; i < count; i++)
            {
                requests[i].Tag = _nextTag++;
                if (!requests[i].Encode(message) || !_channel.Send(message))
                    return Error.Invalid;
            }
            if (!_channel.Publish())
                return Error.InputOutput;
            Error first = Error.None;
            byte* completions = stackalloc byte[BlockChannelLayout.MaximumInFlight * BlockCompletion.Length];
            int pending = count;
            while (pending > 0)
            {
                int received = _channel.Receive(completions, pending);
                if (received < 0)
                    return Error.InputOutput;
                for (int i = 0; i < received; i++)
                {
                    if (BlockCompletion.Decode(completions + i * BlockCompletion.Length, out BlockCompletion completion) != BlockMessageProblem.None
                        || completion.Tag - firstTag >= (uint)count)
                        return Error.InputOutput;   // a driver that breaks the protocol
                    if (completion.Status != 0 && first == Error.None)
                        first = (Error)completion.Status;
                    last = completion;
                    pending--;
                }
            }
            return first;
        }

        private static void Copy(byte* from, byte* to, uint bytes) => System.Buffer.MemoryCopy(from, to, bytes, bytes);
    }
}
