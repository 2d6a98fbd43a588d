using Exo.Abi;
using Exo.Network;
using Exo.Protocols.Sockets;
using Exo.Std.Services;

namespace Netstack
{
    /// <summary>
    /// The socket protocol's server (libs/Exo.Protocols/Sockets): a table of the client's sockets, each a TCP, UDP or
    /// raw ICMP or ping socket of the stack, and a request handler per operation. Nothing here waits: an operation the stack cannot do
    /// now answers WouldBlock (InProgress for a connect) and the socket's readiness event tells the client when to ask
    /// again. After every turn the service compares each socket's readiness with the last it sent and posts the changes
    /// (<see cref="PostChanges"/>); one the event ring cannot take stays due and goes out on a later turn.
    /// </summary>
    internal sealed unsafe class SocketService
    {
        /// <summary>Sockets a client may hold at once: the TCP connection table's and the UDP table's slots together.</summary>
        public const int MaximumSockets = 1024 + UdpProtocol.MaximumSockets + RawIcmpSockets.MaximumSockets + PingSockets.MaximumSockets;
        private const byte KindFree = 0, KindTcp = 1, KindUdp = 2, KindRaw = 3, KindPing = 4;
        private const ulong IcmpProtocolNumber = 1;
        private const uint LoopbackIndex = 1, CardIndex = 2, LoopbackMtu = 65536;
        private const int SocketLevel = 1, TcpLevel = 6;   // SOL_SOCKET, IPPROTO_TCP
        // SO_* and TCP_* (asm-generic/socket.h, linux/tcp.h).
        private const int ReuseAddress = 2, ErrorOption = 4, Broadcast = 6, SendBuffer = 7, ReceiveBuffer = 8, KeepAlive = 9,
            AcceptConnections = 30;
        private const int NoDelay = 1, MaximumSegment = 2, KeepIdle = 4, KeepInterval = 5, KeepCount = 6;

        private struct Entry
        {
            public byte Kind;
            public bool Listening;
            public bool Due;   // an event to post
            public int Engine;
            public ushort Generation;
            public uint SentReadiness;
            public ushort SentError;
            public bool Parked;       // a listener with an Accept parked (FlagWait), answered when a connection is ready
            public uint ParkedTag;
        }

        /// <summary>Accepts parked at once at most (each holds one of the client's tags).</summary>
        private const int MaximumParked = SocketChannelLayout.MaximumInFlight;
        private readonly int[] _parked = new int[MaximumParked];   // their listeners' indexes
        private int _parkedCount;
        private bool _parkedNow;   // the request being handled was parked: no completion yet

        private readonly Entry[] _entries = new Entry[MaximumSockets];
        // One past the highest entry in use: the per-turn scan (PostChanges) stops there rather than at MaximumSockets,
        // which cost about 8,000 instructions a turn for a client with a few sockets.
        private int _limit;
        private readonly TcpStack _tcp;
        private readonly UdpProtocol _udp;
        private readonly RawIcmpSockets _raw;
        private readonly PingSockets _ping;
        private readonly NetworkStack _stack;
        private readonly TcpSocketOwners _owners;
        private SocketServerChannel _channel;

        public SocketService(SocketServerChannel channel, NetworkStack stack, TcpStack tcp, TcpSocketOwners owners)
        {
            _channel = channel;
            _owners = owners;
            _stack = stack;
            _tcp = tcp;
            _udp = stack.Udp;
            _raw = stack.Icmp.RawSockets;
            _ping = stack.Icmp.PingSockets;
        }

        /// <summary>Answers every waiting request; true if any came.</summary>
        public bool ServeRequests()
        {
            bool any = false;
            while (_channel.TryReceive(out SocketRequest request))
            {
                any = true;
                var completion = new SocketCompletion { Tag = request.Tag };
                bool makes = request.MakesItsSocket;   // read before Handle files the socket it makes in the request
                Error error = Handle(ref request, ref completion);
                if (_parkedNow)
                {
                    _parkedNow = false;
                    _stack.DeliverLoopback();
                    continue;
                }
                if (error != Error.None)
                {
                    // A socket the request made stays (a failed connect's), so its id goes back with the error.
                    completion = new SocketCompletion { Tag = request.Tag, Status = (ushort)error, Value = makes ? completion.Value : 0 };
                }
                _channel.Complete(ref completion);
                _stack.DeliverLoopback();   // the request's segments reach their peer before the next request
            }
            return any;
        }

