using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// One slot of the connection table: a socket's transmission control block (RFC 9293 3.3.1's variables), its
    /// buffers, timers and socket-level state. Slots are created once with the stack and reused; <see cref="Clear"/>
    /// puts one back to a fresh socket.
    /// </summary>
    public sealed unsafe class TcpConnection
    {
        public const long NoDeadline = long.MaxValue;
        public const int NoSlot = -1;

        public readonly int Slot;
        /// <summary>Changes whenever the slot is freed or its owner closes it, so that a stale handle is refused.</summary>
        public ushort Generation;
        public bool InUse;
        /// <summary>The owner holds a handle (false for half-open children, accepted-queue entries are owned by their listener, and orphans).</summary>
        public bool Owned;
        public TcpState State;

        // ---- Addresses ----
        public Ipv4Address LocalAddress, RemoteAddress;
        public ushort LocalPort, RemotePort;
        /// <summary>Has a local port, and is in the table's port index (set only through TcpConnectionTable.Bind).</summary>
        public bool Bound;
        public int PortNext = NoSlot, PortPrevious = NoSlot;
        /// <summary>In the 4-tuple hash (connected or connecting).</summary>
        public bool Hashed;
        public int HashNext = NoSlot;
        /// <summary>The address hash's bucket this slot was entered in (while Hashed): Remove needs no second hash.</summary>
        public int HashBucket;

        // ---- Send sequence space ----
        public uint InitialSendSequence;
        public uint SendUnacknowledged, SendNext, SendMaximum;
        /// <summary>The peer's window in bytes (scaled), and the segment that last set it (SND.WL1, SND.WL2).</summary>
        public uint SendWindow, SendWindowSequence, SendWindowAcknowledgment;
        /// <summary>The largest window the peer offered: the sender's silly-window avoidance compares with half of it.</summary>
        public uint MaximumSendWindow;
        public int SendScale;
        public int SendSegmentSize;
        /// <summary>The owner asked for a FIN (shutdown write or close); FinSent once it is in the sequence space.</summary>
        public bool FinQueued, FinSent;
        public uint FinSequence;

        // ---- Receive sequence space ----
        public uint InitialReceiveSequence;
        public uint ReceiveNext;
        /// <summary>The right edge of the window last advertised (RCV.NXT + RCV.WND then): never moved left (RFC 9293 3.8.6).</summary>
        public uint ReceiveAdvertised;
        public int ReceiveScale;
        public bool FinReceived;
        /// <summary>A FIN arrived beyond a hole: it takes effect when RCV.NXT reaches FinReceivedSequence.</summary>
        public bool FinPending;
        public uint FinReceivedSequence;

        // ---- Options negotiated ----
        public bool SackPermitted;
        public bool WindowScaling;
        /// <summary>Our SYN's MSS (what we can receive).</summary>
        public int AdvertisedSegmentSize;

        // ---- Buffers ----
        public TcpSendBuffer SendBuffer;
        public TcpReceiveBuffer ReceiveBuffer;
        public int SendBufferSize = TcpLimits.DefaultSendBufferSize;
        public int ReceiveBufferSize = TcpLimits.DefaultReceiveBufferSize;

        // ---- Retransmission and congestion ----
        public TcpRoundTripEstimator RoundTrip;
        public TcpCongestionControl Congestion;
        /// <summary>Retransmissions of the same data (or SYN) in a row; reset by progress.</summary>
        public int Retransmissions;
        /// <summary>Karn's rule: the one segment being timed (its end) and when it left; Timing false when none.</summary>
        public bool Timing;
        public uint TimedSequence;
        public long TimedAt;
        public long RetransmitDeadline { get => _retransmitDeadline; set { _retransmitDeadline = value; _timers.Note(value); } }
        private long _retransmitDeadline = NoDeadline;
        /// <summary>What the peer's SACK blocks reported it holds beyond SND.UNA.</summary>
        public TcpSackScoreboard Scoreboard;

        // ---- Acknowledgments ----
        public long DelayedAcknowledgmentDeadline { get => _delayedAcknowledgmentDeadline; set { _delayedAcknowledgmentDeadline = value; _timers.Note(value); } }
        private long _delayedAcknowledgmentDeadline = NoDeadline;
        /// <summary>Full-sized segments received since the last ACK sent.</summary>
        public int UnacknowledgedSegments;
        public bool AcknowledgeNow;
        /// <summary>In the stack's receive batch, owing an every-second-segment ACK that the batch's end sends.</summary>
        public bool AcknowledgmentHeld;
        /// <summary>When an ACK last answered an invalid segment (rate limit against ACK storms); long.MinValue when never.</summary>
        public long LastInvalidAcknowledgment = long.MinValue;

        // ---- Persist and keepalive ----
        public long PersistDeadline { get => _persistDeadline; set { _persistDeadline = value; _timers.Note(value); } }
        private long _persistDeadline = NoDeadline;
        public int PersistBackoffs;
        public bool KeepAlive;
        public int KeepAliveIdleSeconds = TcpLimits.DefaultKeepAliveIdleSeconds;
        public int KeepAliveIntervalSeconds = TcpLimits.DefaultKeepAliveIntervalSeconds;
        public int KeepAliveCount = TcpLimits.DefaultKeepAliveCount;
        public int KeepAliveProbesSent;
        public long KeepAliveDeadline { get => _keepAliveDeadline; set { _keepAliveDeadline = value; _timers.Note(value); } }
        private long _keepAliveDeadline = NoDeadline;
        public long LastReceived;

        // ---- Closing ----
        public long TimeWaitDeadline { get => _timeWaitDeadline; set { _timeWaitDeadline = value; _timers.Note(value); } }
        private long _timeWaitDeadline = NoDeadline;
        public long FinWait2Deadline { get => _finWait2Deadline; set { _finWait2Deadline = value; _timers.Note(value); } }
        private long _finWait2Deadline = NoDeadline;
        /// <summary>Every deadline set is noted there, so that the stack knows its earliest timer without scanning the table.</summary>
        private readonly TcpTimerSummary _timers;

        // ---- Socket ----
        public bool NoDelay;
        public bool ReuseAddress;
        public bool ReadShutdown, WriteShutdown;
        /// <summary>Set once the connection was synchronized: Receive returns 0 rather than NotConnected after it ends.</summary>
        public bool WasConnected;
        /// <summary>connect() was called (for EALREADY / EISCONN).</summary>
        public bool ActiveOpen;
        /// <summary>The error SO_ERROR reports and the next call returns once (ECONNREFUSED, ECONNRESET, ETIMEDOUT...).</summary>
        public Error PendingError;
        /// <summary>The hard error that ended the connection: Send gives EPIPE and Receive 0 after PendingError was read.</summary>
        public Error FatalError;
        public bool ResetReceived;
        /// <summary>An ICMP error that is not fatal by itself (host unreachable): reported if the connection then times out.</summary>
        public Error SoftError;
        /// <summary>Our FIN was acknowledged.</summary>
        public bool FinAcknowledged;

        // ---- Listening ----
        public int Backlog;
        /// <summary>The listener a child belongs to (half-open or waiting to be accepted), else NoSlot.</summary>
        public int Parent = NoSlot;
        /// <summary>Children in the listener's lists: the half-open ones and the established ones awaiting accept, oldest first.</summary>
        public int ChildNext = NoSlot;
        public int HalfOpenHead = NoSlot, HalfOpenTail = NoSlot, HalfOpenCount;
        public int AcceptHead = NoSlot, AcceptTail = NoSlot, AcceptCount;
        public bool InAcceptQueue;

        // ---- Change notification ----
        /// <summary>In the stack's changed list (kept through Clear: a freed slot stays listed and is skipped or reported harmlessly).</summary>
        public bool Changed;
        public int ChangedNext = NoSlot;

        public TcpConnection(int slot, TcpTimerSummary timers)
        {
            Slot = slot;
            _timers = timers;
        }

        /// <summary>Back to a fresh, unbound socket (the generation is the caller's).</summary>
        /// <summary>
        /// A released slot: out of use, its buffers' pointers dropped. Its other fields keep their last values until
        /// <see cref="Clear"/> (Allocate): everything that walks the slots skips one not InUse, and the id's generation
        /// and the TIME-WAIT queue's are checked with it.
        /// </summary>
        public void MarkFree()
        {
            InUse = false;
            Owned = false;
            State = TcpState.Closed;
            SendBuffer.Detach();
            ReceiveBuffer.Detach();
        }

        public void Clear()
        {
            InUse = false;
            Owned = false;
            State = TcpState.Closed;
            LocalAddress = RemoteAddress = Ipv4Address.Any;
            LocalPort = RemotePort = 0;
            Bound = Hashed = false;
            HashNext = NoSlot;
            InitialSendSequence = SendUnacknowledged = SendNext = SendMaximum = 0;
            SendWindow = SendWindowSequence = SendWindowAcknowledgment = MaximumSendWindow = 0;
            SendScale = 0;
            SendSegmentSize = TcpLimits.DefaultSendMaximumSegmentSize;
            FinQueued = FinSent = false;
            FinSequence = 0;
            InitialReceiveSequence = ReceiveNext = ReceiveAdvertised = 0;
            ReceiveScale = 0;
            FinReceived = FinPending = false;
            FinReceivedSequence = 0;
            SackPermitted = WindowScaling = false;
            AdvertisedSegmentSize = 0;
            SendBuffer.Detach();
            ReceiveBuffer.Detach();
            SendBufferSize = TcpLimits.DefaultSendBufferSize;
            ReceiveBufferSize = TcpLimits.DefaultReceiveBufferSize;
            RoundTrip.Reset();
            Congestion.Reset(TcpLimits.DefaultSendMaximumSegmentSize, 0);
            Retransmissions = 0;
            Timing = false;
            TimedSequence = 0;
            TimedAt = 0;
            RetransmitDeadline = NoDeadline;
            Scoreboard.Reset(0);
            DelayedAcknowledgmentDeadline = NoDeadline;
            UnacknowledgedSegments = 0;
            AcknowledgeNow = false;
            LastInvalidAcknowledgment = long.MinValue;
            PersistDeadline = NoDeadline;
            PersistBackoffs = 0;
            KeepAlive = false;
            KeepAliveIdleSeconds = TcpLimits.DefaultKeepAliveIdleSeconds;
            KeepAliveIntervalSeconds = TcpLimits.DefaultKeepAliveIntervalSeconds;
            KeepAliveCount = TcpLimits.DefaultKeepAliveCount;
            KeepAliveProbesSent = 0;
            KeepAliveDeadline = NoDeadline;
            LastReceived = 0;
            TimeWaitDeadline = NoDeadline;
            FinWait2Deadline = NoDeadline;
            NoDelay = ReuseAddress = false;
            ReadShutdown = WriteShutdown = false;
            WasConnected = ActiveOpen = false;
            PendingError = FatalError = Error.None;
            ResetReceived = false;
            SoftError = Error.None;
            FinAcknowledged = false;
            Backlog = 0;
            Parent = NoSlot;
            ChildNext = NoSlot;
            HalfOpenHead = HalfOpenTail = NoSlot;
            HalfOpenCount = 0;
            AcceptHead = AcceptTail = NoSlot;
            AcceptCount = 0;
            InAcceptQueue = false;
        }

        /// <summary>A listener's socket options pass to the connections it accepts (as on Linux).</summary>
        public void InheritOptions(TcpConnection listener)
        {
            NoDelay = listener.NoDelay;
            KeepAlive = listener.KeepAlive;
            KeepAliveIdleSeconds = listener.KeepAliveIdleSeconds;
            KeepAliveIntervalSeconds = listener.KeepAliveIntervalSeconds;
            KeepAliveCount = listener.KeepAliveCount;
            SendBufferSize = listener.SendBufferSize;
            ReceiveBufferSize = listener.ReceiveBufferSize;
            ReuseAddress = listener.ReuseAddress;
        }

        /// <summary>Bytes sent and not yet acknowledged (SYN and FIN count one each).</summary>
        public int Flight => (int)(SendNext - SendUnacknowledged);

        /// <summary>States in which both sides' sequence numbers are known (RFC 9293's "synchronized" states).</summary>
        public bool Synchronized => State >= TcpState.Established || State == TcpState.SynReceived;

        /// <summary>States in which data may still be sent: the owner may write (ESTABLISHED, CLOSE-WAIT).</summary>
        public bool CanSendData => State == TcpState.Established || State == TcpState.CloseWait;

        /// <summary>States in which segment payload is still accepted.</summary>
        public bool CanReceiveData => State == TcpState.Established || State == TcpState.FinWait1 || State == TcpState.FinWait2;

        /// <summary>The earliest timer of this connection.</summary>
        public long NextDeadline
        {
            get
            {
                long deadline = RetransmitDeadline;
                if (DelayedAcknowledgmentDeadline < deadline) deadline = DelayedAcknowledgmentDeadline;
                if (PersistDeadline < deadline) deadline = PersistDeadline;
                if (KeepAliveDeadline < deadline) deadline = KeepAliveDeadline;
                if (TimeWaitDeadline < deadline) deadline = TimeWaitDeadline;
                if (FinWait2Deadline < deadline) deadline = FinWait2Deadline;
                return deadline;
            }
        }
    }
}
