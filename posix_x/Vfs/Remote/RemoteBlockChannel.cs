using Exo.Kernel.Arch.X64;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Time;
using Exo.Protocols.BlockDevice;
using Exo.Protocols.Rings;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// The kernel's own block-device channel to a disk's driver (Exo.Protocols.BlockDevice), which the disk's file system
    /// server offered with its mount channel (Exo.Abi.FileSystemOfferObjects): the mount's O_DIRECT reads of blocks the
    /// server mapped (FileSystemOperation.MapBlocks) go to the driver here, without the server between. The memory is
    /// DMA memory, read through the direct map: the device writes the sectors into the data area, and they are copied
    /// from there to the reader. Everything in the shared memory may be changed by the driver or the server at any time,
    /// so a completion is copied before it is decoded and checked against the requests sent, and a driver that breaks
    /// the protocol or stays silent for <see cref="RemoteChannel.ReplyTimeoutMilliseconds"/> breaks the channel: every
    /// later read goes through the server (which meets the same failure and answers EIO). Used between the mount
    /// channel's Enter and Leave: one exchange at a time.
    /// </summary>
    public sealed unsafe class RemoteBlockChannel
    {
        /// <summary>The most one exchange reads: a read's largest (1 MiB, FileSystemLimits.MaximumReadLength).</summary>
        public const int MaximumReadLength = Exo.Protocols.FileSystem.FileSystemLimits.MaximumReadLength;
        /// <summary>The most requests one exchange sends: what the rings hold.</summary>
        private const int MaximumRequests = BlockChannelLayout.MaximumInFlight;

        private readonly Notification _driver, _client;
        private readonly ulong _requestBits;
        private readonly byte* _shared;
        private SpscProducer _requests;
        private SpscConsumer _completions;
        private uint _nextTag = 1;
        private bool _broken;

        private RemoteBlockChannel(Notification driver, Notification client, ulong requestBits, byte* shared)
        {
            _driver = driver;
            _client = client;
            _requestBits = requestBits;
            _shared = shared;
        }

        /// <summary>
        /// The block channel 'offer' holds, or null if it holds none or its rings are not well formed. The offer's
        /// references keep the objects alive: the caller keeps the offer as long as this channel.
        /// </summary>
        public static RemoteBlockChannel Open(in ServiceOffers.Offer offer)
        {
            if (offer.BlockMemory == null || !offer.BlockMemory.IsContiguous || offer.BlockMemory.Size < (ulong)BlockChannelLayout.Size)
                return null;
            byte* shared = (byte*)PhysicalMemory.ToVirtual(offer.BlockMemory.FrameAt(0));
            RemoteBlockChannel channel = new RemoteBlockChannel(offer.BlockDriver, offer.BlockClient, offer.BlockRequestBits, shared);
            if (!channel._requests.Attach(shared + BlockChannelLayout.RequestRingOffset) || channel._requests.SlotSize != BlockRequest.Length
                || !channel._completions.Attach(shared + BlockChannelLayout.CompletionRingOffset) || channel._completions.SlotSize != BlockCompletion.Length)
                return null;
            return channel;
        }

        public bool IsBroken => _broken;

        /// <summary>The data area, where a read's sectors arrive (the first byte of the first sector read).</summary>
        public byte* Data => _shared + BlockChannelLayout.DataOffset;

        /// <summary>
        /// Reads the 'count' runs of sectors (each: disk sector, sectors) one after another into the data area, in requests
        /// in flight together, at most <see cref="MaximumReadLength"/> bytes in all; 'server' is the file system server
        /// whose end (a crash, the device manager's restart of the pair) ends the wait. InputOutput if the driver failed
        /// a request, broke the protocol or did not answer (the channel is then broken).
        /// </summary>
        public Error Read(ulong* sectors, uint* counts, int count, Process server)
        {
            if (_broken)
                return Error.InputOutput;
            uint firstTag = _nextTag, offset = 0;
            int sent = 0;
            for (int i = 0; i < count; i++)
            {
                for (uint done = 0; done < counts[i];)
                {
                    uint left = counts[i] - done;
                    uint piece = left < BlockChannelLayout.MaximumSectorsPerRequest ? left : BlockChannelLayout.MaximumSectorsPerRequest;
                    byte* slot = sent < MaximumRequests && offset + piece * BlockChannelLayout.SectorSize <= MaximumReadLength ? _requests.TryReserve() : null;
                    BlockRequest request = new BlockRequest
                    {
                        Operation = BlockOperation.Read, Tag = _nextTag++, Sector = sectors[i] + done, SectorCount = piece, BufferOffset = offset,
                    };
                    if (slot == null || !request.Encode(slot))
                        return Break();   // a ring the driver left full, or more than one exchange carries (the caller's limits)
                    _requests.Commit();
                    sent++;
                    done += piece;
                    offset += piece * BlockChannelLayout.SectorSize;
                }
            }
            if (_requests.Publish())
                _driver.Signal(_requestBits);
            return AwaitCompletions(firstTag, sent, server);
        }

        private Error AwaitCompletions(uint firstTag, int sent, Process server)
        {
            ulong ticksPerMillisecond = SystemClock.TscFrequency / 1000;
            ulong giveUp = Cpu.ReadTimeStampCounter() + RemoteChannel.ReplyTimeoutMilliseconds * ticksPerMillisecond;
            Error result = Error.None;
            byte* message = stackalloc byte[BlockCompletion.Length];
            bool interrupted = false;
            while (sent > 0)
            {
                if (_completions.TryRead(message))
                {
                    if (BlockCompletion.Decode(message, out BlockCompletion completion) != BlockMessageProblem.None || completion.Tag - firstTag >= _nextTag - firstTag)
                        return Break();   // a driver that breaks the protocol (or answers a request of an exchange given up)
                    if (completion.Status != 0)
                        result = Error.InputOutput;
                    sent--;
                    continue;
                }
                if (_completions.Release())
                    _driver.Signal(_requestBits);   // the driver waits for room in the completion ring
                if (server.State == ProcessState.Exited || Cpu.ReadTimeStampCounter() > giveUp)
                    return Break();
                if (_completions.PrepareToSleep())
                {
                    RemoteChannel.WaitForServer(_client, ref interrupted);
                    _completions.FinishSleep();
                }
            }
            if (_completions.Release())
                _driver.Signal(_requestBits);
            return result;
        }

        private Error Break()
        {
            _broken = true;
            return Error.InputOutput;
        }
    }
}