        // A blocking caller's connect to this host itself: the SYN, SYN-ACK and ACK go through the loopback queue now,
        // and the answer is the handshake's outcome (the first Connect after it ends: AlreadyConnected, or its error),
        // which saves the caller a wait and a second request. A handshake that does not end at once answers InProgress.
        private Error ConnectStream(int engine, Ipv4Address address, ushort port, ushort flags)
        {
            Error error = _tcp.Connect(engine, address, port);
            if (error != Error.InProgress || (flags & SocketRequest.FlagWait) == 0 || !_stack.Transmitter.IsLocal(address))
                return error;
            _stack.DeliverLoopback();
            if (_tcp.StateOf(engine) == TcpState.SynSent)
                return error;
            error = _tcp.Connect(engine, address, port);
            return error == Error.AlreadyConnected ? Error.None : error;
        }

        private Error Handle(ref SocketRequest request, ref SocketCompletion completion)
        {
            if (request.Operation == SocketOperation.Create)
                return Create(request.Argument0, request.Argument1, ref completion);
            if (request.Operation == SocketOperation.Interfaces)
                return DescribeInterfaces(_channel.DataOf(request.Tag), ref completion);
            if (request.Operation == SocketOperation.ChangeNetwork)
                return ChangeNetwork(_channel.DataOf(request.Tag), (int)request.DataLength);
            if (request.Operation == SocketOperation.Routes)
                return DescribeRoutes(_channel.DataOf(request.Tag), ref completion);
            if (request.MakesItsSocket)
            {
                // Made and connected in one request: the socket made is the one connected below.
                Error made = Create(request.Argument0, request.Argument1, ref completion);
                if (made != Error.None)
                    return made;
                request.Socket = (uint)completion.Value;
            }
            int index = IndexOf(request.Socket);
            if (index < 0)
                return Error.BadHandle;
            ref Entry entry = ref _entries[index];
            entry.Due = true;   // whatever it did, its readiness is looked at again after this turn
            byte* data = _channel.DataOf(request.Tag);
            bool tcp = entry.Kind == KindTcp;
            Ipv4Address address = new Ipv4Address(request.Endpoint.Address);
            ushort port = request.Endpoint.Port;
            if (entry.Kind == KindRaw || entry.Kind == KindPing)
                return HandleIcmp(ref entry, index, data, ref request, ref completion);
            switch (request.Operation)
            {
                case SocketOperation.Bind:
                    return tcp ? _tcp.Bind(entry.Engine, address, port) : _udp.Bind(entry.Engine, address, port);
                case SocketOperation.Listen:
                {
                    if (!tcp)
                        return Error.NotSupported;
                    Error error = _tcp.Listen(entry.Engine, (int)request.Argument0);
                    if (error == Error.None)
                        entry.Listening = true;
                    return error;
                }
                case SocketOperation.Accept:
                {
                    if (!tcp)
                        return Error.NotSupported;
                    Error error = Accept(ref entry, ref completion);
                    if (error == Error.WouldBlock && (request.Flags & SocketRequest.FlagWait) != 0 && Park(index, request.Tag))
                        _parkedNow = true;
                    return error;
                }
                case SocketOperation.Connect:
                    return tcp ? ConnectStream(entry.Engine, address, port, request.Flags) : _udp.Connect(entry.Engine, address, port);
                case SocketOperation.Send:
                    return Send(ref entry, data, ref request, ref completion);
                case SocketOperation.Receive:
                    return Receive(ref entry, data, ref request, ref completion);
                case SocketOperation.Shutdown:
                    return tcp ? _tcp.Shutdown(entry.Engine, (TcpShutdown)(int)request.Argument0) : Error.None;
                case SocketOperation.Close:
                    Free(index, abort: (request.Flags & SocketRequest.FlagAbort) != 0);
                    return Error.None;
                case SocketOperation.GetOption:
                    return GetOption(ref entry, (int)request.Argument0, (int)request.Argument1, data, ref completion);
                case SocketOperation.SetOption:
                    return SetOption(ref entry, (int)request.Argument0, (int)request.Argument1, data, (int)request.DataLength);
                case SocketOperation.GetLocalName:
                case SocketOperation.GetPeerName:
                {
                    bool peer = request.Operation == SocketOperation.GetPeerName;
                    Error error = tcp
                        ? (peer ? _tcp.RemoteEndpoint(entry.Engine, out address, out port) : _tcp.LocalEndpoint(entry.Engine, out address, out port))
                        : (peer ? _udp.GetRemote(entry.Engine, out address, out port) : _udp.GetLocal(entry.Engine, out address, out port));
                    if (error == Error.None)
                        completion.Endpoint = SocketEndpoint.Internet(address.Value, port);
                    return error;
                }
                case SocketOperation.Readiness:
                    completion.Value = ReadinessOf(ref entry, out _);
                    return Error.None;
                default:
                    return Error.Invalid;
            }
        }

