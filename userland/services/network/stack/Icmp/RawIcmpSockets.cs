using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// Raw ICMP sockets (Linux's SOCK_RAW, IPPROTO_ICMP, which busybox ping opens): every ICMP message that reaches this
    /// host is copied, IPv4 header included, to each open socket whose bound address and connected peer it matches; a
    /// send is one ICMP message the caller built (its checksum included), which IP carries as it is. A socket's queue
    /// holds at most <see cref="ReceiveBufferBytes"/>; a message past that is dropped and counted (Linux's rcvbuf).
    /// The sockets are a <see cref="DatagramSocketTable"/> as UDP's, their port fields unused.
    /// </summary>
    public sealed unsafe class RawIcmpSockets
    {
        public const int MaximumSockets = 8;
        public const int ReceiveBufferBytes = 32 * 1024;

        private readonly Ipv4Layer _ip;
        private readonly NetworkCounters _counters;
        private readonly DatagramSocketTable _sockets;
        /// <summary>One received datagram rebuilt whole (a reassembled one's header says its full length).</summary>
        private readonly byte* _datagram;

        public RawIcmpSockets(Ipv4Layer ip, NetworkCounters counters, ref Workspace workspace)
        {
            _ip = ip;
            _counters = counters;
            _sockets = new DatagramSocketTable(ip, MaximumSockets, ReceiveBufferBytes, ref workspace);
            _datagram = workspace.Take(Ipv4Header.MaximumDatagram);
        }

        public static long WorkspaceBytes => MaximumSockets * (long)ReceiveBufferBytes + Ipv4Header.MaximumDatagram;

        public Error Open(out int socket) => _sockets.Open(out socket);

        public Error Close(int socket) => _sockets.Close(socket);

        /// <summary>Receives only datagrams to 'address' (Any: all) and sends from it; a raw socket has no port.</summary>
        public Error Bind(int socket, Ipv4Address address)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            if (!_sockets.MayBind(address))
                return Error.AddressNotAvailable;
            _sockets[socket].LocalAddress = address;
            return Error.None;
        }

        /// <summary>Sets the default destination and receives only from it.</summary>
        public Error Connect(int socket, Ipv4Address address)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            _sockets[socket].RemoteAddress = address;
            _sockets[socket].Connected = !address.IsAny;
            return Error.None;
        }

        public Error GetLocal(int socket, out Ipv4Address address) => _sockets.GetLocal(socket, out address, out _);

        public Error GetRemote(int socket, out Ipv4Address address) => _sockets.GetRemote(socket, out address, out _);

        /// <summary>Sends one ICMP message to 'destination' (Any: the connected peer; DestinationAddressRequired without one).</summary>
        public Error SendTo(int socket, byte* message, int length, Ipv4Address destination)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            UdpSocket s = _sockets[socket];
            if (destination.IsAny)
            {
                if (!s.Connected)
                    return Error.DestinationRequired;
                destination = s.RemoteAddress;
            }
            if (length < 0 || length > IcmpProtocol.MaximumMessage || (message == null && length != 0))
                return Error.MessageTooLong;
            return _ip.Send(IpProtocol.Icmp, s.LocalAddress, destination, message, length);
        }

        /// <summary>The oldest datagram (IPv4 header and ICMP message): up to 'capacity' bytes copied, its whole length in 'datagramLength'.</summary>
        public Error ReceiveFrom(int socket, byte* buffer, int capacity, bool peek, out int length, out int datagramLength, out Ipv4Address source)
            => _sockets.Take(socket, buffer, capacity, peek, takeError: false, out length, out datagramLength, out source, out _);

        public bool IsReadable(int socket) => IsOpen(socket) && _sockets[socket].QueuedDatagrams != 0;

        public int NextDatagramLength(int socket) => _sockets.NextDatagramLength(socket);

        /// <summary>An ICMP message being delivered ('header' its datagram's IPv4 header): a copy for every socket it matches.</summary>
        internal void Deliver(byte* header, int headerLength, byte* message, int length)
        {
            Ipv4Address source = Ipv4Header.Source(header), destination = Ipv4Header.Destination(header);
            int whole = headerLength + length;
            bool built = false;
            for (int i = 0; i < MaximumSockets; i++)
            {
                UdpSocket s = _sockets[i];
                if (!s.InUse || !DatagramSocketTable.Accepts(s, destination, source))
                    continue;
                if (!built)
                {
                    // As Linux gives it: the header as received, its length the whole datagram's and no fragment bits.
                    PacketBytes.Copy(header, _datagram, headerLength);
                    PacketBytes.Copy(message, _datagram + headerLength, length);
                    NetworkOrder.WriteUInt16(_datagram + 2, (ushort)whole);
                    NetworkOrder.WriteUInt16(_datagram + 6, (ushort)(Ipv4Header.FlagsAndOffset(header) & ~(Ipv4Header.OffsetMask | Ipv4Header.FlagMoreFragments)));
                    _datagram[10] = 0;
                    _datagram[11] = 0;
                    NetworkOrder.WriteUInt16(_datagram + 10, InternetChecksum.Compute(_datagram, headerLength));
                    built = true;
                }
                if (!s.Enqueue(source, 0, _datagram, whole))
                {
                    s.DroppedDatagrams++;
                    _counters.Increment(NetworkCounter.IcmpRawDropQueueFull);
                }
            }
        }

        private bool IsOpen(int socket) => _sockets.IsOpen(socket);
    }
}
