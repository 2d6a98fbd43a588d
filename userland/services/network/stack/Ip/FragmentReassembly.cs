namespace Exo.Network
{
    /// <summary>
    /// IPv4 fragment reassembly (RFC 791 3.2, RFC 815) within fixed limits: at most <see cref="MaximumDatagrams"/>
    /// datagrams under way, <see cref="ByteBudget"/> fragment bytes held across them, each datagram given up
    /// <see cref="TimeoutMilliseconds"/> after its first fragment, and no datagram past 65535 bytes. Arrival is tracked
    /// in 8-byte units: an exact duplicate is ignored, any other overlap drops the whole datagram (RFC 5722's rule,
    /// which leaves no way to smuggle different bytes past a check). A datagram's slot is free again once it was
    /// delivered, dropped or timed out.
    /// </summary>
    public sealed unsafe class FragmentReassembly : INetworkTimer
    {
        public const int MaximumDatagrams = 4;
        public const int ByteBudget = 128 * 1024;
        public const long TimeoutMilliseconds = 30_000;
        /// <summary>The largest payload: a 65535-byte datagram less its minimal header.</summary>
        public const int MaximumPayload = Ipv4Header.MaximumDatagram - Ipv4Header.MinimumLength;
        private const int Unit = 8;
        private const int UnitsPerDatagram = (MaximumPayload + Unit - 1) / Unit;
        private const int BitmapBytes = (UnitsPerDatagram + 7) / 8;

        private struct Datagram
        {
            public bool InUse;
            public Ipv4Address Source, Destination;
            public byte Protocol;
            public ushort Identification;
            public long Deadline;
            public int TotalLength;       // the payload's length once the last fragment came, else -1
            public int Received;          // payload bytes held (no overlaps, so complete when equal to TotalLength)
            public int HighestEnd;        // the end of the furthest fragment
            public int HeaderLength;      // the first fragment's header, kept for ICMP errors that quote the datagram
        }

        private readonly NetworkCounters _counters;
        private readonly IMonotonicClock _clock;
        private readonly Datagram[] _datagrams = new Datagram[MaximumDatagrams];
        private readonly byte* _buffers;
        private readonly byte* _bitmaps;
        private readonly byte* _headers;
        private int _heldBytes;

        public FragmentReassembly(IMonotonicClock clock, NetworkCounters counters, ref Workspace workspace)
        {
            _clock = clock;
            _counters = counters;
            _buffers = workspace.Take((long)MaximumDatagrams * MaximumPayload);
            _bitmaps = workspace.Take((long)MaximumDatagrams * BitmapBytes);
            _headers = workspace.Take((long)MaximumDatagrams * Ipv4Header.MaximumLength);
        }

        public int ActiveDatagrams
        {
            get
            {
                int count = 0;
                for (int i = 0; i < MaximumDatagrams; i++)
                    if (_datagrams[i].InUse)
                        count++;
                return count;
            }
        }

        public int HeldBytes => _heldBytes;

        /// <summary>
        /// Adds one fragment (its header was validated; 'payload' is its data, 'offset' in bytes). True when this
        /// completed a datagram: 'slot' then names it and its payload and first header are at the out pointers until
        /// <see cref="Release"/>.
        /// </summary>
        public bool Add(byte* header, int headerLength, byte* payload, int length, int offset, bool moreFragments,
            out int slot, out byte* datagram, out int datagramLength, out byte* firstHeader, out int firstHeaderLength)
        {
            slot = -1;
            datagram = null;
            datagramLength = 0;
            firstHeader = null;
            firstHeaderLength = 0;
            _counters.Increment(NetworkCounter.IpFragmentsReceived);
            Ipv4Address source = Ipv4Header.Source(header), destination = Ipv4Header.Destination(header);
            byte protocol = Ipv4Header.Protocol(header);
            ushort identification = Ipv4Header.Identification(header);
            int index = Find(source, destination, protocol, identification);

            // Every fragment but the last carries a multiple of 8 bytes; none reaches past 65535.
            bool malformed = moreFragments && (length == 0 || length % Unit != 0);
            if (malformed || offset + length > MaximumPayload)
            {
                _counters.Increment(malformed ? NetworkCounter.IpDropLength : NetworkCounter.IpReassemblyTooLarge);
                if (index >= 0)
                    Release(index);
                return false;
            }
            if (index < 0)
            {
                index = Allocate();
                if (index < 0)
                {
                    _counters.Increment(NetworkCounter.IpReassemblyNoSlot);
                    return false;
                }
                ref Datagram fresh = ref _datagrams[index];
                fresh.InUse = true;
                fresh.Source = source;
                fresh.Destination = destination;
                fresh.Protocol = protocol;
                fresh.Identification = identification;
                fresh.Deadline = _clock.NowMilliseconds + TimeoutMilliseconds;
                fresh.TotalLength = -1;
                fresh.Received = 0;
                fresh.HighestEnd = 0;
                fresh.HeaderLength = 0;
                PacketBytes.Zero(_bitmaps + (long)index * BitmapBytes, BitmapBytes);
            }
            ref Datagram entry = ref _datagrams[index];
            int end = offset + length;
            // The last fragment fixes the length: a second, different last fragment or data past it is inconsistent.
            if (!moreFragments)
            {
                if ((entry.TotalLength >= 0 && entry.TotalLength != end) || entry.HighestEnd > end)
                {
                    _counters.Increment(NetworkCounter.IpReassemblyOverlap);
                    Release(index);
                    return false;
                }
            }
            else if (entry.TotalLength >= 0 && end > entry.TotalLength)
            {
                _counters.Increment(NetworkCounter.IpReassemblyOverlap);
                Release(index);
                return false;
            }

            byte* buffer = _buffers + (long)index * MaximumPayload;
            byte* bitmap = _bitmaps + (long)index * BitmapBytes;
            int firstUnit = offset / Unit, lastUnit = (end + Unit - 1) / Unit;   // [firstUnit, lastUnit)
            int present = 0;
            for (int u = firstUnit; u < lastUnit; u++)
                if ((bitmap[u >> 3] & (1 << (u & 7))) != 0)
                    present++;
            if (present != 0)
            {
                bool duplicate = present == lastUnit - firstUnit && PacketBytes.Same(buffer + offset, payload, length);
                if (!duplicate)
                {
                    _counters.Increment(NetworkCounter.IpReassemblyOverlap);
                    Release(index);
                }
                return false;
            }
            if (_heldBytes + length > ByteBudget)
            {
                _counters.Increment(NetworkCounter.IpReassemblyBudget);
                return false;
            }

            PacketBytes.Copy(payload, buffer + offset, length);
            for (int u = firstUnit; u < lastUnit; u++)
                bitmap[u >> 3] |= (byte)(1 << (u & 7));
            entry.Received += length;
            _heldBytes += length;
            if (end > entry.HighestEnd)
                entry.HighestEnd = end;
            if (!moreFragments)
                entry.TotalLength = end;
            if (offset == 0)
            {
                int keep = headerLength > Ipv4Header.MaximumLength ? Ipv4Header.MaximumLength : headerLength;
                PacketBytes.Copy(header, _headers + (long)index * Ipv4Header.MaximumLength, keep);
                entry.HeaderLength = keep;
            }
            if (entry.TotalLength < 0 || entry.Received != entry.TotalLength || entry.HeaderLength == 0)
                return false;
            _counters.Increment(NetworkCounter.IpReassembled);
            slot = index;
            datagram = buffer;
            datagramLength = entry.TotalLength;
            firstHeader = _headers + (long)index * Ipv4Header.MaximumLength;
            firstHeaderLength = entry.HeaderLength;
            return true;
        }

        /// <summary>Frees a datagram's slot and its bytes from the budget.</summary>
        public void Release(int slot)
        {
            if (slot < 0 || slot >= MaximumDatagrams || !_datagrams[slot].InUse)
                return;
            _heldBytes -= _datagrams[slot].Received;
            _datagrams[slot].InUse = false;
        }

        public long NextDeadline
        {
            get
            {
                long next = long.MaxValue;
                for (int i = 0; i < MaximumDatagrams; i++)
                    if (_datagrams[i].InUse && _datagrams[i].Deadline < next)
                        next = _datagrams[i].Deadline;
                return next;
            }
        }

        public void Tick(long now)
        {
            while (TryExpire(now, out int slot, out _, out _, out _, out _))
                Release(slot);
        }

        /// <summary>
        /// A datagram whose time ran out ('slot', for <see cref="Release"/> once the caller is done). When its first
        /// fragment came, 'firstHeader' and 'payload' are that fragment's header and first data bytes (at least 8: a
        /// first fragment is never the last), for the ICMP time exceeded RFC 1122 3.3.2 asks for; else null.
        /// </summary>
        public bool TryExpire(long now, out int slot, out byte* firstHeader, out int firstHeaderLength, out byte* payload, out int payloadLength)
        {
            for (int i = 0; i < MaximumDatagrams; i++)
                if (_datagrams[i].InUse && now >= _datagrams[i].Deadline)
                {
                    _counters.Increment(NetworkCounter.IpReassemblyTimeout);
                    slot = i;
                    bool first = _datagrams[i].HeaderLength != 0;
                    firstHeader = first ? _headers + (long)i * Ipv4Header.MaximumLength : null;
                    firstHeaderLength = _datagrams[i].HeaderLength;
                    payload = first ? _buffers + (long)i * MaximumPayload : null;
                    payloadLength = first ? Unit : 0;
                    _datagrams[i].Deadline = long.MaxValue;   // reported once, even if the caller does not release it
                    return true;
                }
            slot = -1;
            firstHeader = null;
            firstHeaderLength = 0;
            payload = null;
            payloadLength = 0;
            return false;
        }

        private int Find(Ipv4Address source, Ipv4Address destination, byte protocol, ushort identification)
        {
            for (int i = 0; i < MaximumDatagrams; i++)
            {
                ref Datagram d = ref _datagrams[i];
                if (d.InUse && d.Identification == identification && d.Protocol == protocol && d.Source == source && d.Destination == destination)
                    return i;
            }
            return -1;
        }

        private int Allocate()
        {
            for (int i = 0; i < MaximumDatagrams; i++)
                if (!_datagrams[i].InUse)
                    return i;
            return -1;
        }
    }
}