        private Error Create(ulong type, ulong protocol, ref SocketCompletion completion)
        {
            if (type == SocketRequest.TypeRaw && protocol != IcmpProtocolNumber)
                return Error.ProtocolNotSupported;
            byte kind = type == SocketRequest.TypeStream ? KindTcp : type == SocketRequest.TypeRaw ? KindRaw
                : protocol == IcmpProtocolNumber ? KindPing : KindUdp;
            int index = FreeIndex();
            if (index < 0)
                return Error.TooManyFiles;
            int engine;
            Error error = kind == KindTcp ? _tcp.Open(out engine) : kind == KindRaw ? _raw.Open(out engine)
                : kind == KindPing ? _ping.Open(out engine) : _udp.Open(out engine);
            if (error != Error.None)
                return error;
            ref Entry entry = ref _entries[index];
            Use(index);
            entry.Kind = kind;
            entry.Engine = engine;
            if (kind == KindTcp)
                _owners.File(engine, this, index);
            entry.Listening = false;
            entry.Due = true;
            entry.SentReadiness = 0;
            entry.SentError = 0;
            completion.Value = IdOf(index);
            return Error.None;
        }

        // The facts ifconfig, route and ip show: loopback, then the card with what DHCP gave it.
        private Error DescribeInterfaces(byte* data, ref SocketCompletion completion)
        {
            var loopback = new NetworkInterfaceRecord
            {
                Index = LoopbackIndex, Flags = NetworkInterfaceRecord.FlagUp | NetworkInterfaceRecord.FlagLoopback | NetworkInterfaceRecord.FlagRunning,
                Mtu = LoopbackMtu, HardwareType = NetworkInterfaceRecord.HardwareLoopback, Address = Ipv4Address.Loopback.Value, PrefixLength = 8,
            };
            NetworkCounters counters = _stack.Counters;
            // Every loopback datagram is sent and received on lo; only an overflowing queue drops one.
            loopback.ReceivedPackets = loopback.SentPackets = (ulong)counters[NetworkCounter.LoopbackDatagrams];
            loopback.ReceivedBytes = loopback.SentBytes = (ulong)counters[NetworkCounter.LoopbackBytes];
            loopback.SendDrops = (ulong)counters[NetworkCounter.LoopbackOverflow];
            loopback.SetName("lo");
            InterfaceConfiguration configuration = _stack.Configuration;
            INetworkLink link = _stack.Link;
            var card = new NetworkInterfaceRecord
            {
                Index = CardIndex, Flags = NetworkInterfaceRecord.FlagBroadcast | NetworkInterfaceRecord.FlagMulticast
                    | (_stack.Ip.InterfaceUp ? NetworkInterfaceRecord.FlagUp : 0) | (link.IsUp && _stack.Ip.InterfaceUp ? NetworkInterfaceRecord.FlagRunning : 0),
                Mtu = (uint)link.Mtu, HardwareType = NetworkInterfaceRecord.HardwareEthernet,
                Address = configuration.Address.Value, PrefixLength = (byte)configuration.PrefixLength,
                Gateway = configuration.Gateway.Value, DnsServer = configuration.DnsServer.Value,
                ReceivedBytes = (ulong)counters[NetworkCounter.BytesReceived], ReceivedPackets = (ulong)counters[NetworkCounter.FramesReceived],
                // Errors: frames too short to be Ethernet (the card's own errors are not reported to the stack); drops: frames
                // of a protocol the stack does not speak (Linux's rx_dropped counts those, rx_nohandler).
                ReceiveErrors = (ulong)counters[NetworkCounter.DropShortFrame], ReceiveDrops = (ulong)counters[NetworkCounter.DropUnknownEtherType],
                SentBytes = (ulong)counters[NetworkCounter.BytesSent], SentPackets = (ulong)counters[NetworkCounter.FramesSent],
                // Errors: frames the driver refused; drops: datagrams that waited for ARP and never left.
                SendErrors = (ulong)counters[NetworkCounter.FramesTransmitFailed],
                SendDrops = (ulong)(counters[NetworkCounter.ArpQueueOverflow] + counters[NetworkCounter.ArpQueuedDropped]),
            };
            card.SetName("eth0");
            byte* mac = stackalloc byte[6];
            link.Address.Write(mac);
            card.SetHardwareAddress(mac);
            if (!loopback.Encode(data) || !card.Encode(data + NetworkInterfaceRecord.Length))
                return Error.Invalid;
            completion.Value = 2;
            completion.DataLength = 2 * NetworkInterfaceRecord.Length;
            return Error.None;
        }

