using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The IPv4 layer (RFC 791, RFC 1122 3.2-3.3) of a host with one Ethernet interface and the loopback interface.
    /// Receiving: the header is validated (version, header length, total length against the frame, checksum, TTL),
    /// options are skipped, fragments are reassembled, and the payload goes by protocol number to a registered
    /// <see cref="IIpProtocolHandler"/> (an unknown protocol gets ICMP protocol unreachable). Sending
    /// (<see cref="IIpTransmitter"/>): the route is the interface's subnet directly, else the default gateway; the
    /// source address is the interface's; datagrams past the MTU are fragmented; the next hop is resolved by ARP.
    /// </summary>
    public sealed unsafe class Ipv4Layer : IIpTransmitter, IArpOwner, INetworkTimer
    {
        public const int MaximumHandlers = 8;
        public const byte DefaultTimeToLive = 64;
        /// <summary>RFC 791's minimum MTU: a link reporting less is treated as having 68.</summary>
        public const int MinimumMtu = 68;
        /// <summary>Loopback datagrams received per Poll, so that a ping to ourselves cannot keep Poll busy forever.</summary>
        public const int LoopbackBatch = LoopbackQueue.Capacity;

        private enum RouteKind { Local, Broadcast, Multicast, Gateway, Direct }

        private readonly FrameTransmitter _frames;
        private readonly NetworkCounters _counters;
        private readonly ArpCache _arp;
        private readonly FragmentReassembly _reassembly;
        private readonly LoopbackQueue _loopback;
        private readonly IIpProtocolHandler[] _handlers = new IIpProtocolHandler[MaximumHandlers];
        // The handlers by protocol number, filled at Register: HandlerFor runs for every datagram and is one load.
        private readonly IIpProtocolHandler[] _handlerByProtocol = new IIpProtocolHandler[256];
        private readonly byte* _datagram;
        private InterfaceConfiguration _configuration;
        private ushort _identification;
        private IcmpProtocol _icmp;
        // The datagram being delivered to a transport, which an ICMP error sent during delivery quotes.
        private byte* _deliveringHeader;
        private int _deliveringHeaderLength;
        private byte* _deliveringPayload;
        private int _deliveringPayloadLength;

        public Ipv4Layer(FrameTransmitter frames, NetworkCounters counters, ArpCache arp,
            FragmentReassembly reassembly, LoopbackQueue loopback, ushort firstIdentification, ref Workspace workspace)
        {
            _frames = frames;
            _counters = counters;
            _arp = arp;
            _reassembly = reassembly;
            _loopback = loopback;
            _identification = firstIdentification;
            _datagram = workspace.Take(EthernetFrame.MaximumPayload);
            arp.Attach(this);
        }

        private readonly StaticRoutes _routes = new StaticRoutes();
        private bool _administrativelyDown;

        public InterfaceConfiguration Configuration => _configuration;

        /// <summary>The routes added by hand (besides the subnet's and the default route).</summary>
        public StaticRoutes Routes => _routes;

        /// <summary>Whether the interface is up (IFF_UP): down, nothing leaves or arrives on the card and only loopback routes.</summary>
        public bool InterfaceUp => !_administrativelyDown;

        /// <summary>
        /// Takes the card up or down (ifconfig eth0 down, ip link set). Down, as Linux, forgets the routes through it (the
        /// default route and the static ones; the subnet's comes back with the address when it is up again) and its ARP cache.
        /// </summary>
        public void SetInterfaceUp(bool up)
        {
            if (up == InterfaceUp)
                return;
            _administrativelyDown = !up;
            _frames.Enabled = up;
            if (!up)
            {
                _configuration.Gateway = Ipv4Address.Any;
                _routes.Clear();
                _arp.Flush();
            }
            else if (_configuration.IsConfigured)
                _arp.Announce();
        }
        public Ipv4Address LocalAddress => _configuration.Address;

        /// <summary>Sets the interface's address, prefix, gateway and DNS server (Any address: unconfigured).</summary>
        public Error Configure(InterfaceConfiguration configuration)
        {
            if (!configuration.IsValid)
                return Error.Invalid;
            bool addressChanged = configuration.Address != _configuration.Address || configuration.PrefixLength != _configuration.PrefixLength;
            _configuration = configuration;
            if (addressChanged)
            {
                _routes.KeepReachable(configuration.Address, configuration.PrefixLength);
                _arp.Flush();
                _arp.Announce();
            }
            return Error.None;
        }

        internal void AttachIcmp(IcmpProtocol icmp) { _icmp = icmp; }

        public Error Register(IIpProtocolHandler handler)
        {
            if (handler == null)
                return Error.Invalid;
            int free = -1;
            for (int i = 0; i < MaximumHandlers; i++)
            {
                if (_handlers[i] != null && _handlers[i].Protocol == handler.Protocol)
                    return Error.AlreadyExists;
                if (_handlers[i] == null && free < 0)
                    free = i;
            }
            if (free < 0)
                return Error.OutOfMemory;
            _handlers[free] = handler;
            _handlerByProtocol[handler.Protocol] = handler;
            return Error.None;
        }

        public IIpProtocolHandler HandlerFor(byte protocol) => _handlerByProtocol[protocol];

        // ---- Receiving ----

        /// <summary>An IPv4 datagram from the link ('length' bytes after the Ethernet header, padding included) or from loopback.</summary>
        public void Receive(byte* datagram, int length, bool fromLoopback)
        {
            _counters.Increment(NetworkCounter.IpReceived);
            if (length < Ipv4Header.MinimumLength || Ipv4Header.Version(datagram) != 4)
            {
                _counters.Increment(NetworkCounter.IpDropHeader);
                return;
            }
            int headerLength = Ipv4Header.HeaderLength(datagram);
            if (headerLength < Ipv4Header.MinimumLength || headerLength > length)
            {
                _counters.Increment(NetworkCounter.IpDropHeader);
                return;
            }
            // A datagram from loopback was written by Send in this process: its checksum is known good (Linux's loopback
            // likewise marks what it carries as checked).
            if (!fromLoopback && (headerLength == Ipv4Header.MinimumLength ? InternetChecksum.ComputeMinimumHeader(datagram)
                    : InternetChecksum.Compute(datagram, headerLength)) != 0)
            {
                _counters.Increment(NetworkCounter.IpDropChecksum);
                return;
            }
            int totalLength = Ipv4Header.TotalLength(datagram);
            if (totalLength < headerLength || totalLength > length)
            {
                _counters.Increment(NetworkCounter.IpDropLength);
                return;
            }
            // A host never forwards, so TTL only matters at 0, which no router may pass on (RFC 1122 3.2.1.7).
            if (Ipv4Header.TimeToLive(datagram) == 0)
            {
                _counters.Increment(NetworkCounter.IpDropTimeToLive);
                return;
            }
            Ipv4Address source = Ipv4Header.Source(datagram), destination = Ipv4Header.Destination(datagram);
            // No datagram from the wire claims a loopback address, or ours (RFC 1122 3.2.1.3's martians).
            if (source.IsMulticast || source.IsLimitedBroadcast
                || (!fromLoopback && (source.IsLoopback || destination.IsLoopback || (_configuration.IsConfigured && source == _configuration.Address))))
            {
                _counters.Increment(NetworkCounter.IpDropMartianSource);
                return;
            }
            if (!fromLoopback && !AcceptsDestination(destination))
            {
                _counters.Increment(NetworkCounter.IpDropNotForUs);
                return;
            }

            ushort flagsAndOffset = Ipv4Header.FlagsAndOffset(datagram);
            int offset = (flagsAndOffset & Ipv4Header.OffsetMask) * 8;
            bool moreFragments = (flagsAndOffset & Ipv4Header.FlagMoreFragments) != 0;
            byte* payload = datagram + headerLength;
            int payloadLength = totalLength - headerLength;
            if (offset == 0 && !moreFragments)
            {
                Deliver(datagram, headerLength, payload, payloadLength);
                return;
            }
            if (_reassembly.Add(datagram, headerLength, payload, payloadLength, offset, moreFragments,
                    out int slot, out byte* whole, out int wholeLength, out byte* firstHeader, out int firstHeaderLength))
            {
                Deliver(firstHeader, firstHeaderLength, whole, wholeLength);
                _reassembly.Release(slot);
            }
        }

        private bool AcceptsDestination(Ipv4Address destination)
        {
            // Unconfigured, DHCP's replies come to the offered address before it is ours.
            if (!_configuration.IsConfigured)
                return true;
            return destination == _configuration.Address || destination.IsLimitedBroadcast || destination.IsMulticast
                || destination == _configuration.SubnetBroadcast;
        }

        private void Deliver(byte* header, int headerLength, byte* payload, int length)
        {
            byte protocol = Ipv4Header.Protocol(header);
            Ipv4Address source = Ipv4Header.Source(header), destination = Ipv4Header.Destination(header);
            _deliveringHeader = header;
            _deliveringHeaderLength = headerLength;
            _deliveringPayload = payload;
            _deliveringPayloadLength = length;
            IIpProtocolHandler handler = HandlerFor(protocol);
            if (handler == null)
            {
                _counters.Increment(NetworkCounter.IpDropUnknownProtocol);
                if (_icmp != null)
                    _icmp.SendDestinationUnreachable(IcmpProtocol.CodeProtocolUnreachable);
            }
            else
            {
                _counters.Increment(NetworkCounter.IpDelivered);
                handler.Receive(source, destination, payload, length);
            }
            _deliveringHeader = null;
        }

        /// <summary>
        /// The datagram being delivered right now (its header and payload), for an ICMP error sent from inside
        /// IIpProtocolHandler.Receive. False outside a delivery, or when the datagram was not to this host's own
        /// address (a broadcast, multicast, or while unconfigured anything), a non-initial fragment's, or from a source
        /// no error may go to (RFC 1122 3.2.2).
        /// </summary>
        internal bool TryGetDelivering(out byte* header, out int headerLength, out byte* payload, out int payloadLength)
        {
            header = _deliveringHeader;
            headerLength = _deliveringHeaderLength;
            payload = _deliveringPayload;
            payloadLength = _deliveringPayloadLength;
            if (header == null)
                return false;
            Ipv4Address destination = Ipv4Header.Destination(header), source = Ipv4Header.Source(header);
            return IsOwnAddress(destination) && !source.IsAny && (Ipv4Header.FlagsAndOffset(header) & Ipv4Header.OffsetMask) == 0;
        }

        /// <summary>The header of the datagram being delivered right now, whatever its destination (for raw sockets).</summary>
        internal bool TryGetDeliveringHeader(out byte* header, out int headerLength)
        {
            header = _deliveringHeader;
            headerLength = _deliveringHeaderLength;
            return header != null;
        }

        /// <summary>Whether 'address' is this host's own unicast address (loopback included): the only ones ICMP errors are sent about.</summary>
        internal bool IsOwnAddress(Ipv4Address address) =>
            address.IsLoopback || (_configuration.IsConfigured && address == _configuration.Address);

        // ---- Sending ----

        public Error Send(byte protocol, Ipv4Address source, Ipv4Address destination, byte* payload, int length)
        {
            if (length < 0 || length > Ipv4Header.MaximumDatagram - Ipv4Header.MinimumLength || (payload == null && length != 0))
                return Error.MessageTooLong;
            Error error = Route(destination, out RouteKind kind, out Ipv4Address nextHop);
            if (error != Error.None)
                return error;
            if (kind != RouteKind.Local && !_frames.Link.IsUp)
                return Error.NetworkDown;
            if (source.IsAny)
                source = ChooseSource(destination, kind);
            if (source.IsAny && kind != RouteKind.Broadcast)
                return Error.NetworkUnreachable;

            int maximumData = (Mtu - Ipv4Header.MinimumLength) & ~7;
            ushort identification = _identification++;
            int offset = 0;
            do
            {
                int piece = length - offset;
                bool more = false;
                if (Ipv4Header.MinimumLength + piece > Mtu)
                {
                    piece = maximumData;
                    more = true;
                }
                ushort flags = (ushort)((more ? Ipv4Header.FlagMoreFragments : 0) | (offset / 8));
                int total = Ipv4Header.MinimumLength + piece;
                // To this host: built in its loopback slot (one copy less); elsewhere in the layer's own buffer.
                byte* datagram = _datagram;
                if (kind == RouteKind.Local && (error = _loopback.Reserve(total, out datagram)) != Error.None)
                    return error;
                Ipv4Header.Write(datagram, total, identification, flags, DefaultTimeToLive, protocol, source, destination);
                PacketBytes.Copy(payload + offset, datagram + Ipv4Header.MinimumLength, piece);
                if (more || offset != 0)
                    _counters.Increment(NetworkCounter.IpFragmentsSent);
                if (kind == RouteKind.Local)
                    _loopback.Commit(total);
                else if ((error = Emit(kind, nextHop, destination, datagram, total)) != Error.None)
                    return error;
                offset += piece;
            } while (offset < length);
            _counters.Increment(NetworkCounter.IpSent);
            return Error.None;
        }

        public Ipv4Address SourceFor(Ipv4Address destination) =>
            Route(destination, out RouteKind kind, out _) == Error.None ? ChooseSource(destination, kind) : Ipv4Address.Any;

        public int MaximumPayload(Ipv4Address destination) => Mtu - Ipv4Header.MinimumLength;

        private int Mtu
        {
            get
            {
                int mtu = _frames.Link.Mtu;
                return mtu < MinimumMtu ? MinimumMtu : mtu > EthernetFrame.MaximumPayload ? EthernetFrame.MaximumPayload : mtu;
            }
        }

        private Ipv4Address ChooseSource(Ipv4Address destination, RouteKind kind)
        {
            if (kind == RouteKind.Local)
                return destination.IsLoopback ? Ipv4Address.Loopback : destination;
            return _configuration.Address;
        }

        private Error Route(Ipv4Address destination, out RouteKind kind, out Ipv4Address nextHop)
        {
            nextHop = destination;
            kind = RouteKind.Direct;
            if (IsLocal(destination))
                kind = RouteKind.Local;
            else if (destination.IsLimitedBroadcast || (_configuration.IsConfigured && destination == _configuration.SubnetBroadcast))
                kind = RouteKind.Broadcast;
            else if (destination.IsMulticast)
                kind = RouteKind.Multicast;
            else if (!_configuration.IsConfigured || destination.IsAny || _administrativelyDown)
                return Error.NetworkUnreachable;
            else if (_routes.Lookup(destination, destination.SameNetwork(_configuration.Address, _configuration.PrefixLength) ? _configuration.PrefixLength : -1,
                out Ipv4Address viaRoute) >= 0)
            {
                kind = viaRoute == destination ? RouteKind.Direct : RouteKind.Gateway;
                nextHop = viaRoute;
            }
            else if (destination.SameNetwork(_configuration.Address, _configuration.PrefixLength))
                kind = RouteKind.Direct;
            else if (!_configuration.Gateway.IsAny)
            {
                kind = RouteKind.Gateway;
                nextHop = _configuration.Gateway;
            }
            else
                return Error.NetworkUnreachable;
            return Error.None;
        }

        // The card's routes (Send builds a datagram to this host in its loopback slot itself).
        private Error Emit(RouteKind kind, Ipv4Address nextHop, Ipv4Address destination, byte* datagram, int length)
        {
            switch (kind)
            {
                case RouteKind.Broadcast:
                    return _frames.Send(MacAddress.Broadcast, EthernetFrame.EtherTypeIpv4, datagram, length);
                case RouteKind.Multicast:
                    return _frames.Send(EthernetFrame.MulticastMac(destination), EthernetFrame.EtherTypeIpv4, datagram, length);
                default:
                    if (_arp.TryLookup(nextHop, out MacAddress mac))
                        return _frames.Send(mac, EthernetFrame.EtherTypeIpv4, datagram, length);
                    return _arp.Enqueue(nextHop, datagram, length);
            }
        }

        void IArpOwner.TransmitResolved(MacAddress mac, byte* datagram, int length) =>
            _frames.Send(mac, EthernetFrame.EtherTypeIpv4, datagram, length);

        /// <summary>Tells the transport of a datagram ARP gave up on (the first fragment's, which holds its ports).</summary>
        void IArpOwner.ResolutionFailed(byte* datagram, int length)
        {
            int headerLength = Ipv4Header.HeaderLength(datagram);
            if ((Ipv4Header.FlagsAndOffset(datagram) & Ipv4Header.OffsetMask) != 0 || headerLength > length)
                return;
            IIpProtocolHandler handler = HandlerFor(Ipv4Header.Protocol(datagram));
            if (handler != null)
                handler.ReceiveError(IcmpErrorKind.HostUnreachable, Ipv4Header.Source(datagram), Ipv4Header.Destination(datagram),
                    datagram + headerLength, length - headerLength);
        }

        /// <summary>
        /// Receives the datagrams this host sent itself, at most LoopbackBatch (what they make the receiver send waits
        /// for the next call). The service calls it after each socket request as well, so that a request's segments
        /// reach their peer before the next request runs, as Linux's loopback delivers within the call that sent them
        /// (two closes in one turn are otherwise a simultaneous close: TIME-WAIT on both ends).
        /// </summary>
        public void DeliverLoopback()
        {
            for (int i = 0; i < LoopbackBatch && _loopback.TryPeek(out byte* datagram, out int length); i++)
            {
                // Received from the slot, then the slot is freed: what the receiver sends goes to later slots.
                _receivingLocal = true;
                Receive(datagram, length, fromLoopback: true);
                _receivingLocal = false;
                _loopback.Dequeue();
            }
        }

        private bool _receivingLocal;

        public bool ReceivingLocal => _receivingLocal;

        public bool IsLocal(Ipv4Address destination) => destination.IsLoopback || (_configuration.IsConfigured && destination == _configuration.Address);

        // ---- Timers ----

        public long NextDeadline
        {
            get
            {
                // Datagrams to ourselves are due at once: 0 is before any time the clock gives (never "now", which a
                // moving clock has passed by the time Poll compares).
                if (_loopback.Count != 0)
                    return 0;
                long arp = _arp.NextDeadline, reassembly = _reassembly.NextDeadline;
                return arp < reassembly ? arp : reassembly;
            }
        }

        public void Tick(long now)
        {
            DeliverLoopback();
            // Loopback traffic brings the layer here once per datagram: the ARP cache's scan waits for its own deadline.
            if (_arp.NextDeadline <= now)
                _arp.Tick(now);
            while (_reassembly.TryExpire(now, out int slot, out byte* header, out int headerLength, out byte* payload, out int payloadLength))
            {
                if (header != null && _icmp != null)
                    _icmp.SendTimeExceeded(IcmpProtocol.CodeReassemblyTimeExceeded, header, headerLength, payload, payloadLength);
                _reassembly.Release(slot);
            }
        }
    }
}
