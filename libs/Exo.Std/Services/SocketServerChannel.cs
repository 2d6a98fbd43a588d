using Exo.Abi;
using Exo.Protocols.Rings;
using Exo.Protocols.Sockets;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Services
{
    /// <summary>
    /// The network service's end of a socket channel (Exo.Protocols.Sockets.SocketChannelLayout): makes the memory
    /// object, lays out its three rings, makes the two notifications and offers them to the kernel under a name
    /// (SocketOffer: "network" for POSIX-X; SocketNativeOffer: one native program's channel, reset and offered again once
    /// that program has ended). The service takes requests with <see cref="TryReceive"/>, answers each with
    /// <see cref="Complete"/> and reports readiness with <see cref="TryPostEvent"/>; <see cref="Flush"/> publishes and
    /// wakes the client only if it sleeps. A malformed request is answered EINVAL here and never reaches the service.
    /// A class: the rings' private state must be one, whoever holds the channel.
    /// </summary>
    public sealed unsafe class SocketServerChannel
    {
        private MemoryObject _memory;
        private Notification _requests, _client;
        private byte* _shared;
        private SpscConsumer _requestRing;
        private SpscProducer _completionRing, _eventRing;

        /// <summary>The notification the kernel signals (RequestBit) when requests wait: the service may wait on it for other bits too.</summary>
        public Notification RequestNotification => _requests;

        /// <summary>Makes the channel around 'serviceNotification' (the service's own, which it waits on) and offers it to the
        /// kernel as 'name' (SocketOffer: POSIX-X's).</summary>
        public static Error Offer(string name, Notification serviceNotification, out SocketServerChannel channel)
        {
            Error error = Create(serviceNotification, out channel);
            return error != Error.None ? error : channel.OfferAs(SystemCallNumber.SocketOffer, name);
        }

        /// <summary>Makes a channel around 'serviceNotification' without offering it (a native program's: <see cref="OfferNative"/>).</summary>
        public static Error Create(Notification serviceNotification, out SocketServerChannel channel)
        {
            channel = new SocketServerChannel();
            channel._requests = serviceNotification;
            Error error = MemoryObject.Create(SocketChannelLayout.Size, out channel._memory);
            if (error == Error.None)
                error = channel._memory.Map(true, out channel._shared);
            if (error == Error.None)
                error = Notification.Create(out channel._client);
            if (error != Error.None)
                return error;
            return channel.Reset() ? Error.None : Error.Invalid;
        }

        /// <summary>Lays the rings out empty and the client state Offered: a new channel, or one whose native client has ended
        /// (its handles are closed with it, so nobody else reaches the memory).</summary>
        public bool Reset()
        {
            byte* shared = _shared;
            *(uint*)(shared + SocketChannelLayout.ClientStateOffset) = SocketChannelLayout.ClientOffered;
            return SpscRing.Initialize(shared + SocketChannelLayout.RequestRingOffset, 4096, SocketChannelLayout.MaximumInFlight, SocketRequest.Length)
                && SpscRing.Initialize(shared + SocketChannelLayout.CompletionRingOffset, 4096, SocketChannelLayout.MaximumInFlight, SocketCompletion.Length)
                && SpscRing.Initialize(shared + SocketChannelLayout.EventRingOffset, 4096, SocketChannelLayout.EventSlots, SocketEvent.Length)
                && _requestRing.Attach(shared + SocketChannelLayout.RequestRingOffset)
                && _completionRing.Attach(shared + SocketChannelLayout.CompletionRingOffset)
                && _eventRing.Attach(shared + SocketChannelLayout.EventRingOffset);
        }

        /// <summary>Offers the channel to one native program as 'name' (SocketNativeOffer): <see cref="ClientState"/> says when a
        /// program has claimed it and when that program has ended.</summary>
        public Error OfferNative(string name) => OfferAs(SystemCallNumber.SocketNativeOffer, name);

        private Error OfferAs(SystemCallNumber call, string name)
        {
            byte* bytes = stackalloc byte[name.Length];
            for (int i = 0; i < name.Length; i++)
                bytes[i] = (byte)name[i];
            long result = SystemCall.Call(call, (ulong)bytes, (ulong)name.Length, _memory.Handle.Value, _requests.Handle.Value, _client.Handle.Value);
            return SystemCall.ErrorOf(result);
        }

        /// <summary>A native channel's client (SocketChannelLayout.ClientOffered, ClientClaimed, ClientGone), as the kernel wrote it.</summary>
        public uint ClientState => System.Threading.Volatile.Read(ref *(uint*)(_shared + SocketChannelLayout.ClientStateOffset));

        /// <summary>The start of a tag's data slot (DataSlotSize bytes) in the service's mapping.</summary>
        public byte* DataOf(uint tag) => _shared + SocketChannelLayout.DataOffsetOf(tag);

        /// <summary>
        /// The next well-formed request (copied out of the ring and checked), or false when none waits. A malformed one
        /// is answered EINVAL (when its tag can be read) and skipped.
        /// </summary>
        public bool TryReceive(out SocketRequest request)
        {
            byte* record = stackalloc byte[SocketRequest.Length];
            while (_requestRing.TryRead(record))
            {
                _requestRing.Release();   // the slot is free for the client's next request at once
                if (SocketRequest.Decode(record, out request) == SocketMessageProblem.None)
                    return true;
                var refusal = new SocketCompletion { Tag = *(uint*)(record + 8), Status = (ushort)Error.Invalid };
                Complete(ref refusal);
            }
            request = default;
            return false;
        }

        /// <summary>Queues a completion (unpublished until Flush). The ring holds one per tag, so it always fits.</summary>
        public bool Complete(ref SocketCompletion completion)
        {
            byte* record = stackalloc byte[SocketCompletion.Length];
            return completion.Encode(record) && _completionRing.TryWrite(record);
        }

        /// <summary>Queues a readiness event; false when the ring is full (keep the socket marked and post it later).</summary>
        public bool TryPostEvent(ref SocketEvent change)
        {
            byte* record = stackalloc byte[SocketEvent.Length];
            return change.Encode(record) && _eventRing.TryWrite(record);
        }

        /// <summary>Publishes what was queued and wakes the client if it sleeps.</summary>
        public Error Flush()
        {
            bool completions = _completionRing.Publish();
            bool events = _eventRing.Publish();
            if (!completions && !events)
                return Error.None;
            return _client.Signal((completions ? SocketChannelLayout.CompletionBit : 0) | (events ? SocketChannelLayout.EventBit : 0));
        }

        /// <summary>Announces that the service will sleep: false if a request arrived meanwhile (do not sleep).</summary>
        public bool PrepareToSleep() => _requestRing.PrepareToSleep();

        public void FinishSleep() => _requestRing.FinishSleep();
    }
}
