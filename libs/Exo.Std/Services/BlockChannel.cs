using Exo.Abi;
using Exo.Protocols.BlockDevice;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Rings;

namespace Exo.Std.Services
{
    /// <summary>
    /// One side of a block-device channel (libs/Exo.Protocols/BlockDevice/BlockChannelLayout): the shared memory
    /// mapped, the ring this side writes, the ring it reads and the two notifications. The device manager makes the
    /// channel (<see cref="Create"/>), so neither the driver nor its client needs a capability to the other.
    /// The driver writes completions and reads requests; the client the other way round.
    /// </summary>
    public unsafe struct BlockChannel
    {
        public byte* Shared;
        public SpscProducer Outgoing;
        public SpscConsumer Incoming;
        /// <summary>Own: waited on (the peer signals it). Peer: signalled (Signal right only).</summary>
        public NotificationDoorbell Own, Peer;

        public byte* Data => Shared + BlockChannelLayout.DataOffset;

        /// <summary>Makes the memory (both rings initialised) and the driver's and client's notifications.</summary>
        public static Error Create(out MemoryObject memory, out Notification driver, out Notification client)
            => Initialize(MemoryObject.Create(BlockChannelLayout.Size, out memory), memory, out driver, out client);

        /// <summary>
        /// Create with the memory made as DMA memory (physically contiguous, its address known to the holder): the driver
        /// then has the device read and write the data area itself, one copy less each way. Only the device manager,
        /// which holds the root resource, makes such a channel.
        /// </summary>
        public static Error Create(RootResource root, out MemoryObject memory, out Notification driver, out Notification client)
            => Initialize(root.CreateDmaMemory(BlockChannelLayout.Size, out memory), memory, out driver, out client);

        /// <summary>
        /// Another channel to the same driver, in DMA memory: its requests signal the driver's notification that the first
        /// channel's Create made, with BlockChannelLayout.RequestBitOf(index), so the driver waits for all its channels on
        /// that one notification. 'client': the notification this channel's client waits on.
        /// </summary>
        public static Error CreateAnother(RootResource root, out MemoryObject memory, out Notification client)
            => Initialize(root.CreateDmaMemory(BlockChannelLayout.Size, out memory), memory, out _, out client, makeDriver: false);

        private static Error Initialize(Error error, MemoryObject memory, out Notification driver, out Notification client, bool makeDriver = true)
        {
            driver = client = default;
            byte* shared = null;
            if (error == Error.None)
                error = memory.Map(true, out shared);
            if (error == Error.None && (!SpscRing.Initialize(shared + BlockChannelLayout.RequestRingOffset, 4096, BlockChannelLayout.MaximumInFlight, BlockRequest.Length)
                || !SpscRing.Initialize(shared + BlockChannelLayout.CompletionRingOffset, 4096, BlockChannelLayout.MaximumInFlight, BlockCompletion.Length)))
                error = Error.Invalid;
            if (error == Error.None && makeDriver)
                error = Notification.Create(out driver);
            if (error == Error.None)
                error = Notification.Create(out client);
            return error;
        }

        /// <summary>Attaches to a channel that <see cref="Create"/> made; 'driver' picks the side; 'index': which of the driver's
        /// channels (its request bit, BlockChannelLayout.RequestBitOf).</summary>
        public static Error Attach(MemoryObject memory, Notification own, Notification peer, bool driver, out BlockChannel channel, int index = 0)
        {
            channel = default;
            Error error = memory.Map(true, out channel.Shared);
            if (error != Error.None)
                return error;
            byte* requests = channel.Shared + BlockChannelLayout.RequestRingOffset;
            byte* completions = channel.Shared + BlockChannelLayout.CompletionRingOffset;
            bool attached = driver
                ? channel.Outgoing.Attach(completions) && channel.Incoming.Attach(requests)
                : channel.Outgoing.Attach(requests) && channel.Incoming.Attach(completions);
            if (!attached || channel.Outgoing.SlotSize != (driver ? BlockCompletion.Length : BlockRequest.Length)
                || channel.Incoming.SlotSize != (driver ? BlockRequest.Length : BlockCompletion.Length))
                return Error.Invalid;
            ulong requestBit = BlockChannelLayout.RequestBitOf(index);
            channel.Own = new NotificationDoorbell(own, driver ? requestBit : BlockChannelLayout.CompletionBit);
            channel.Peer = new NotificationDoorbell(peer, driver ? BlockChannelLayout.CompletionBit : requestBit);
            return Error.None;
        }

        /// <summary>Queues one message (waiting for room), unpublished until <see cref="Publish"/>; false if a doorbell failed.</summary>
        public bool Send(void* message) => Outgoing.Write(message, ref Peer, ref Own) >= 0;

        /// <summary>Makes what was sent visible and wakes the peer if it sleeps.</summary>
        public bool Publish() => Outgoing.Flush(ref Peer);

        /// <summary>Receives 1 to 'maximum' messages, sleeping while there are none; -1 if a doorbell failed.</summary>
        public int Receive(void* destination, int maximum) => Incoming.Read(destination, maximum, ref Peer, ref Own);
    }
}
