using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The whole stack the network service drives: one Ethernet interface (an <see cref="INetworkLink"/>) and the
    /// loopback interface, ARP, IPv4, ICMP, UDP, a DHCP client and a DNS resolver, all in the caller's workspace
    /// (<see cref="WorkspaceBytes"/>; nothing is allocated after <see cref="Create"/>). The service hands it every
    /// received frame (<see cref="ReceiveFrame"/>), calls <see cref="Poll"/> when the clock reaches
    /// <see cref="NextDeadline"/> (and after it sent something to itself), and sleeps in between. More transports (TCP)
    /// plug in with <see cref="RegisterProtocol"/> and <see cref="RegisterTimer"/>.
    /// </summary>
    public sealed unsafe class NetworkStack
    {
        public const int MaximumTimers = 8;

        private readonly INetworkLink _link;
        private readonly IMonotonicClock _clock;
        private readonly NetworkCounters _counters;
        private readonly NetworkRandom _random;
        private readonly FrameTransmitter _frames;
        private readonly ArpCache _arp;
        private readonly FragmentReassembly _reassembly;
        private readonly LoopbackQueue _loopback;
        private readonly Ipv4Layer _ip;
        private readonly IcmpProtocol _icmp;
        private readonly UdpProtocol _udp;
        private readonly DhcpClient _dhcp;
        private readonly DnsResolver _dns;
        private readonly INetworkTimer[] _timers = new INetworkTimer[MaximumTimers];

        private NetworkStack(INetworkLink link, IMonotonicClock clock, ref Workspace workspace)
        {
            _link = link;
            _clock = clock;
            _counters = new NetworkCounters((long*)workspace.Take(NetworkCounters.WorkspaceBytes));
            _random = new NetworkRandom(link.Address.Value * 0x100000001B3UL ^ (ulong)clock.NowMilliseconds);
            _frames = new FrameTransmitter(link, _counters, ref workspace);
            _arp = new ArpCache(_frames, clock, _counters, ref workspace);
            _reassembly = new FragmentReassembly(clock, _counters, ref workspace);
            _loopback = new LoopbackQueue(_counters, ref workspace);
            _ip = new Ipv4Layer(_frames, _counters, _arp, _reassembly, _loopback, (ushort)_random.Next(), ref workspace);
            _icmp = new IcmpProtocol(_ip, clock, _counters, ref workspace);
            _udp = new UdpProtocol(_ip, _icmp, _counters, (ushort)_random.Next(), ref workspace);
            _dhcp = new DhcpClient(_ip, _udp, clock, _counters, _random, link.Address, ref workspace);
            _dns = new DnsResolver(_ip, _udp, clock, _counters, _random, ref workspace);
            _ip.Register(_icmp);
            _ip.Register(_udp);
            _timers[0] = _ip;
            _timers[1] = _dhcp;
            _timers[2] = _dns;
        }

        /// <summary>The workspace <see cref="Create"/> needs (about 2 MiB: reassembly and the UDP and raw receive queues are most of it).</summary>
        public static ulong WorkspaceBytes =>
            (ulong)(NetworkCounters.WorkspaceBytes
                + EthernetFrame.MaximumLength
                + ArpCache.QueueCapacity * EthernetFrame.MaximumPayload + ArpPacket.Length
                + FragmentReassembly.MaximumDatagrams * (FragmentReassembly.MaximumPayload + Ipv4Header.MaximumLength + 1024)
                + LoopbackQueue.Capacity * (LoopbackQueue.SlotBytes + sizeof(int))
                + EthernetFrame.MaximumPayload
                + IcmpProtocol.WorkspaceBytes
                + UdpProtocol.MaximumSockets * UdpProtocol.ReceiveBufferBytes + UdpProtocol.HeaderLength + UdpProtocol.MaximumPayload
                + DhcpMessage.MaximumSentLength
                + DnsResolver.MaximumQueries * DnsMessage.MaximumNameLength + 2 * DnsMessage.MaximumUdpMessage + DnsMessage.ParseWorkspaceBytes
                + 64 * Workspace.Alignment);

        /// <summary>Builds the stack on 'link' with 'workspace' (OutOfMemory when it is smaller than WorkspaceBytes).</summary>
        public static Error Create(INetworkLink link, IMonotonicClock clock, byte* workspace, ulong workspaceLength, out NetworkStack stack)
        {
            stack = null;
            if (link == null || clock == null || workspace == null)
                return Error.Invalid;
            if (workspaceLength < WorkspaceBytes)
                return Error.OutOfMemory;
            var memory = new Workspace(workspace, workspaceLength);
            var created = new NetworkStack(link, clock, ref memory);
            if (memory.Exhausted)
                return Error.OutOfMemory;
            stack = created;
            return Error.None;
        }

        public NetworkCounters Counters => _counters;
        public INetworkLink Link => _link;
        public Ipv4Layer Ip => _ip;
        public IIpTransmitter Transmitter => _ip;
        public IcmpProtocol Icmp => _icmp;
        public UdpProtocol Udp => _udp;
        public DhcpClient Dhcp => _dhcp;
        public DnsResolver Dns => _dns;
        public ArpCache Arp => _arp;
        public FragmentReassembly Reassembly => _reassembly;
        public InterfaceConfiguration Configuration => _ip.Configuration;
        public IMonotonicClock Clock => _clock;

        /// <summary>A static configuration (stops the DHCP client if it ran).</summary>
        public Error Configure(InterfaceConfiguration configuration)
        {
            _dhcp.Stop();
            return _ip.Configure(configuration);
        }

        /// <summary>
        /// A new address and prefix set by hand (ifconfig, ip addr): stops DHCP, keeps the gateway and the static routes
        /// that are still on the subnet. Address Any removes the address. Invalid for a multicast, broadcast or loopback one.
        /// </summary>
        public Error SetAddress(Ipv4Address address, int prefixLength)
        {
            InterfaceConfiguration configuration = _ip.Configuration;
            configuration.Address = address;
            configuration.PrefixLength = address.IsAny ? 0 : prefixLength;
            if (address.IsAny || !configuration.Gateway.SameNetwork(address, prefixLength))
                configuration.Gateway = Ipv4Address.Any;
            if (!configuration.IsValid)
                return Error.Invalid;
            return Configure(configuration);
        }

        /// <summary>
        /// Adds a route by hand (route add, ip route add): prefix 0 is the default route. The gateway (Any: on the link) must
        /// be on the subnet (NetworkUnreachable), the interface up (NetworkDown); AlreadyExists for a route already there.
        /// </summary>
        public Error AddRoute(Ipv4Address destination, int prefixLength, Ipv4Address gateway)
        {
            InterfaceConfiguration configuration = _ip.Configuration;
            if (prefixLength < 0 || prefixLength > 32 || (destination.Value & ~Ipv4Address.PrefixMask(prefixLength)) != 0)
                return Error.Invalid;
            if (!_ip.InterfaceUp)
                return Error.NetworkDown;
            if (!gateway.IsAny && (!configuration.IsConfigured || !gateway.SameNetwork(configuration.Address, configuration.PrefixLength)))
                return Error.NetworkUnreachable;
            if (prefixLength != 0)
                return _ip.Routes.Add(destination, prefixLength, gateway);
            if (gateway.IsAny)
                return Error.NotSupported;   // a default route onto the link: not kept
            if (!configuration.Gateway.IsAny)
                return Error.AlreadyExists;
            configuration.Gateway = gateway;
            return _ip.Configure(configuration);
        }

        /// <summary>Removes a route added by hand or the default route (gateway Any: whatever its gateway); NoSuchProcess when none matches.</summary>
        public Error DeleteRoute(Ipv4Address destination, int prefixLength, Ipv4Address gateway)
        {
            if (prefixLength != 0)
                return _ip.Routes.Delete(destination, prefixLength, gateway);
            InterfaceConfiguration configuration = _ip.Configuration;
            if (!destination.IsAny || configuration.Gateway.IsAny || (!gateway.IsAny && gateway != configuration.Gateway))
                return Error.NoSuchProcess;
            configuration.Gateway = Ipv4Address.Any;
            return _ip.Configure(configuration);
        }

        /// <summary>Starts DHCP: the interface is configured when the ACK comes.</summary>
        public Error StartDhcp() => _dhcp.Start();

        /// <summary>Adds a transport (TCP) the IP layer hands its protocol's datagrams and ICMP errors to.</summary>
        public Error RegisterProtocol(IIpProtocolHandler handler) => _ip.Register(handler);

        /// <summary>Adds a layer with deadlines (TCP's timers) to Poll and NextDeadline.</summary>
        public Error RegisterTimer(INetworkTimer timer)
        {
            if (timer == null)
                return Error.Invalid;
            for (int i = 0; i < MaximumTimers; i++)
                if (_timers[i] == null)
                {
                    _timers[i] = timer;
                    return Error.None;
                }
            return Error.OutOfMemory;
        }

        /// <summary>
        /// One frame from the link, 'length' bytes from the destination MAC address (no FCS). Anything malformed is
        /// dropped and counted; every field is read within 'length'.
        /// </summary>
        public void ReceiveFrame(byte* frame, int length)
        {
            _counters.Increment(NetworkCounter.FramesReceived);
            if (length > 0)
                _counters.Add(NetworkCounter.BytesReceived, length);
            if (frame == null || length < EthernetFrame.HeaderLength)
            {
                _counters.Increment(NetworkCounter.DropShortFrame);
                return;
            }
            if (!_ip.InterfaceUp)
            {
                _counters.Increment(NetworkCounter.DropInterfaceDown);
                return;
            }
            MacAddress destination = EthernetFrame.Destination(frame);
            if (destination != _link.Address && !destination.IsBroadcast && !destination.IsMulticast)
            {
                _counters.Increment(NetworkCounter.DropNotOurMac);
                return;
            }
            byte* payload = frame + EthernetFrame.HeaderLength;
            int payloadLength = length - EthernetFrame.HeaderLength;
            switch (EthernetFrame.EtherType(frame))
            {
                case EthernetFrame.EtherTypeIpv4:
                    _ip.Receive(payload, payloadLength, fromLoopback: false);
                    break;
                case EthernetFrame.EtherTypeArp:
                    _arp.Receive(payload, payloadLength);
                    break;
                default:
                    _counters.Increment(NetworkCounter.DropUnknownEtherType);
                    return;
            }
            // What the frame brought for the stack's own clients.
            ReceiveOwnDatagrams();
        }

        // The DHCP client and the resolver read their sockets only when a datagram arrived somewhere since they last
        // looked (about 130 instructions a frame otherwise).
        private ulong _arrivalsSeen;

        private void ReceiveOwnDatagrams()
        {
            if (_udp.Arrivals == _arrivalsSeen)
                return;
            _arrivalsSeen = _udp.Arrivals;
            _dhcp.ReceivePending();
            _dns.ReceivePending();
        }

        /// <summary>Delivers the datagrams this host sent itself (see Ipv4Layer.DeliverLoopback): after each socket request.</summary>
        public void DeliverLoopback()
        {
            _ip.DeliverLoopback();
            ReceiveOwnDatagrams();
        }

        /// <summary>Runs every layer whose deadline passed and delivers datagrams sent to this host.</summary>
        public void Poll()
        {
            long now = _clock.NowMilliseconds;
            for (int i = 0; i < MaximumTimers; i++)
                if (_timers[i] != null && _timers[i].NextDeadline <= now)
                    _timers[i].Tick(now);
            // Loopback delivery may have brought the DHCP client or resolver something.
            ReceiveOwnDatagrams();
        }

        /// <summary>Poll's name for the timer entry.</summary>
        public void Tick() => Poll();

        /// <summary>When Poll next has work (0, meaning at once, when loopback datagrams wait); long.MaxValue when nothing is scheduled.</summary>
        public long NextDeadline
        {
            get
            {
                long next = long.MaxValue;
                for (int i = 0; i < MaximumTimers; i++)
                    if (_timers[i] != null)
                    {
                        long deadline = _timers[i].NextDeadline;
                        if (deadline < next)
                            next = deadline;
                    }
                return next;
            }
        }
    }
}