        // An address, IFF_UP or a route changed (ifconfig, route, ip): on the card only; loopback keeps 127.0.0.1/8 and stays up.
        private Error ChangeNetwork(byte* data, int length)
        {
            if (length != NetworkChange.Length)
                return Error.Invalid;
            byte* copy = stackalloc byte[NetworkChange.Length];
            for (int i = 0; i < NetworkChange.Length; i++)
                copy[i] = data[i];
            if (NetworkChange.Decode(copy, out NetworkChange change) != SocketMessageProblem.None)
                return Error.Invalid;
            if (change.Index == LoopbackIndex)
                return change.Kind == NetworkChange.Up ? Error.None : Error.NotSupported;
            if (change.Index != CardIndex)
                return Error.NoDevice;
            Ipv4Address address = new Ipv4Address(change.Address), gateway = new Ipv4Address(change.Gateway);
            switch (change.Kind)
            {
                case NetworkChange.SetAddress: return _stack.SetAddress(address, change.PrefixLength);
                case NetworkChange.Up: _stack.Ip.SetInterfaceUp(true); return Error.None;
                case NetworkChange.Down: _stack.Ip.SetInterfaceUp(false); return Error.None;
                case NetworkChange.AddRoute: return _stack.AddRoute(address, change.PrefixLength, gateway);
                default: return _stack.DeleteRoute(address, change.PrefixLength, gateway);
            }
        }

        // The main table: the default route, the static routes, then the subnet's (none while the card is down or unconfigured).
        private Error DescribeRoutes(byte* data, ref SocketCompletion completion)
        {
            InterfaceConfiguration configuration = _stack.Configuration;
            int count = 0;
            if (configuration.IsConfigured && _stack.Ip.InterfaceUp)
            {
                if (!configuration.Gateway.IsAny)
                    count += WriteRoute(data, count, 0, 0, configuration.Gateway.Value);
                StaticRoutes routes = _stack.Ip.Routes;
                for (int i = 0; i < routes.Count && count < NetworkRouteRecord.MaximumRoutes - 1; i++)
                {
                    routes.Get(i, out Ipv4Address destination, out int prefixLength, out Ipv4Address gateway);
                    count += WriteRoute(data, count, destination.Value, prefixLength, gateway.Value);
                }
                uint mask = Ipv4Address.PrefixMask(configuration.PrefixLength);
                count += WriteRoute(data, count, configuration.Address.Value & mask, configuration.PrefixLength, 0);
            }
            completion.Value = (ulong)count;
            completion.DataLength = (uint)(count * NetworkRouteRecord.Length);
            return Error.None;
        }

