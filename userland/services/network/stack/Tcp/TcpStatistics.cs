namespace Exo.Network
{
    /// <summary>The stack's counters (the service can show them as /proc/net/snmp's Tcp line and netstat -s do).</summary>
    public sealed class TcpStatistics
    {
        public long SegmentsReceived, SegmentsSent;
        /// <summary>Dropped on input: a wrong checksum, a header or options that do not parse, a bad address.</summary>
        public long BadChecksums, MalformedSegments, BadAddresses;
        /// <summary>Segments for no connection and no listener (answered with a reset unless they were resets).</summary>
        public long NoConnection;
        public long ResetsSent, ResetsReceived;
        /// <summary>Segments outside the receive window, and ACKs for data never sent.</summary>
        public long OutOfWindow, AcknowledgmentsOfUnsent;
        /// <summary>RFC 5961 challenge ACKs sent for in-window resets and SYNs.</summary>
        public long ChallengeAcknowledgments;
        /// <summary>ACKs to invalid segments not sent because one went less than InvalidSegmentAcknowledgmentInterval before.</summary>
        public long RateLimitedAcknowledgments;
        public long OutOfOrderSegments, OutOfOrderDropped, DuplicateSegments;
        public long Retransmissions, FastRetransmissions, RetransmissionTimeouts, SackRetransmissions;
        public long DuplicateAcknowledgments;
        public long DelayedAcknowledgments, ImmediateAcknowledgments;
        public long PersistProbes, KeepAliveProbes;
        public long ActiveOpens, PassiveOpens, AttemptFails, EstablishedResets;
        /// <summary>SYNs (and cookie ACKs) dropped because the accept queue was full.</summary>
        public long ListenOverflows;
        /// <summary>SYN-ACKs sent with a cookie instead of a half-open connection; final ACKs whose cookie held, and those refused.</summary>
        public long SynCookiesSent, SynCookiesAccepted, SynCookiesRejected;
        /// <summary>Connections that could not get buffers from the pool, or a slot of the table.</summary>
        public long BufferFailures, TableFull;
        public long TimeWaitRecycled;
        public long Timeouts;
        public long IcmpErrors;
    }
}
