using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The DHCP client (RFC 2131): DISCOVER, OFFER, REQUEST, ACK, then the interface gets the lease's address, prefix,
    /// gateway and DNS server. Unanswered messages are sent again after 4 s, doubling to 64 s; a REQUEST unanswered
    /// <see cref="MaximumRequestAttempts"/> times starts over. At T1 (half the lease) the lease is renewed with the
    /// server that gave it, at T2 (7/8) with any server; at its end the address is removed and discovery starts again.
    /// It runs over the stack's UDP socket on port 68 and on the stack's timer.
    /// </summary>
    public sealed unsafe class DhcpClient : INetworkTimer
    {
        public const long InitialRetransmitMilliseconds = 4_000;
        public const long MaximumRetransmitMilliseconds = 64_000;
        public const int MaximumRequestAttempts = 4;
        /// <summary>RFC 2131 4.4.5: while renewing or rebinding, messages are no closer than 60 s.</summary>
        public const long MinimumRenewRetransmitMilliseconds = 60_000;
        /// <summary>After a NAK, discovery starts again this much later (a server that offers and then refuses cannot make a storm).</summary>
        public const long RestartDelayMilliseconds = 4_000;
        /// <summary>When the server gives no subnet mask (QEMU always does).</summary>
        public const int DefaultPrefixLength = 24;
        private const uint InfiniteLease = 0xFFFFFFFF;

        private readonly Ipv4Layer _ip;
        private readonly UdpProtocol _udp;
        private readonly IMonotonicClock _clock;
        private readonly NetworkCounters _counters;
        private readonly NetworkRandom _random;
        private readonly MacAddress _hardware;
        private readonly byte* _message;
        private int _socket = -1;
        private DhcpState _state;
        private uint _transactionId;
        private long _deadline = long.MaxValue;     // the next retransmission or lease event
        private long _retransmitInterval;
        private int _attempts;
        private Ipv4Address _offered, _server;
        private DhcpMessage _lease;
        private long _leaseStart, _renewAt, _rebindAt, _expiresAt;

        public DhcpClient(Ipv4Layer ip, UdpProtocol udp, IMonotonicClock clock, NetworkCounters counters, NetworkRandom random,
            MacAddress hardware, ref Workspace workspace)
        {
            _ip = ip;
            _udp = udp;
            _clock = clock;
            _counters = counters;
            _random = random;
            _hardware = hardware;
            _message = workspace.Take(DhcpMessage.MaximumSentLength);
        }

        public DhcpState State => _state;
        /// <summary>The last ACK's contents (address in YourAddress, options), meaningful once Bound.</summary>
        public DhcpMessage Lease => _lease;
        public long RenewAt => _renewAt;
        public long RebindAt => _rebindAt;
        public long ExpiresAt => _expiresAt;

        /// <summary>Opens port 68 and starts discovery.</summary>
        public Error Start()
        {
            if (_state != DhcpState.Stopped)
                return Error.AlreadyInProgress;
            Error error = _udp.Open(out _socket);
            if (error != Error.None)
                return error;
            error = _udp.Bind(_socket, Ipv4Address.Any, DhcpMessage.ClientPort);
            if (error == Error.None)
                error = _udp.SetBroadcast(_socket, true);
            if (error != Error.None)
            {
                _udp.Close(_socket);
                _socket = -1;
                return error;
            }
            Discover();
            return Error.None;
        }

        /// <summary>Stops the client (the interface keeps its address; no RELEASE is sent).</summary>
        public void Stop()
        {
            if (_socket >= 0)
                _udp.Close(_socket);
            _socket = -1;
            _state = DhcpState.Stopped;
            _deadline = long.MaxValue;
        }

        public long NextDeadline => _state == DhcpState.Stopped ? long.MaxValue : _deadline;

        public void Tick(long now)
        {
            ReceivePending();
            if (_state == DhcpState.Stopped || now < _deadline)
                return;
            switch (_state)
            {
                case DhcpState.Selecting:
                    SendDiscover(now);
                    break;
                case DhcpState.Requesting:
                    if (_attempts >= MaximumRequestAttempts)
                        Discover();
                    else
                        SendRequest(now);
                    break;
                case DhcpState.Bound:
                case DhcpState.Renewing:
                case DhcpState.Rebinding:
                    LeaseTimer(now);
                    break;
            }
        }

        /// <summary>Handles whatever arrived on port 68 (the stack calls this after each frame and on every tick).</summary>
        public void ReceivePending()
        {
            if (_socket < 0)
                return;
            while (_udp.ReceiveFrom(_socket, _message, DhcpMessage.MaximumSentLength, out int length, out int whole, out Ipv4Address source, out ushort port) == Error.None)
            {
                if (port != DhcpMessage.ServerPort || whole > length || DhcpMessage.Parse(_message, length, out DhcpMessage message) != Error.None)
                {
                    _counters.Increment(NetworkCounter.DhcpMalformed);
                    continue;
                }
                if (message.TransactionId != _transactionId || message.ClientHardware != _hardware)
                    continue;
                Handle(ref message);
            }
        }

        private void Handle(ref DhcpMessage message)
        {
            long now = _clock.NowMilliseconds;
            if (_state == DhcpState.Selecting && message.MessageType == DhcpMessage.Offer)
            {
                if (message.YourAddress.IsAny || message.ServerIdentifier.IsAny)
                    return;
                _offered = message.YourAddress;
                _server = message.ServerIdentifier;
                _state = DhcpState.Requesting;
                _attempts = 0;
                _retransmitInterval = InitialRetransmitMilliseconds;
                SendRequest(now);
                return;
            }
            bool requesting = _state == DhcpState.Requesting || _state == DhcpState.Renewing || _state == DhcpState.Rebinding;
            if (!requesting)
                return;
            if (message.MessageType == DhcpMessage.NegativeAcknowledge)
            {
                _ip.Configure(default);
                DiscoverLater(now + RestartDelayMilliseconds);
                return;
            }
            if (message.MessageType != DhcpMessage.Acknowledge || message.YourAddress.IsAny)
                return;
            int prefix = message.PrefixLength >= 0 ? message.PrefixLength : DefaultPrefixLength;
            Ipv4Address gateway = message.Router.SameNetwork(message.YourAddress, prefix) ? message.Router : Ipv4Address.Any;
            if (_ip.Configure(new InterfaceConfiguration(message.YourAddress, prefix, gateway, message.DnsServer)) != Error.None)
            {
                _counters.Increment(NetworkCounter.DhcpMalformed);
                return;
            }
            _lease = message;
            if (!message.ServerIdentifier.IsAny)
                _server = message.ServerIdentifier;
            _state = DhcpState.Bound;
            _leaseStart = now;
            if (message.LeaseSeconds == InfiniteLease || message.LeaseSeconds == 0)
            {
                _renewAt = _rebindAt = _expiresAt = long.MaxValue;
            }
            else
            {
                long lease = message.LeaseSeconds * 1000L;
                long renew = message.RenewalSeconds != 0 && message.RenewalSeconds < message.LeaseSeconds ? message.RenewalSeconds * 1000L : lease / 2;
                long rebind = message.RebindingSeconds != 0 && message.RebindingSeconds < message.LeaseSeconds ? message.RebindingSeconds * 1000L : lease * 7 / 8;
                if (rebind < renew)
                    rebind = renew;
                _renewAt = now + renew;
                _rebindAt = now + rebind;
                _expiresAt = now + lease;
            }
            _deadline = _renewAt;
        }

        private void LeaseTimer(long now)
        {
            if (now >= _expiresAt)
            {
                // The lease ran out: the address is no longer ours.
                _ip.Configure(default);
                Discover();
                return;
            }
            if (now >= _rebindAt)
                _state = DhcpState.Rebinding;
            else if (_state == DhcpState.Bound)
            {
                _state = DhcpState.Renewing;
                _transactionId = (uint)_random.Next();
            }
            // Renewing: unicast to the lease's server; rebinding: broadcast to any. Both with ciaddr set and no options 50/54.
            Ipv4Address address = _ip.LocalAddress;
            int length = DhcpMessage.Build(_message, DhcpMessage.Request, _transactionId, _hardware, address, Ipv4Address.Any, Ipv4Address.Any, false);
            Ipv4Address destination = _state == DhcpState.Renewing ? _server : Ipv4Address.Broadcast;
            _udp.SendTo(_socket, _message, length, destination, DhcpMessage.ServerPort);
            long limit = _state == DhcpState.Renewing ? _rebindAt : _expiresAt;
            long wait = (limit - now) / 2;
            if (wait < MinimumRenewRetransmitMilliseconds)
                wait = MinimumRenewRetransmitMilliseconds;
            _deadline = now + wait < limit ? now + wait : limit;
        }

        private void Discover()
        {
            long now = _clock.NowMilliseconds;
            DiscoverLater(now);
            SendDiscover(now);
        }

        /// <summary>Back to Selecting with the first DISCOVER sent only at 'when' (after a NAK).</summary>
        private void DiscoverLater(long when)
        {
            _state = DhcpState.Selecting;
            _transactionId = (uint)_random.Next();
            _retransmitInterval = InitialRetransmitMilliseconds;
            _offered = Ipv4Address.Any;
            _server = Ipv4Address.Any;
            _deadline = when;
        }

        private void SendDiscover(long now)
        {
            int length = DhcpMessage.Build(_message, DhcpMessage.Discover, _transactionId, _hardware, Ipv4Address.Any, Ipv4Address.Any, Ipv4Address.Any, true);
            _udp.SendTo(_socket, _message, length, Ipv4Address.Broadcast, DhcpMessage.ServerPort);
            ScheduleRetransmit(now);
        }

        private void SendRequest(long now)
        {
            _attempts++;
            int length = DhcpMessage.Build(_message, DhcpMessage.Request, _transactionId, _hardware, Ipv4Address.Any, _offered, _server, true);
            _udp.SendTo(_socket, _message, length, Ipv4Address.Broadcast, DhcpMessage.ServerPort);
            ScheduleRetransmit(now);
        }

        /// <summary>The next retransmission: the interval doubles each time up to 64 s (RFC 2131 4.1), less up to a second of jitter.</summary>
        private void ScheduleRetransmit(long now)
        {
            _deadline = now + _retransmitInterval - (long)(_random.Next() % 1000);
            _retransmitInterval = _retransmitInterval * 2 > MaximumRetransmitMilliseconds ? MaximumRetransmitMilliseconds : _retransmitInterval * 2;
        }
    }
}