        private static int WriteRoute(byte* data, int at, uint destination, int prefixLength, uint gateway)
        {
            var record = new NetworkRouteRecord { Destination = destination, PrefixLength = (byte)prefixLength, Gateway = gateway, Index = CardIndex };
            return record.Encode(data + at * NetworkRouteRecord.Length) ? 1 : 0;
        }

        // A raw ICMP socket or a ping socket: no listening, no options past SOL_SOCKET's accepted ones; a raw socket has no
        // ports, a ping socket's port is its identifier.
        private Error HandleIcmp(ref Entry entry, int index, byte* data, ref SocketRequest request, ref SocketCompletion completion)
        {
            Ipv4Address address = new Ipv4Address(request.Endpoint.Address);
            bool ping = entry.Kind == KindPing;
            switch (request.Operation)
            {
                case SocketOperation.Bind:
                    return ping ? _ping.Bind(entry.Engine, address, request.Endpoint.Port) : _raw.Bind(entry.Engine, address);
                case SocketOperation.Connect:
                    return ping ? _ping.Connect(entry.Engine, address) : _raw.Connect(entry.Engine, address);
                case SocketOperation.Send:
                {
                    Error error = ping ? _ping.SendTo(entry.Engine, data, (int)request.DataLength, address)
                        : _raw.SendTo(entry.Engine, data, (int)request.DataLength, address);
                    if (error == Error.None)
                        completion.Value = request.DataLength;
                    return error;
                }
                case SocketOperation.Receive:
                {
                    bool peek = (request.Flags & SocketRequest.FlagPeek) != 0;
                    Error error = ping ? _ping.ReceiveFrom(entry.Engine, data, (int)request.Argument0, peek, out int copied, out int datagram, out Ipv4Address source)
                        : _raw.ReceiveFrom(entry.Engine, data, (int)request.Argument0, peek, out copied, out datagram, out source);
                    if (error == Error.None)
                    {
                        completion.DataLength = (uint)copied;
                        completion.Value = (ulong)datagram;
                        completion.Endpoint = SocketEndpoint.Internet(source.Value, 0);
                    }
                    return error;
                }
                case SocketOperation.Shutdown:
                    return Error.None;
                case SocketOperation.Close:
                    Free(index);
                    return Error.None;
                case SocketOperation.GetOption:
                {
                    // SOL_SOCKET only: the buffer sizes, and 0 for the flags a raw socket takes and ignores.
                    int name = (int)request.Argument1;
                    bool known = name == SendBuffer || name == ReceiveBuffer || name == ErrorOption || name == Broadcast || name == ReuseAddress
                        || name == AcceptConnections;
                    if ((int)request.Argument0 != SocketLevel || !known)
                        return Error.NoProtocolOption;
                    *(int*)data = name == SendBuffer || name == ReceiveBuffer ? (ping ? PingSockets.ReceiveBufferBytes : RawIcmpSockets.ReceiveBufferBytes) : 0;
                    completion.DataLength = sizeof(int);
                    return Error.None;
                }
                case SocketOperation.SetOption:
                    return (int)request.Argument0 == SocketLevel ? Error.None : Error.NoProtocolOption;   // SO_BROADCAST, SO_RCVBUF: accepted
                case SocketOperation.GetLocalName:
                case SocketOperation.GetPeerName:
                {
                    ushort identifier = 0;
                    Error error = request.Operation == SocketOperation.GetPeerName
                        ? (ping ? _ping.GetRemote(entry.Engine, out address) : _raw.GetRemote(entry.Engine, out address))
                        : (ping ? _ping.GetLocal(entry.Engine, out address, out identifier) : _raw.GetLocal(entry.Engine, out address));
                    if (error == Error.None)
                        completion.Endpoint = SocketEndpoint.Internet(address.Value, identifier);
                    return error;
                }
                case SocketOperation.Readiness:
                    completion.Value = ReadinessOf(ref entry, out _);
                    return Error.None;
                default:
                    return Error.NotSupported;   // listen, accept
            }
        }

