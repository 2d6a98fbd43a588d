using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// UDP (RFC 768, RFC 1122 4.1) with a fixed table of sockets named by index: bind (port 0 picks an ephemeral port
    /// in 49152-65535), connect, sendto, and a receive queue per socket with a byte limit (datagrams past it are
    /// dropped and counted). Checksums are checked (when the sender set one) and always generated. A datagram no socket
    /// wants gets ICMP port unreachable; a port unreachable about a connected socket's datagram makes its next call
    /// fail with ECONNREFUSED. Broadcasts may be sent from a socket that allowed them (SO_BROADCAST).
    /// </summary>
    public sealed unsafe class UdpProtocol : IIpProtocolHandler
    {
        /// <summary>At most 64, so that <see cref="TakeWokenSockets"/> fits one bit per socket in a ulong.</summary>
        public const int MaximumSockets = 16;
        private const uint WokenMaskRoom = 64 - MaximumSockets;   // does not compile past 64 sockets
        /// <summary>Each socket's receive queue: room for the largest datagram and its record header.</summary>
        public const int ReceiveBufferBytes = 72 * 1024;
        public const int HeaderLength = 8;
        public const int MaximumPayload = Ipv4Header.MaximumDatagram - Ipv4Header.MinimumLength - HeaderLength;
        public const ushort EphemeralFirst = 49152;
        public const ushort EphemeralLast = 65535;
        private const int EphemeralCount = EphemeralLast - EphemeralFirst + 1;

        private readonly Ipv4Layer _ip;
        private readonly IcmpProtocol _icmp;
        private readonly NetworkCounters _counters;
        private readonly DatagramSocketTable _sockets;
        private readonly byte* _datagram;
        private int _nextEphemeral;
        private ulong _woken;   // sockets that got a datagram or an error since TakeWokenSockets

        /// <summary>Datagrams queued and errors set on any socket so far: the stack asks its own clients (DHCP, DNS) to
        /// read only when this moved, not after every frame.</summary>
        public ulong Arrivals { get; private set; }

        public UdpProtocol(Ipv4Layer ip, IcmpProtocol icmp, NetworkCounters counters, ushort ephemeralSeed, ref Workspace workspace)
        {
            _ip = ip;
            _icmp = icmp;
            _counters = counters;
            _sockets = new DatagramSocketTable(ip, MaximumSockets, ReceiveBufferBytes, ref workspace);
            _datagram = workspace.Take(HeaderLength + MaximumPayload);
            _nextEphemeral = ephemeralSeed % EphemeralCount;
        }

        public byte Protocol => IpProtocol.Udp;

        // ---- The socket calls ----

        public Error Open(out int socket) => _sockets.Open(out socket);

        public Error Close(int socket) => _sockets.Close(socket);

        /// <summary>Binds to 'address' (Any, a loopback address or the interface's) and 'port' (0: an ephemeral port).</summary>
        public Error Bind(int socket, Ipv4Address address, ushort port)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            UdpSocket s = _sockets[socket];
            if (s.LocalPort != 0)
                return Error.Invalid;
            if (!_sockets.MayBind(address))
                return Error.AddressNotAvailable;
            if (port == 0)
            {
                Error error = _sockets.ChooseFreePort(address, EphemeralFirst, EphemeralCount, ref _nextEphemeral, out port);
                if (error != Error.None)
                    return error;
            }
            else if (_sockets.PortTaken(address, port))
                return Error.AddressInUse;
            s.LocalAddress = address;
            s.LocalPort = port;
            return Error.None;
        }

        /// <summary>Sets the default destination and receives only from it (binding an ephemeral port first if needed).</summary>
        public Error Connect(int socket, Ipv4Address address, ushort port)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            UdpSocket s = _sockets[socket];
            if (port == 0 || address.IsAny)
                return Error.Invalid;
            if (IsBroadcast(address) && !s.BroadcastAllowed)
                return Error.AccessDenied;
            if (_ip.SourceFor(address).IsAny && !IsBroadcast(address))
                return Error.NetworkUnreachable;
            Error error = AutoBind(s);
            if (error != Error.None)
                return error;
            s.RemoteAddress = address;
            s.RemotePort = port;
            s.Connected = true;
            s.PendingError = Error.None;
            return Error.None;
        }

        /// <summary>Forgets the default destination (connect with AF_UNSPEC).</summary>
        public Error Disconnect(int socket)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            _sockets[socket].Connected = false;
            _sockets[socket].RemoteAddress = Ipv4Address.Any;
            _sockets[socket].RemotePort = 0;
            return Error.None;
        }

        public Error SetBroadcast(int socket, bool allowed)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            _sockets[socket].BroadcastAllowed = allowed;
            return Error.None;
        }

        public Error GetLocal(int socket, out Ipv4Address address, out ushort port) => _sockets.GetLocal(socket, out address, out port);

        /// <summary>Sends to the connected destination.</summary>
        public Error Send(int socket, byte* data, int length)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            UdpSocket s = _sockets[socket];
            Error pending = TakePendingError(s);
            if (pending != Error.None)
                return pending;
            if (!s.Connected)
                return Error.DestinationRequired;
            return Transmit(s, s.RemoteAddress, s.RemotePort, data, length);
        }

        /// <summary>Sends one datagram to 'address':'port' (a connected socket may still name another destination, as on Linux).</summary>
        public Error SendTo(int socket, byte* data, int length, Ipv4Address address, ushort port)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            UdpSocket s = _sockets[socket];
            Error pending = TakePendingError(s);
            if (pending != Error.None)
                return pending;
            if (port == 0)
                return Error.Invalid;
            if (IsBroadcast(address) && !s.BroadcastAllowed)
                return Error.AccessDenied;
            return Transmit(s, address, port, data, length);
        }

        /// <summary>
        /// Takes the oldest datagram (WouldBlock when none): up to 'capacity' bytes into 'buffer', 'length' bytes copied,
        /// 'datagramLength' its whole length (more than 'length' when truncated, as MSG_TRUNC reports).
        /// </summary>
        public Error ReceiveFrom(int socket, byte* buffer, int capacity, out int length, out int datagramLength, out Ipv4Address source, out ushort port)
            => Take(socket, buffer, capacity, false, out length, out datagramLength, out source, out port);

        /// <summary>As ReceiveFrom, but the datagram stays queued (MSG_PEEK).</summary>
        public Error PeekFrom(int socket, byte* buffer, int capacity, out int length, out int datagramLength, out Ipv4Address source, out ushort port)
            => Take(socket, buffer, capacity, true, out length, out datagramLength, out source, out port);

        private Error Take(int socket, byte* buffer, int capacity, bool peek, out int length, out int datagramLength, out Ipv4Address source, out ushort port)
            => _sockets.Take(socket, buffer, capacity, peek, takeError: true, out length, out datagramLength, out source, out port);

        /// <summary>The connected destination (getpeername): NotConnected when there is none.</summary>
        public Error GetRemote(int socket, out Ipv4Address address, out ushort port) => _sockets.GetRemote(socket, out address, out port);

        /// <summary>The error an ICMP message left (ECONNREFUSED...), without clearing it: poll's POLLERR.</summary>
        public Error PendingError(int socket) => IsOpen(socket) ? _sockets[socket].PendingError : Error.None;

        /// <summary>SO_ERROR: the pending error, cleared by reading it.</summary>
        public Error TakePendingError(int socket) => IsOpen(socket) ? TakePendingError(_sockets[socket]) : Error.None;

        public bool BroadcastAllowed(int socket) => IsOpen(socket) && _sockets[socket].BroadcastAllowed;

        /// <summary>Whether a datagram (or an error) is waiting: poll's POLLIN.</summary>
        public bool IsReadable(int socket) => IsOpen(socket) && (_sockets[socket].QueuedDatagrams != 0 || _sockets[socket].PendingError != Error.None);

        public int NextDatagramLength(int socket) => _sockets.NextDatagramLength(socket);

        public long DroppedDatagrams(int socket) => IsOpen(socket) ? _sockets[socket].DroppedDatagrams : 0;

        /// <summary>
        /// The sockets (bit n: socket n) that became readable since the last call: a datagram was queued or an error
        /// came. The service calls it after ReceiveFrame and Poll to wake only the callers waiting on those.
        /// </summary>
        public ulong TakeWokenSockets()
        {
            ulong woken = _woken;
            _woken = 0;
            return woken;
        }

        // ---- From the IP layer ----

        public void Receive(Ipv4Address source, Ipv4Address destination, byte* payload, int length)
        {
            _counters.Increment(NetworkCounter.UdpReceived);
            if (length < HeaderLength)
            {
                _counters.Increment(NetworkCounter.UdpDropMalformed);
                return;
            }
            int udpLength = NetworkOrder.ReadUInt16(payload + 4);
            if (udpLength < HeaderLength || udpLength > length)
            {
                _counters.Increment(NetworkCounter.UdpDropMalformed);
                return;
            }
            // A zero checksum means the sender computed none (RFC 768).
            if (NetworkOrder.ReadUInt16(payload + 6) != 0)
            {
                ulong sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Udp, udpLength);
                if (InternetChecksum.Finish(InternetChecksum.Add(sum, payload, udpLength)) != 0)
                {
                    _counters.Increment(NetworkCounter.UdpDropChecksum);
                    return;
                }
            }
            ushort sourcePort = NetworkOrder.ReadUInt16(payload);
            ushort destinationPort = NetworkOrder.ReadUInt16(payload + 2);
            UdpSocket socket = _sockets.Lookup(destination, destinationPort, source, sourcePort, matchRemotePort: true);
            if (socket == null)
            {
                _counters.Increment(NetworkCounter.UdpDropNoSocket);
                _icmp.SendDestinationUnreachable(IcmpProtocol.CodePortUnreachable);
                return;
            }
            if (!socket.Enqueue(source, sourcePort, payload + HeaderLength, udpLength - HeaderLength))
            {
                socket.DroppedDatagrams++;
                _counters.Increment(NetworkCounter.UdpDropQueueFull);
                return;
            }
            Arrivals++;
            _woken |= 1UL << socket.Index;
        }

        /// <summary>An ICMP error (or ARP's give-up) about one of our datagrams: the connected socket that sent it fails its next call.</summary>
        public void ReceiveError(IcmpErrorKind kind, Ipv4Address quotedSource, Ipv4Address quotedDestination, byte* quotedPayload, int length)
        {
            if (length < 4)
                return;
            ushort sourcePort = NetworkOrder.ReadUInt16(quotedPayload), destinationPort = NetworkOrder.ReadUInt16(quotedPayload + 2);
            Error error = kind == IcmpErrorKind.PortUnreachable || kind == IcmpErrorKind.ProtocolUnreachable ? Error.ConnectionRefused
                : kind == IcmpErrorKind.HostUnreachable || kind == IcmpErrorKind.TimeExceeded ? Error.HostUnreachable
                : Error.None;
            if (error == Error.None)
                return;
            for (int i = 0; i < MaximumSockets; i++)
            {
                UdpSocket s = _sockets[i];
                // Only a connected socket hears of it (Linux without IP_RECVERR): an unconnected one cannot tell whose it was.
                if (s.InUse && s.Connected && s.LocalPort == sourcePort && s.RemotePort == destinationPort && s.RemoteAddress == quotedDestination
                    && (s.LocalAddress.IsAny || s.LocalAddress == quotedSource))
                {
                    s.PendingError = error;
                    _woken |= 1UL << i;
                    Arrivals++;
                }
            }
        }

        // ---- Inside ----

        private Error Transmit(UdpSocket s, Ipv4Address destination, ushort port, byte* data, int length)
        {
            if (length < 0 || length > MaximumPayload || (data == null && length != 0))
                return Error.MessageTooLong;
            if (destination.IsAny)
                return Error.DestinationRequired;
            Error error = AutoBind(s);
            if (error != Error.None)
                return error;
            Ipv4Address source = s.LocalAddress.IsAny ? _ip.SourceFor(destination) : s.LocalAddress;
            if (source.IsAny && !IsBroadcast(destination))
                return Error.NetworkUnreachable;
            int udpLength = HeaderLength + length;
            NetworkOrder.WriteUInt16(_datagram, s.LocalPort);
            NetworkOrder.WriteUInt16(_datagram + 2, port);
            NetworkOrder.WriteUInt16(_datagram + 4, (ushort)udpLength);
            NetworkOrder.WriteUInt16(_datagram + 6, 0);
            PacketBytes.Copy(data, _datagram + HeaderLength, length);
            if (!_ip.IsLocal(destination))   // to this host: none (zero, RFC 768), as Linux's loopback does
            {
                ulong sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Udp, udpLength);
                ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, _datagram, udpLength));
                // A computed zero is sent as all ones: zero on the wire means no checksum.
                NetworkOrder.WriteUInt16(_datagram + 6, checksum == 0 ? (ushort)0xFFFF : checksum);
            }
            error = _ip.Send(IpProtocol.Udp, source, destination, _datagram, udpLength);
            if (error == Error.None)
                _counters.Increment(NetworkCounter.UdpSent);
            return error;
        }

        private bool IsBroadcast(Ipv4Address address) => address.IsLimitedBroadcast || (!address.IsAny && address == _ip.Configuration.SubnetBroadcast);

        private Error AutoBind(UdpSocket s)
        {
            if (s.LocalPort != 0)
                return Error.None;
            Error error = _sockets.ChooseFreePort(Ipv4Address.Any, EphemeralFirst, EphemeralCount, ref _nextEphemeral, out ushort port);
            if (error == Error.None)
                s.LocalPort = port;
            return error;
        }

        private bool IsOpen(int socket) => _sockets.IsOpen(socket);

        private static Error TakePendingError(UdpSocket s)
        {
            Error error = s.PendingError;
            s.PendingError = Error.None;
            return error;
        }
    }
}
