namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// The socket protocol's channel between one client (POSIX-X in the kernel, or a native program through
    /// exo_std) and the network service: one memory object holding three single-producer single-consumer rings of
    /// fixed-size records and a data area.
    /// <list type="bullet">
    /// <item>requests, client to service (<see cref="SocketRequest"/>); the client serialises its producers;</item>
    /// <item>completions, service to client (<see cref="SocketCompletion"/>), each naming its request's tag, in any
    /// order;</item>
    /// <item>readiness events, service to client (<see cref="SocketEvent"/>): a socket's whole readiness each time
    /// it changes. The service never drops one: it marks a socket whose event did not fit and sends it when the
    /// ring has room, so the latest readiness always arrives.</item>
    /// </list>
    /// The service never blocks on a request: an operation that would wait answers WouldBlock (or InProgress for
    /// connect) and the client waits for the socket's next readiness event, then asks again. The service re-evaluates a
    /// socket's readiness after every request and every change in the stack and sends an event whenever it differs
    /// from the last one sent, so a condition that made it answer WouldBlock always ends with an event. Blocking, non-blocking,
    /// poll, select and epoll are the client's, and a request is in flight only while the service works on it.
    /// Each tag owns one data slot (<see cref="DataOffsetOf"/>): the bytes a send carries, a receive's bytes, an
    /// option's value. Notifications: the client signals <see cref="RequestBit"/> after publishing requests, the
    /// service <see cref="CompletionBit"/> after completions and <see cref="EventBit"/> after events, each only
    /// when the ring's consumer said it sleeps.
    /// </summary>
    public static class SocketChannelLayout
    {
        /// <summary>A ring's shared header (the SPSC ring convention: magic, slot count and size, tail, head, sleep flags).</summary>
        public const int RingHeaderSize = 320;

        /// <summary>Requests in flight at once, and so data slots: the client's processors making calls at the same time.
        /// The request and completion rings hold this many, so neither can be full when a tag is free.</summary>
        public const int MaximumInFlight = 32;
        /// <summary>The most one send or receive moves: larger calls are split by the client.</summary>
        public const int DataSlotSize = 65536;
        /// <summary>Readiness events the ring holds before the service keeps them back (coalesced per socket).</summary>
        public const int EventSlots = 128;

        // Each ring (header and slots) lies within one page, so the kernel reaches it through the direct map of
        // that page alone (the memory object's pages need not be contiguous).
        public const int RequestRingOffset = 0;
        public const int CompletionRingOffset = 4096;
        public const int EventRingOffset = 8192;
        public const int DataOffset = 16384;
        public const int Size = DataOffset + MaximumInFlight * DataSlotSize;

        public const ulong RequestBit = 1, CompletionBit = 1, EventBit = 2;
        /// <summary>The kernel signals it on the service's notification when a native channel's <see cref="ClientStateOffset"/>
        /// changes (claimed by a program, or that program ended).</summary>
        public const ulong ClientStateBit = 1UL << 16;

        /// <summary>A native channel's client state (u32, written by the kernel): in the request ring's page, after its slots.</summary>
        public const int ClientStateOffset = RequestRingOffset + 4032;
        public const uint ClientOffered = 0, ClientClaimed = 1, ClientGone = 2;

        /// <summary>Where a tag's data slot starts in the memory object.</summary>
        public static int DataOffsetOf(uint tag) => DataOffset + (int)(tag % MaximumInFlight) * DataSlotSize;
    }
}