        // ---- Parked accepts (Accept with FlagWait: the kernel's accepts ahead) ----

        // Parks the listener's Accept under 'tag' until a connection is ready: false (answered WouldBlock now) when one
        // is parked for it already or the table of parked accepts is full.
        private bool Park(int index, uint tag)
        {
            ref Entry entry = ref _entries[index];
            if (entry.Parked || _parkedCount == MaximumParked)
                return false;
            entry.Parked = true;
            entry.ParkedTag = tag;
            _parked[_parkedCount++] = index;
            return true;
        }

        // Answers the parked accepts whose listeners changed this turn (a connection came: the stack listed them), before
        // the turn's events, so that the new socket's first event follows its answer.
        private void AnswerParked()
        {
            for (int i = 0; i < _parkedCount;)
            {
                int index = _parked[i];
                ref Entry entry = ref _entries[index];
                if (!entry.Due)
                {
                    i++;
                    continue;
                }
                var completion = new SocketCompletion { Tag = entry.ParkedTag };
                Error error = Accept(ref entry, ref completion);
                if (error == Error.WouldBlock)
                {
                    i++;
                    continue;
                }
                if (error != Error.None)
                    completion = new SocketCompletion { Tag = entry.ParkedTag, Status = (ushort)error };
                _channel.Complete(ref completion);
                Unpark(i);
            }
        }

        // The parked accept at 'position' is answered: out of the table (the last one takes its place).
        private void Unpark(int position)
        {
            _entries[_parked[position]].Parked = false;
            _parked[position] = _parked[--_parkedCount];
        }

        // A listener that closes answers its parked accept (BadHandle: the kernel gives up that accept ahead).
        private void AnswerParkedOnClose(int index)
        {
            for (int i = 0; i < _parkedCount; i++)
            {
                if (_parked[i] != index)
                    continue;
                var completion = new SocketCompletion { Tag = _entries[index].ParkedTag, Status = (ushort)Error.BadHandle };
                _channel.Complete(ref completion);
                Unpark(i);
                return;
            }
        }

        private Error Accept(ref Entry listener, ref SocketCompletion completion)
        {
            int index = FreeIndex();
            if (index < 0)
                return Error.TooManyFiles;
            Error error = _tcp.Accept(listener.Engine, out int engine, out Ipv4Address address, out ushort port);
            if (error != Error.None)
                return error;
            ref Entry entry = ref _entries[index];
            Use(index);
            entry.Kind = KindTcp;
            entry.Engine = engine;
            _owners.File(engine, this, index);
            entry.Listening = false;
            entry.Due = true;
            entry.SentReadiness = 0;
            entry.SentError = 0;
            completion.Value = IdOf(index);
            completion.Endpoint = SocketEndpoint.Internet(address.Value, port);
            return Error.None;
        }

        private Error Send(ref Entry entry, byte* data, ref SocketRequest request, ref SocketCompletion completion)
        {
            int length = (int)request.DataLength;
            if (entry.Kind == KindTcp)
            {
                Error error = _tcp.Send(entry.Engine, data, length, out int sent);
                completion.Value = (ulong)sent;
                return error;
            }
            Error result = request.Endpoint.Family == SocketEndpoint.FamilyInternet
                ? _udp.SendTo(entry.Engine, data, length, new Ipv4Address(request.Endpoint.Address), request.Endpoint.Port)
                : _udp.Send(entry.Engine, data, length);
            if (result == Error.None)
                completion.Value = (ulong)length;
            return result;
        }

        private Error Receive(ref Entry entry, byte* data, ref SocketRequest request, ref SocketCompletion completion)
        {
            int length = (int)request.Argument0;
            bool peek = (request.Flags & SocketRequest.FlagPeek) != 0;
            if (entry.Kind == KindTcp)
            {
                Error error = peek ? _tcp.Peek(entry.Engine, data, length, out int got) : _tcp.Receive(entry.Engine, data, length, out got);
                if (error == Error.None)
                    completion.DataLength = (uint)got;
                return error;
            }
            Error result = peek
                ? _udp.PeekFrom(entry.Engine, data, length, out int copied, out int datagram, out Ipv4Address source, out ushort port)
                : _udp.ReceiveFrom(entry.Engine, data, length, out copied, out datagram, out source, out port);
            if (result == Error.None)
            {
                completion.DataLength = (uint)copied;
                completion.Value = (ulong)datagram;
                completion.Endpoint = SocketEndpoint.Internet(source.Value, port);
            }
            return result;
        }

