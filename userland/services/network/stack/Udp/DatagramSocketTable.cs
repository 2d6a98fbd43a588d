using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// A fixed table of datagram sockets named by index (<see cref="UdpSocket"/> records, each with its receive queue):
    /// what UDP, raw ICMP and ping sockets share. Opening and closing, the local address a socket may take (Any, a
    /// loopback address or the interface's), ports (UDP's) or identifiers (ping's) bound and chosen, the socket a
    /// datagram is for, and taking a queued datagram.
    /// </summary>
    internal sealed unsafe class DatagramSocketTable
    {
        private readonly Ipv4Layer _ip;
        private readonly UdpSocket[] _sockets;
        // One past the highest slot ever opened: Open takes the lowest free slot, so the scans of every datagram's
        // delivery and of bind stop here instead of at the table's end (a scan of all 16 slots was most of a loopback
        // datagram's delivery).
        private int _extent;

        public DatagramSocketTable(Ipv4Layer ip, int count, int receiveBufferBytes, ref Workspace workspace)
        {
            _ip = ip;
            _sockets = new UdpSocket[count];
            for (int i = 0; i < count; i++)
            {
                _sockets[i] = new UdpSocket(i, workspace.Take(receiveBufferBytes), receiveBufferBytes);
                _sockets[i].Reset();
            }
        }

        public int Count => _sockets.Length;

        /// <summary>Socket 'index' whether open or not (a scan looks at InUse itself).</summary>
        public UdpSocket this[int index] => _sockets[index];

        public bool IsOpen(int socket) => socket >= 0 && socket < _sockets.Length && _sockets[socket].InUse;

        /// <summary>The open socket 'socket', or null.</summary>
        public UdpSocket Find(int socket) => IsOpen(socket) ? _sockets[socket] : null;

        public Error Open(out int socket)
        {
            for (int i = 0; i < _sockets.Length; i++)
                if (!_sockets[i].InUse)
                {
                    _sockets[i].Reset();
                    _sockets[i].InUse = true;
                    if (i >= _extent)
                        _extent = i + 1;
                    socket = i;
                    return Error.None;
                }
            socket = -1;
            return Error.TooManyFiles;
        }

        public Error Close(int socket)
        {
            if (!IsOpen(socket))
                return Error.BadHandle;
            _sockets[socket].Reset();
            return Error.None;
        }

        /// <summary>Whether a socket may bind 'address': Any, a loopback address or the interface's.</summary>
        public bool MayBind(Ipv4Address address) => address.IsAny || address.IsLoopback || address == _ip.LocalAddress;

        public Error GetLocal(int socket, out Ipv4Address address, out ushort port)
        {
            UdpSocket s = Find(socket);
            address = s != null ? s.LocalAddress : Ipv4Address.Any;
            port = s != null ? s.LocalPort : (ushort)0;
            return s != null ? Error.None : Error.BadHandle;
        }

        /// <summary>The connected peer (getpeername): NotConnected when there is none.</summary>
        public Error GetRemote(int socket, out Ipv4Address address, out ushort port)
        {
            address = Ipv4Address.Any;
            port = 0;
            UdpSocket s = Find(socket);
            if (s == null)
                return Error.BadHandle;
            if (!s.Connected)
                return Error.NotConnected;
            address = s.RemoteAddress;
            port = s.RemotePort;
            return Error.None;
        }

        /// <summary>Whether 'port' is bound on an address overlapping 'address' (Any overlaps every address).</summary>
        public bool PortTaken(Ipv4Address address, ushort port)
        {
            for (int i = 0; i < _extent; i++)
            {
                UdpSocket s = _sockets[i];
                if (s.InUse && s.LocalPort == port && (s.LocalAddress.IsAny || address.IsAny || s.LocalAddress == address))
                    return true;
            }
            return false;
        }

        /// <summary>A free port of 'first'..'first + count - 1' for 'address', tried from 'next' on (which moves past it).</summary>
        public Error ChooseFreePort(Ipv4Address address, ushort first, int count, ref int next, out ushort port)
        {
            for (int tried = 0; tried < count; tried++)
            {
                port = (ushort)(first + next);
                next = (next + 1) % count;
                if (!PortTaken(address, port))
                    return Error.None;
            }
            port = 0;
            return Error.AddressInUse;
        }

        /// <summary>
        /// The socket a datagram to 'destination':'destinationPort' from 'source':'sourcePort' is for: the most specific
        /// match (connected, then bound to the address, then wildcard). 'matchRemotePort' false: a connected socket's peer
        /// is matched by address only (ping's replies come from no port).
        /// </summary>
        public UdpSocket Lookup(Ipv4Address destination, ushort destinationPort, Ipv4Address source, ushort sourcePort, bool matchRemotePort)
        {
            UdpSocket best = null;
            int bestScore = -1;
            for (int i = 0; i < _extent; i++)
            {
                UdpSocket s = _sockets[i];
                if (!s.InUse || s.LocalPort != destinationPort || !Accepts(s, destination, source))
                    continue;
                if (s.Connected && matchRemotePort && s.RemotePort != sourcePort)
                    continue;
                int score = (s.LocalAddress.IsAny ? 0 : 1) + (s.Connected ? 2 : 0);
                if (score > bestScore)
                {
                    best = s;
                    bestScore = score;
                }
            }
            return best;
        }

        /// <summary>Whether a datagram to 'destination' from 'source' passes the socket's bound address and connected peer.</summary>
        public static bool Accepts(UdpSocket s, Ipv4Address destination, Ipv4Address source) =>
            (s.LocalAddress.IsAny || s.LocalAddress == destination) && (!s.Connected || s.RemoteAddress == source);

        /// <summary>
        /// Takes (or with 'peek' copies) the oldest datagram: up to 'capacity' bytes, 'length' copied, 'datagramLength' its
        /// whole length (MSG_TRUNC). WouldBlock when none waits; the socket's pending error first, when 'takeError'.
        /// </summary>
        public Error Take(int socket, byte* buffer, int capacity, bool peek, bool takeError,
            out int length, out int datagramLength, out Ipv4Address source, out ushort port)
        {
            length = 0;
            datagramLength = 0;
            source = Ipv4Address.Any;
            port = 0;
            UdpSocket s = Find(socket);
            if (s == null)
                return Error.BadHandle;
            if (capacity < 0 || (buffer == null && capacity != 0))
                return Error.Invalid;
            if (takeError)
            {
                Error pending = s.PendingError;
                s.PendingError = Error.None;
                if (pending != Error.None)
                    return pending;
            }
            bool taken = peek ? s.Peek(buffer, capacity, out length, out datagramLength, out source, out port)
                : s.Dequeue(buffer, capacity, out length, out datagramLength, out source, out port);
            return taken ? Error.None : Error.WouldBlock;
        }

        public int NextDatagramLength(int socket) => IsOpen(socket) ? _sockets[socket].NextDatagramLength : -1;
    }
}
