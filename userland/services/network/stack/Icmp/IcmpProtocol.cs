using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// ICMP (RFC 792, RFC 1122 3.2.2): echo requests are answered; echo requests the stack sends (for ping) are matched
    /// with their replies by identifier in a small queue; destination unreachable errors are sent for datagrams no
    /// transport wanted, at most <see cref="ErrorBurst"/> at once and one every <see cref="ErrorIntervalMilliseconds"/>
    /// after that; errors received go to the transport of the datagram they quote.
    /// </summary>
    public sealed unsafe class IcmpProtocol : IIpProtocolHandler
    {
        public const byte TypeEchoReply = 0, TypeDestinationUnreachable = 3, TypeEchoRequest = 8, TypeTimeExceeded = 11, TypeParameterProblem = 12;
        public const byte CodeNetworkUnreachable = 0, CodeHostUnreachable = 1, CodeProtocolUnreachable = 2, CodePortUnreachable = 3, CodeFragmentationNeeded = 4;
        public const byte CodeTimeToLiveExceeded = 0, CodeReassemblyTimeExceeded = 1;
        public const int HeaderLength = 8;
        /// <summary>An ICMP error quotes the datagram's header and this many bytes of its payload (RFC 792; enough for ports).</summary>
        public const int QuotedPayloadBytes = 8;
        /// <summary>Answers for ping waiting to be read; past it the oldest is dropped and counted.</summary>
        public const int EchoQueueCapacity = 32;
        public const int ErrorBurst = 10;
        public const long ErrorIntervalMilliseconds = 100;
        /// <summary>The largest ICMP message built (an echo reply to a reassembled 64 KiB request).</summary>
        public const int MaximumMessage = Ipv4Header.MaximumDatagram - Ipv4Header.MinimumLength;

        private readonly Ipv4Layer _ip;
        private readonly IMonotonicClock _clock;
        private readonly NetworkCounters _counters;
        private readonly byte* _message;
        private readonly RawIcmpSockets _raw;
        private readonly PingSockets _ping;
        private readonly IcmpEchoReply[] _echoes = new IcmpEchoReply[EchoQueueCapacity];
        private int _echoHead, _echoCount;
        private int _errorTokens = ErrorBurst;
        private long _lastRefill;

        public IcmpProtocol(Ipv4Layer ip, IMonotonicClock clock, NetworkCounters counters, ref Workspace workspace)
        {
            _ip = ip;
            _clock = clock;
            _counters = counters;
            _message = workspace.Take(MaximumMessage);
            _raw = new RawIcmpSockets(ip, counters, ref workspace);
            _ping = new PingSockets(ip, counters, ref workspace);
            ip.AttachIcmp(this);
        }

        public byte Protocol => IpProtocol.Icmp;

        /// <summary>The raw ICMP sockets (ping's), which see every ICMP message this host receives.</summary>
        public RawIcmpSockets RawSockets => _raw;

        /// <summary>The ICMP datagram sockets (Linux's ping sockets), which get the echo replies carrying their identifiers.</summary>
        public PingSockets PingSockets => _ping;

        public static long WorkspaceBytes => MaximumMessage + RawIcmpSockets.WorkspaceBytes + PingSockets.WorkspaceBytes;

        public void Receive(Ipv4Address source, Ipv4Address destination, byte* payload, int length)
        {
            _counters.Increment(NetworkCounter.IcmpReceived);
            // Raw sockets see every message, before ICMP itself looks at it (Linux's raw_local_deliver).
            if (_ip.TryGetDeliveringHeader(out byte* header, out int headerLength))
                _raw.Deliver(header, headerLength, payload, length);
            if (length < HeaderLength)
            {
                _counters.Increment(NetworkCounter.IcmpDropMalformed);
                return;
            }
            if (InternetChecksum.Compute(payload, length) != 0)
            {
                _counters.Increment(NetworkCounter.IcmpDropChecksum);
                return;
            }
            byte type = payload[0];
            switch (type)
            {
                case TypeEchoRequest:
                    // Echo requests to broadcast or multicast addresses are ignored (RFC 1122 3.2.2.6 permits it; Linux's default).
                    // Only requests to our own address are answered (unconfigured, the IP layer lets everything in for DHCP).
                    if (destination != _ip.LocalAddress && !destination.IsLoopback)
                        return;
                    PacketBytes.Copy(payload, _message, length);
                    _message[0] = TypeEchoReply;
                    _message[1] = 0;
                    WriteChecksum(_message, length);
                    if (_ip.Send(IpProtocol.Icmp, destination, source, _message, length) == Error.None)
                        _counters.Increment(NetworkCounter.IcmpEchoRepliesSent);
                    return;
                case TypeEchoReply:
                    _counters.Increment(NetworkCounter.IcmpEchoRepliesReceived);
                    _ping.Deliver(source, destination, payload, length);
                    RecordEcho(IcmpEchoOutcome.Reply, source, NetworkOrder.ReadUInt16(payload + 4), NetworkOrder.ReadUInt16(payload + 6), length - HeaderLength);
                    return;
                case TypeDestinationUnreachable:
                case TypeTimeExceeded:
                case TypeParameterProblem:
                    ReceiveErrorMessage(source, type, payload[1], payload + HeaderLength, length - HeaderLength);
                    return;
                default:
                    return;   // timestamps, redirects, router advertisements: not used by a host without forwarding
            }
        }

        private void ReceiveErrorMessage(Ipv4Address reporter, byte type, byte code, byte* quoted, int length)
        {
            // The quoted datagram: a whole IPv4 header and at least 8 bytes of its payload.
            if (length < Ipv4Header.MinimumLength || Ipv4Header.Version(quoted) != 4)
            {
                _counters.Increment(NetworkCounter.IcmpDropMalformed);
                return;
            }
            int headerLength = Ipv4Header.HeaderLength(quoted);
            if (headerLength < Ipv4Header.MinimumLength || headerLength + QuotedPayloadBytes > length)
            {
                _counters.Increment(NetworkCounter.IcmpDropMalformed);
                return;
            }
            _counters.Increment(NetworkCounter.IcmpErrorsReceived);
            IcmpErrorKind kind = type == TypeTimeExceeded ? IcmpErrorKind.TimeExceeded
                : type == TypeParameterProblem ? IcmpErrorKind.ParameterProblem
                : code == CodePortUnreachable ? IcmpErrorKind.PortUnreachable
                : code == CodeProtocolUnreachable ? IcmpErrorKind.ProtocolUnreachable
                : code == CodeFragmentationNeeded ? IcmpErrorKind.FragmentationNeeded
                : IcmpErrorKind.HostUnreachable;
            byte protocol = Ipv4Header.Protocol(quoted);
            byte* quotedPayload = quoted + headerLength;
            int quotedLength = length - headerLength;
            if (protocol == IpProtocol.Icmp)
            {
                if (quotedPayload[0] == TypeEchoRequest)
                    RecordEcho(kind == IcmpErrorKind.TimeExceeded ? IcmpEchoOutcome.TimeExceeded : IcmpEchoOutcome.Unreachable, reporter,
                        NetworkOrder.ReadUInt16(quotedPayload + 4), NetworkOrder.ReadUInt16(quotedPayload + 6), 0);
                return;
            }
            IIpProtocolHandler handler = _ip.HandlerFor(protocol);
            if (handler != null)
                handler.ReceiveError(kind, Ipv4Header.Source(quoted), Ipv4Header.Destination(quoted), quotedPayload, quotedLength);
        }

        /// <summary>An echo request of ours ARP gave up on: ping hears "unreachable".</summary>
        public void ReceiveError(IcmpErrorKind kind, Ipv4Address quotedSource, Ipv4Address quotedDestination, byte* quotedPayload, int length)
        {
            if (length >= HeaderLength && quotedPayload[0] == TypeEchoRequest)
                RecordEcho(kind == IcmpErrorKind.TimeExceeded ? IcmpEchoOutcome.TimeExceeded : IcmpEchoOutcome.Unreachable, quotedDestination,
                    NetworkOrder.ReadUInt16(quotedPayload + 4), NetworkOrder.ReadUInt16(quotedPayload + 6), 0);
        }

        /// <summary>Sends an echo request carrying 'length' bytes of 'data' (ping's identifier, sequence and payload).</summary>
        public Error SendEcho(Ipv4Address destination, ushort identifier, ushort sequence, byte* data, int length)
        {
            if (length < 0 || length > MaximumMessage - HeaderLength || (data == null && length != 0))
                return Error.MessageTooLong;
            _message[0] = TypeEchoRequest;
            _message[1] = 0;
            NetworkOrder.WriteUInt16(_message + 4, identifier);
            NetworkOrder.WriteUInt16(_message + 6, sequence);
            PacketBytes.Copy(data, _message + HeaderLength, length);
            WriteChecksum(_message, HeaderLength + length);
            Error error = _ip.Send(IpProtocol.Icmp, Ipv4Address.Any, destination, _message, HeaderLength + length);
            if (error == Error.None)
                _counters.Increment(NetworkCounter.IcmpEchoRequestsSent);
            return error;
        }

        /// <summary>The oldest answer to an echo request with 'identifier' (the ping's), removed from the queue.</summary>
        public bool TryReceiveEcho(ushort identifier, out IcmpEchoReply reply)
        {
            for (int i = 0; i < _echoCount; i++)
            {
                int slot = (_echoHead + i) % EchoQueueCapacity;
                if (_echoes[slot].Identifier != identifier)
                    continue;
                reply = _echoes[slot];
                // Close the gap: later entries move one place toward the head.
                for (int j = i; j > 0; j--)
                    _echoes[(_echoHead + j) % EchoQueueCapacity] = _echoes[(_echoHead + j - 1) % EchoQueueCapacity];
                _echoHead = (_echoHead + 1) % EchoQueueCapacity;
                _echoCount--;
                return true;
            }
            reply = default;
            return false;
        }

        /// <summary>
        /// Sends destination unreachable ('code') about the datagram being delivered now (a transport calls this from
        /// Receive): nothing for broadcasts, fragments past the first or ICMP errors, and at most the rate limit allows.
        /// </summary>
        public void SendDestinationUnreachable(byte code)
        {
            if (_ip.TryGetDelivering(out byte* header, out int headerLength, out byte* payload, out int payloadLength))
                SendError(TypeDestinationUnreachable, code, header, headerLength, payload, payloadLength);
        }

        /// <summary>Sends time exceeded ('code') about a datagram given by its header and first payload bytes (reassembly gave up on it).</summary>
        public void SendTimeExceeded(byte code, byte* header, int headerLength, byte* payload, int payloadLength)
        {
            if (_ip.IsOwnAddress(Ipv4Header.Destination(header)) && !Ipv4Header.Source(header).IsAny)
                SendError(TypeTimeExceeded, code, header, headerLength, payload, payloadLength);
        }

        private void SendError(byte type, byte code, byte* header, int headerLength, byte* payload, int payloadLength)
        {
            // Never an error about an ICMP error (RFC 1122 3.2.2): only echo requests and replies may be quoted.
            if (Ipv4Header.Protocol(header) == IpProtocol.Icmp && (payloadLength < 1 || (payload[0] != TypeEchoRequest && payload[0] != TypeEchoReply)))
                return;
            if (!TakeErrorToken())
            {
                _counters.Increment(NetworkCounter.IcmpErrorsRateLimited);
                return;
            }
            int quotedPayload = payloadLength < QuotedPayloadBytes ? payloadLength : QuotedPayloadBytes;
            _message[0] = type;
            _message[1] = code;
            NetworkOrder.WriteUInt32(_message + 4, 0);
            PacketBytes.Copy(header, _message + HeaderLength, headerLength);
            PacketBytes.Copy(payload, _message + HeaderLength + headerLength, quotedPayload);
            int length = HeaderLength + headerLength + quotedPayload;
            WriteChecksum(_message, length);
            if (_ip.Send(IpProtocol.Icmp, Ipv4Header.Destination(header), Ipv4Header.Source(header), _message, length) == Error.None)
                _counters.Increment(NetworkCounter.IcmpErrorsSent);
        }

        private bool TakeErrorToken()
        {
            long now = _clock.NowMilliseconds;
            long earned = (now - _lastRefill) / ErrorIntervalMilliseconds;
            if (earned > 0)
            {
                _errorTokens = earned >= ErrorBurst || _errorTokens + earned >= ErrorBurst ? ErrorBurst : _errorTokens + (int)earned;
                _lastRefill += earned * ErrorIntervalMilliseconds;
            }
            if (_errorTokens == 0)
                return false;
            _errorTokens--;
            return true;
        }

        private void RecordEcho(IcmpEchoOutcome outcome, Ipv4Address source, ushort identifier, ushort sequence, int dataLength)
        {
            if (_echoCount == EchoQueueCapacity)
            {
                // The oldest answer goes: nobody read it (its ping may be gone), and a stale queue must not starve a new ping.
                _counters.Increment(NetworkCounter.IcmpEchoReplyQueueFull);
                _echoHead = (_echoHead + 1) % EchoQueueCapacity;
                _echoCount--;
            }
            ref IcmpEchoReply entry = ref _echoes[(_echoHead + _echoCount) % EchoQueueCapacity];
            entry.Outcome = outcome;
            entry.Source = source;
            entry.Identifier = identifier;
            entry.Sequence = sequence;
            entry.DataLength = dataLength;
            entry.ReceivedAt = _clock.NowMilliseconds;
            _echoCount++;
        }

        private static void WriteChecksum(byte* message, int length)
        {
            message[2] = 0;
            message[3] = 0;
            NetworkOrder.WriteUInt16(message + 2, InternetChecksum.Compute(message, length));
        }
    }
}