        private Error GetOption(ref Entry entry, int level, int name, byte* data, ref SocketCompletion completion)
        {
            int value;
            Error error = Error.None;
            if (level == SocketLevel && name == AcceptConnections)
                value = entry.Listening ? 1 : 0;
            else if (entry.Kind == KindUdp)
            {
                if (level != SocketLevel)
                    return Error.NoProtocolOption;
                switch (name)
                {
                    case ErrorOption: value = (int)_udp.TakePendingError(entry.Engine); break;
                    case Broadcast: value = _udp.BroadcastAllowed(entry.Engine) ? 1 : 0; break;
                    case SendBuffer: case ReceiveBuffer: value = UdpProtocol.ReceiveBufferBytes; break;
                    case ReuseAddress: case KeepAlive: value = 0; break;
                    default: return Error.NoProtocolOption;
                }
            }
            else
            {
                if (!TcpOption(level, name, out TcpSocketOption option))
                    return Error.NoProtocolOption;
                error = _tcp.GetOption(entry.Engine, option, out value);
            }
            if (error == Error.None)
            {
                *(int*)data = value;
                completion.DataLength = sizeof(int);
            }
            return error;
        }

        private Error SetOption(ref Entry entry, int level, int name, byte* data, int length)
        {
            if (length < sizeof(int))
                return Error.Invalid;
            int value = *(int*)data;
            if (entry.Kind == KindUdp)
            {
                if (level == SocketLevel && name == Broadcast)
                    return _udp.SetBroadcast(entry.Engine, value != 0);
                return level == SocketLevel ? Error.None : Error.NoProtocolOption;   // the rest are accepted as Linux takes them
            }
            if (!TcpOption(level, name, out TcpSocketOption option))
                return level == SocketLevel ? Error.None : Error.NoProtocolOption;
            return _tcp.SetOption(entry.Engine, option, value);
        }

        private static bool TcpOption(int level, int name, out TcpSocketOption option)
        {
            option = default;
            if (level == SocketLevel)
            {
                switch (name)
                {
                    case ReuseAddress: option = TcpSocketOption.ReuseAddress; return true;
                    case ErrorOption: option = TcpSocketOption.PendingError; return true;
                    case SendBuffer: option = TcpSocketOption.SendBufferSize; return true;
                    case ReceiveBuffer: option = TcpSocketOption.ReceiveBufferSize; return true;
                    case KeepAlive: option = TcpSocketOption.KeepAlive; return true;
                }
                return false;
            }
            if (level != TcpLevel)
                return false;
            switch (name)
            {
                case NoDelay: option = TcpSocketOption.NoDelay; return true;
                case MaximumSegment: option = TcpSocketOption.MaximumSegmentSize; return true;
                case KeepIdle: option = TcpSocketOption.KeepAliveIdleSeconds; return true;
                case KeepInterval: option = TcpSocketOption.KeepAliveIntervalSeconds; return true;
                case KeepCount: option = TcpSocketOption.KeepAliveCount; return true;
            }
            return false;
        }

        // ---- Readiness ----

        /// <summary>A TCP socket the stack listed as changed (<see cref="TcpSocketOwners"/>): looked at on this turn.</summary>
        public void MarkDue(int index) => _entries[index].Due = true;

