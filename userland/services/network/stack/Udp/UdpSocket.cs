using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// One UDP socket of <see cref="UdpProtocol"/>'s table: its local and remote addresses, options, and its receive
    /// queue, a ring of whole datagrams (an 8-byte record header: length, source port, source address) holding at most
    /// <see cref="UdpProtocol.ReceiveBufferBytes"/> bytes.
    /// </summary>
    internal sealed unsafe class UdpSocket
    {
        public const int RecordHeaderLength = 8;

        public bool InUse;
        public Ipv4Address LocalAddress;
        public ushort LocalPort;
        public Ipv4Address RemoteAddress;
        public ushort RemotePort;
        public bool Connected;
        public bool BroadcastAllowed;
        /// <summary>An error an ICMP message (or ARP) reported, returned by the socket's next call (Linux's sk_err).</summary>
        public Error PendingError;
        public long DroppedDatagrams;

        private readonly byte* _ring;
        private readonly int _capacity;
        private int _head;     // the oldest record's first byte
        private int _used;
        private int _datagrams;

        /// <summary>The socket's number in the table.</summary>
        public readonly int Index;

        public UdpSocket(int index, byte* ring, int capacity)
        {
            Index = index;
            _ring = ring;
            _capacity = capacity;
        }

        public int QueuedDatagrams => _datagrams;
        public int QueuedBytes => _used;

        public void Reset()
        {
            InUse = false;
            LocalAddress = Ipv4Address.Any;
            LocalPort = 0;
            RemoteAddress = Ipv4Address.Any;
            RemotePort = 0;
            Connected = false;
            BroadcastAllowed = false;
            PendingError = Error.None;
            DroppedDatagrams = 0;
            _head = 0;
            _used = 0;
            _datagrams = 0;
        }

        /// <summary>Queues one datagram; false (nothing queued) when it does not fit in what is left of the buffer.</summary>
        public bool Enqueue(Ipv4Address source, ushort sourcePort, byte* data, int length)
        {
            if (length < 0 || length > ushort.MaxValue || RecordHeaderLength + length > _capacity - _used)
                return false;
            byte* header = stackalloc byte[RecordHeaderLength];
            NetworkOrder.WriteUInt16(header, (ushort)length);
            NetworkOrder.WriteUInt16(header + 2, sourcePort);
            source.Write(header + 4);
            int tail = (_head + _used) % _capacity;
            tail = WriteRing(tail, header, RecordHeaderLength);
            WriteRing(tail, data, length);
            _used += RecordHeaderLength + length;
            _datagrams++;
            return true;
        }

        /// <summary>
        /// Takes the oldest datagram: up to 'capacity' bytes copied to 'buffer' (the rest discarded, as recvfrom does),
        /// its whole length in 'datagramLength'. False when the queue is empty.
        /// </summary>
        public bool Dequeue(byte* buffer, int capacity, out int copied, out int datagramLength, out Ipv4Address source, out ushort sourcePort)
            => Take(buffer, capacity, false, out copied, out datagramLength, out source, out sourcePort);

        /// <summary>As Dequeue, but the datagram stays queued (MSG_PEEK).</summary>
        public bool Peek(byte* buffer, int capacity, out int copied, out int datagramLength, out Ipv4Address source, out ushort sourcePort)
            => Take(buffer, capacity, true, out copied, out datagramLength, out source, out sourcePort);

        private bool Take(byte* buffer, int capacity, bool peek, out int copied, out int datagramLength, out Ipv4Address source, out ushort sourcePort)
        {
            copied = 0;
            datagramLength = 0;
            source = Ipv4Address.Any;
            sourcePort = 0;
            if (_datagrams == 0)
                return false;
            byte* header = stackalloc byte[RecordHeaderLength];
            int position = ReadRing(_head, header, RecordHeaderLength);
            datagramLength = NetworkOrder.ReadUInt16(header);
            sourcePort = NetworkOrder.ReadUInt16(header + 2);
            source = Ipv4Address.Read(header + 4);
            copied = capacity < datagramLength ? (capacity < 0 ? 0 : capacity) : datagramLength;
            ReadRing(position, buffer, copied);
            if (peek)
                return true;
            _head = (_head + RecordHeaderLength + datagramLength) % _capacity;
            _used -= RecordHeaderLength + datagramLength;
            _datagrams--;
            if (_datagrams == 0)
                _head = 0;
            return true;
        }

        /// <summary>The oldest datagram's length, or -1 when the queue is empty (FIONREAD).</summary>
        public int NextDatagramLength
        {
            get
            {
                if (_datagrams == 0)
                    return -1;
                byte* header = stackalloc byte[2];
                ReadRing(_head, header, 2);
                return NetworkOrder.ReadUInt16(header);
            }
        }

        private int WriteRing(int position, byte* data, int length)
        {
            int first = _capacity - position < length ? _capacity - position : length;
            PacketBytes.Copy(data, _ring + position, first);
            PacketBytes.Copy(data + first, _ring, length - first);
            return (position + length) % _capacity;
        }

        private int ReadRing(int position, byte* data, int length)
        {
            int first = _capacity - position < length ? _capacity - position : length;
            PacketBytes.Copy(_ring + position, data, first);
            PacketBytes.Copy(_ring, data + first, length - first);
            return (position + length) % _capacity;
        }
    }
}
