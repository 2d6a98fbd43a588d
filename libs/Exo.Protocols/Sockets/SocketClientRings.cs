using Exo.Protocols.Rings;

namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// A socket channel's client side of its rings (<see cref="SocketChannelLayout"/>): it produces requests and consumes
    /// completions and events. Shared by the kernel's end (POSIX-X, which reaches each ring through the direct map of its
    /// page) and exo_std's (a native program, through its mapping). The service lays the rings out: they are attached only
    /// with the shapes this protocol fixes, so a service cannot make a client read or write outside each ring's page.
    /// </summary>
    public unsafe struct SocketClientRings
    {
        public SpscProducer Requests;
        public SpscConsumer Completions, Events;

        /// <summary>Attaches the three rings (each at the start of its own page's mapping); false if any has another shape.</summary>
        public bool Attach(byte* requests, byte* completions, byte* events)
            => HasShape(requests, SocketChannelLayout.MaximumInFlight, SocketRequest.Length)
               && HasShape(completions, SocketChannelLayout.MaximumInFlight, SocketCompletion.Length)
               && HasShape(events, SocketChannelLayout.EventSlots, SocketEvent.Length)
               && Requests.Attach(requests) && Completions.Attach(completions) && Events.Attach(events)
               && Requests.Capacity == SocketChannelLayout.MaximumInFlight && Completions.Capacity == SocketChannelLayout.MaximumInFlight
               && Events.Capacity == SocketChannelLayout.EventSlots;

        private static bool HasShape(byte* ring, int slots, int slotSize)
            => SpscRing.IsValid(ring) && ((SpscRingHeader*)ring)->SlotCount == (uint)slots && ((SpscRingHeader*)ring)->SlotSize == (uint)slotSize;

        /// <summary>Encodes 'request' into the request ring and publishes it: false (nothing written) when the ring is full or
        /// the request breaks a rule; 'wake' says whether the service sleeps and must be signalled (RequestBit).</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // Encode writes the whole record before it is read
        public bool TrySend(ref SocketRequest request, out bool wake)
        {
            wake = false;
            byte* record = stackalloc byte[SocketRequest.Length];
            if (!request.Encode(record) || !Requests.TryWrite(record))
                return false;
            wake = Requests.Publish();
            return true;
        }
    }
}