        /// <summary>
        /// Posts an event for every socket whose readiness differs from the last one sent: the TCP sockets marked due
        /// (by a request, or by the stack's list of changed connections), every other socket (UDP, raw and ping have
        /// no such list).
        /// </summary>
        public void PostChanges()
        {
            if (_parkedCount != 0)
                AnswerParked();
            for (int i = 0; i < _limit; i++)
            {
                ref Entry entry = ref _entries[i];
                if (entry.Kind == KindFree || (entry.Kind == KindTcp && !entry.Due))
                    continue;
                uint readiness = ReadinessOf(ref entry, out ushort error);
                if (!entry.Due && readiness == entry.SentReadiness && error == entry.SentError)
                    continue;
                if (readiness == entry.SentReadiness && error == entry.SentError)
                {
                    entry.Due = false;
                    continue;
                }
                var change = new SocketEvent { Socket = IdOf(i), Readiness = readiness, PendingError = error };
                if (!_channel.TryPostEvent(ref change))
                    return;   // the ring is full: the rest stay due
                entry.SentReadiness = readiness;
                entry.SentError = error;
                entry.Due = false;
            }
        }

        private uint ReadinessOf(ref Entry entry, out ushort pendingError)
        {
            pendingError = 0;
            if (entry.Kind == KindRaw)
                return SocketReadiness.Writable | (_raw.IsReadable(entry.Engine) ? SocketReadiness.Readable : 0);
            if (entry.Kind == KindPing)
                return SocketReadiness.Writable | (_ping.IsReadable(entry.Engine) ? SocketReadiness.Readable : 0);
            if (entry.Kind == KindUdp)
            {
                uint bits = SocketReadiness.Writable;
                if (_udp.IsReadable(entry.Engine))
                    bits |= SocketReadiness.Readable;
                Error error = _udp.PendingError(entry.Engine);
                if (error != Error.None)
                {
                    bits |= SocketReadiness.Error;
                    pendingError = (ushort)error;
                }
                return bits;
            }
            TcpReadiness ready = _tcp.Poll(entry.Engine);
            uint result = 0;
            if ((ready & TcpReadiness.Readable) != 0) result |= SocketReadiness.Readable;
            if ((ready & TcpReadiness.Writable) != 0) result |= SocketReadiness.Writable;
            if ((ready & TcpReadiness.HangUp) != 0) result |= SocketReadiness.HangUp;
            if ((ready & TcpReadiness.Error) != 0) result |= SocketReadiness.Error;
            if ((ready & TcpReadiness.ReadHangUp) != 0) result |= SocketReadiness.ReadHangUp;
            return result;
        }

        // ---- The table: ids are (index + 1) | generation << 16, so a closed socket's id is not another's soon ----

        private static uint IdOf(int index, ushort generation) => (uint)(index + 1) | (uint)generation << 16;

        private uint IdOf(int index) => IdOf(index, _entries[index].Generation);

        private int IndexOf(uint id)
        {
            int index = (int)(id & 0xFFFF) - 1;
            if (index < 0 || index >= MaximumSockets || _entries[index].Kind == KindFree || _entries[index].Generation != (ushort)(id >> 16))
                return -1;
            return index;
        }

        private int FreeIndex()
        {
            for (int i = 0; i < MaximumSockets; i++)
                if (_entries[i].Kind == KindFree)
                    return i;
            return -1;
        }

        /// <summary>Closes every socket (the client has ended), as its Close requests would.</summary>
        public void CloseAll()
        {
            for (int i = 0; i < _limit; i++)
                if (_entries[i].Kind != KindFree)
                    Free(i);
        }

        private void Use(int index)
        {
            if (index >= _limit)
                _limit = index + 1;
        }

        // 'abort': a TCP connection is reset rather than closed (Close's FlagAbort).
        private void Free(int index, bool abort = false)
        {
            ref Entry entry = ref _entries[index];
            if (entry.Parked)
                AnswerParkedOnClose(index);
            if (entry.Kind == KindTcp)
            {
                _owners.Forget(entry.Engine);
                if (abort)
                    _tcp.Abort(entry.Engine);
                else
                    _tcp.Close(entry.Engine);
            }
            else if (entry.Kind == KindRaw)
                _raw.Close(entry.Engine);
            else if (entry.Kind == KindPing)
                _ping.Close(entry.Engine);
            else
                _udp.Close(entry.Engine);
            entry.Kind = KindFree;
            while (_limit > 0 && _entries[_limit - 1].Kind == KindFree)
                _limit--;
            entry.Generation++;
            if (entry.Generation == 0)
                entry.Generation = 1;
        }
    }
}
