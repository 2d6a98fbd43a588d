namespace Exo.Network
{
    /// <summary>
    /// Every limit and time the TCP library uses, in one place with the reason for each value. Times are milliseconds
    /// on the stack's monotonic clock.
    /// </summary>
    public static class TcpLimits
    {
        // ---- Table and buffers ----
        /// <summary>Connections (sockets, listeners, half-open and TIME-WAIT ones) one stack holds: the brief's fixed table.</summary>
        public const int DefaultConnections = 1024;
        /// <summary>The largest table a stack accepts: a handle keeps the slot in 16 bits.</summary>
        public const int MaximumConnections = 1 << 16;
        /// <summary>Buffer memory is handed out in blocks of this size (a page), contiguous per buffer.</summary>
        public const int BufferBlockSize = 4096;
        /// <summary>The smallest send or receive buffer: one block.</summary>
        public const int MinimumBufferSize = BufferBlockSize;
        /// <summary>The largest buffer (Linux's tcp_rmem/tcp_wmem maxima are 4-6 MiB): enough for 4 MiB windows.</summary>
        public const int MaximumBufferSize = 4 << 20;
        /// <summary>Defaults: 64 KiB each way fills a LAN without scaling and keeps 1024 connections within 128 MiB.</summary>
        public const int DefaultSendBufferSize = 64 << 10, DefaultReceiveBufferSize = 64 << 10;
        /// <summary>Out-of-order ranges a receive buffer remembers; a segment needing one more is dropped (the sender resends).</summary>
        public const int MaximumOutOfOrderRanges = 16;

        // ---- Segments ----
        public const int HeaderLength = 20;
        public const int MaximumHeaderLength = 60;
        /// <summary>RFC 9293 3.7.1: the MSS assumed when the peer's SYN has no MSS option.</summary>
        public const int DefaultSendMaximumSegmentSize = 536;
        /// <summary>A peer's MSS below this is raised to it (Linux's TCP_MIN_MSS 88): a tiny MSS is a resource attack.</summary>
        public const int MinimumMaximumSegmentSize = 88;
        /// <summary>The largest payload a segment built here carries (an IPv4 datagram holds 65535 bytes).</summary>
        public const int MaximumSegmentPayload = 65535 - 20 - MaximumHeaderLength;
        /// <summary>RFC 7323 2.3: the window scale shift is at most 14 (a 1 GiB window).</summary>
        public const int MaximumWindowScale = 14;
        /// <summary>SACK blocks in one segment: 3 fit beside other options (RFC 2018 3); we send no timestamps so 4 would fit, 3 is Linux's habit.</summary>
        public const int MaximumSackBlocks = 4;
        public const int SentSackBlocks = 3;

        // ---- Retransmission (RFC 6298) ----
        /// <summary>RFC 6298 2.1: the RTO before any RTT sample.</summary>
        public const int InitialRetransmissionTimeout = 1000;
        /// <summary>
        /// The RTO's floor. RFC 6298 2.4 asks for 1 s but allows less; Linux uses 200 ms (TCP_RTO_MIN) and so do we:
        /// on a LAN or a virtual link RTTs are under a millisecond, and a 1 s floor turns every tail loss into a
        /// one-second stall. 200 ms stays above the peer's delayed-ACK timer (ours is 40 ms, Linux's at most 200 ms
        /// with the RTTVAR term added), which is what the conservative floor protects against.
        /// </summary>
        public const int MinimumRetransmissionTimeout = 200;
        /// <summary>The back-off ceiling (Linux's TCP_RTO_MAX; RFC 6298 2.5 asks for at least 60 s).</summary>
        public const int MaximumRetransmissionTimeout = 120_000;
        /// <summary>Data retransmissions before the connection gives up with ETIMEDOUT (Linux's tcp_retries2: about 15 minutes).</summary>
        public const int MaximumDataRetransmissions = 15;
        /// <summary>SYN retransmissions before connect fails with ETIMEDOUT (Linux's tcp_syn_retries: 1+2+...+64 = 127 s).</summary>
        public const int MaximumSynRetransmissions = 6;
        /// <summary>SYN-ACK retransmissions before a half-open connection is dropped (Linux's tcp_synack_retries).</summary>
        public const int MaximumSynAckRetransmissions = 5;
        /// <summary>RFC 6298's clock granularity G (our clock counts milliseconds).</summary>
        public const int ClockGranularity = 1;

        // ---- Congestion control (RFC 5681, RFC 6582) ----
        /// <summary>RFC 6928's initial window of 10 segments (what Linux uses): RFC 5681's 2-4 segments cost round trips on every short transfer.</summary>
        public const int InitialWindowSegments = 10;
        /// <summary>RFC 5681 3.2: duplicate ACKs that trigger fast retransmit.</summary>
        public const int DuplicateAcknowledgmentThreshold = 3;

        // ---- Acknowledgments ----
        /// <summary>
        /// The delayed-ACK timer: RFC 1122 allows up to 500 ms and RFC 5681 asks for less; Linux starts at 40 ms
        /// (TCP_ATO_MIN), short enough not to stall a request-response exchange behind Nagle. An ACK also goes out at
        /// once for every second full-sized segment.
        /// </summary>
        public const int DelayedAcknowledgmentTimeout = 40;

        /// <summary>
        /// The least time between two ACKs answering invalid segments without data (out of window, acknowledging
        /// unsent data, RFC 5961 challenges) on one connection: two ends that disagree about the sequence numbers
        /// would otherwise answer each other's ACKs forever (an ACK storm). Linux's tcp_invalid_ratelimit.
        /// </summary>
        public const int InvalidSegmentAcknowledgmentInterval = 500;

        // ---- Persist and keepalive ----
        /// <summary>The first zero-window probe waits one RTO; probes back off to this ceiling and continue forever (RFC 1122 4.2.2.17).</summary>
        public const int MaximumPersistInterval = 60_000;
        /// <summary>The persist interval's floor (Linux's TCP_RESOURCE_PROBE_INTERVAL is 500 ms; the RTO floor suffices).</summary>
        public const int MinimumPersistInterval = MinimumRetransmissionTimeout;
        /// <summary>RFC 1122 4.2.3.6's default: two hours of idleness before probing (Linux's tcp_keepalive_time).</summary>
        public const int DefaultKeepAliveIdleSeconds = 7200;
        /// <summary>Linux's tcp_keepalive_intvl and tcp_keepalive_probes.</summary>
        public const int DefaultKeepAliveIntervalSeconds = 75, DefaultKeepAliveCount = 9;
        /// <summary>Linux's bounds for TCP_KEEPIDLE/TCP_KEEPINTVL (MAX_TCP_KEEPIDLE) and TCP_KEEPCNT (MAX_TCP_KEEPCNT).</summary>
        public const int MaximumKeepAliveSeconds = 32767, MaximumKeepAliveCount = 127;

        /// <summary>
        /// An orphan (closed by its owner) gives up after this many unanswered retransmissions or zero-window probes
        /// (Linux's tcp_orphan_retries default of 8): nobody waits for its data, and a peer that never opens its
        /// window must not hold a slot and buffers forever.
        /// </summary>
        public const int MaximumOrphanRetries = 8;

        // ---- Closing ----
        /// <summary>
        /// The maximum segment lifetime. RFC 9293 suggests 2 minutes; Linux's TIME-WAIT lasts 60 s (TCP_TIMEWAIT_LEN), i.e.
        /// an MSL of 30 s, and so does ours: segments do not live minutes in today's networks, and a 4-minute TIME-WAIT
        /// would hold a slot of the fixed table four times as long.
        /// </summary>
        public const int MaximumSegmentLifetime = 30_000;
        public const int TimeWaitDuration = 2 * MaximumSegmentLifetime;
        /// <summary>An orphan (closed by its owner) waiting in FIN-WAIT-2 for the peer's FIN is dropped after this (Linux's tcp_fin_timeout).</summary>
        public const int OrphanFinWait2Timeout = 60_000;

        // ---- Listening ----
        /// <summary>listen()'s backlog is clamped to this (Linux's SOMAXCONN is 4096; our whole table is 1024).</summary>
        public const int MaximumBacklog = 512;
        /// <summary>
        /// Half-open (SYN-RECEIVED) connections one listener keeps, and the whole stack keeps: beyond them SYNs are
        /// answered with SYN cookies (TcpSynCookies) and leave no state, so a SYN flood holds at most this many slots
        /// and no buffer memory (buffers are taken when the handshake completes) while real clients still get in.
        /// </summary>
        public const int MaximumHalfOpenPerListener = 128;
        public const int MaximumHalfOpen = 256;

        // ---- Ports ----
        /// <summary>The ephemeral range RFC 6335 names (Linux's ip_local_port_range is 32768-60999; the brief asks for this one).</summary>
        public const int FirstEphemeralPort = 49152, LastEphemeralPort = 65535;

        /// <summary>Sequence numbers advance by one every 4 microseconds of the ISN clock (RFC 9293 3.4.1, RFC 6528).</summary>
        public const int InitialSequenceTicksPerMillisecond = 250;
    }
}
