using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// ICMP datagram sockets, Linux's unprivileged ping sockets (net/ipv4/ping.c): a socket's "port" is the identifier of
    /// its echo requests (bound, or chosen on the first send); a send is one echo request whose identifier and checksum
    /// the stack writes (anything but an echo request of code 0 is Invalid, as Linux says); a receive gives one echo
    /// reply carrying that identifier, its ICMP header and data without the IPv4 header. A queue past
    /// <see cref="ReceiveBufferBytes"/> drops the reply and counts it. The sockets are a <see cref="DatagramSocketTable"/>.
    /// </summary>
    public sealed unsafe class PingSockets
    {
        public const int MaximumSockets = 8;
        public const int ReceiveBufferBytes = 32 * 1024;
        /// <summary>Identifiers chosen for sockets that did not bind one (ping_get_port's range: all but 0).</summary>
        private const ushort FirstIdentifier = 1;
        private const int IdentifierCount = 65535;

        private readonly Ipv4Layer _ip;
        private readonly NetworkCounters _counters;
        private readonly DatagramSocketTable _sockets;
        private readonly byte* _message;
        private int _nextIdentifier;

        public PingSockets(Ipv4Layer ip, NetworkCounters counters, ref Workspace workspace)
        {
            _ip = ip;
            _counters = counters;
            _sockets = new DatagramSocketTable(ip, MaximumSockets, ReceiveBufferBytes, ref workspace);
            _message = workspace.Take(IcmpProtocol.MaximumMessage);
        }

        public static long WorkspaceBytes => MaximumSockets * (long)ReceiveBufferBytes + IcmpProtocol.MaximumMessage;

        public Error Open(out int socket) => _sockets.Open(out socket);

        public Error Close(int socket) => _sockets.Close(socket);

        /// <summary>Binds 'address' and the identifier 'identifier' (0: one that no other socket holds).</summary>
        public Error Bind(int socket, Ipv4Address address, ushort identifier)
        {
            UdpSocket s = _sockets.Find(socket);
            if (s == null)
                return Error.BadHandle;
            if (s.LocalPort != 0)
                return Error.Invalid;
            if (!_sockets.MayBind(address))
                return Error.AddressNotAvailable;
            if (identifier == 0)
            {
                Error error = _sockets.ChooseFreePort(address, FirstIdentifier, IdentifierCount, ref _nextIdentifier, out identifier);
                if (error != Error.None)
                    return error;
            }
            else if (_sockets.PortTaken(address, identifier))
                return Error.AddressInUse;
            s.LocalAddress = address;
            s.LocalPort = identifier;
            return Error.None;
        }

        /// <summary>Sets the default destination (Any forgets it, as AF_UNSPEC does).</summary>
        public Error Connect(int socket, Ipv4Address address)
        {
            UdpSocket s = _sockets.Find(socket);
            if (s == null)
                return Error.BadHandle;
            s.RemoteAddress = address;
            s.Connected = !address.IsAny;
            return Error.None;
        }

        public Error GetLocal(int socket, out Ipv4Address address, out ushort identifier) => _sockets.GetLocal(socket, out address, out identifier);

        public Error GetRemote(int socket, out Ipv4Address address) => _sockets.GetRemote(socket, out address, out _);

        /// <summary>Sends the echo request 'message' (its ICMP header first) to 'destination' (Any: the connected peer).</summary>
        public Error SendTo(int socket, byte* message, int length, Ipv4Address destination)
        {
            UdpSocket s = _sockets.Find(socket);
            if (s == null)
                return Error.BadHandle;
            // Linux binds an identifier before it looks at the message (inet_send_prepare), so even a refused send takes one.
            if (s.LocalPort == 0)
            {
                Error bound = Bind(socket, s.LocalAddress, 0);
                if (bound != Error.None)
                    return bound;
            }
            if (length > IcmpProtocol.MaximumMessage)
                return Error.MessageTooLong;
            // ping_common_sendmsg: at least a header, an echo request, code 0.
            if (length < IcmpProtocol.HeaderLength || message == null || message[0] != IcmpProtocol.TypeEchoRequest || message[1] != 0)
                return Error.Invalid;
            if (destination.IsAny)
            {
                if (!s.Connected)
                    return Error.DestinationRequired;
                destination = s.RemoteAddress;
            }
            Ipv4Address source = s.LocalAddress.IsAny ? _ip.SourceFor(destination) : s.LocalAddress;
            if (source.IsAny)
                return Error.NetworkUnreachable;
            PacketBytes.Copy(message, _message, length);
            NetworkOrder.WriteUInt16(_message + 4, s.LocalPort);
            _message[2] = 0;
            _message[3] = 0;
            NetworkOrder.WriteUInt16(_message + 2, InternetChecksum.Compute(_message, length));
            Error error = _ip.Send(IpProtocol.Icmp, source, destination, _message, length);
            if (error == Error.None)
                _counters.Increment(NetworkCounter.IcmpEchoRequestsSent);
            return error;
        }

        /// <summary>The oldest echo reply (ICMP header and data): up to 'capacity' bytes copied, its whole length in 'datagramLength'.</summary>
        public Error ReceiveFrom(int socket, byte* buffer, int capacity, bool peek, out int length, out int datagramLength, out Ipv4Address source)
            => _sockets.Take(socket, buffer, capacity, peek, takeError: false, out length, out datagramLength, out source, out _);

        public bool IsReadable(int socket) => _sockets.IsOpen(socket) && _sockets[socket].QueuedDatagrams != 0;

        /// <summary>An echo reply (checksum already checked) from 'source' to 'destination': to the socket holding its identifier.</summary>
        internal void Deliver(Ipv4Address source, Ipv4Address destination, byte* message, int length)
        {
            if (length < IcmpProtocol.HeaderLength)
                return;
            ushort identifier = NetworkOrder.ReadUInt16(message + 4);
            if (identifier == 0)
                return;   // no socket holds 0 (an unbound one has it as "none")
            UdpSocket s = _sockets.Lookup(destination, identifier, source, 0, matchRemotePort: false);
            if (s == null)
                return;
            if (!s.Enqueue(source, 0, message, length))
            {
                s.DroppedDatagrams++;
                _counters.Increment(NetworkCounter.IcmpRawDropQueueFull);
            }
        }
    }
}
