using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The ARP cache (RFC 826, RFC 1122 2.3.2): next hops' MAC addresses with a fixed capacity, each kept
    /// <see cref="ReachableMilliseconds"/> after it was last confirmed. An unknown next hop gets a request every
    /// <see cref="RetryMilliseconds"/>, <see cref="MaximumRequests"/> in all; meanwhile its datagrams wait in a small
    /// shared queue (<see cref="QueueCapacity"/> datagrams), sent in order when the reply comes and dropped (their
    /// transports told the host is unreachable) when it never does. Requests for our address are answered; any packet
    /// from a host already cached refreshes its entry (so gratuitous ARP moves an address to a new MAC).
    /// </summary>
    public sealed unsafe class ArpCache : INetworkTimer
    {
        public const int Capacity = 32;
        public const long ReachableMilliseconds = 60_000;
        public const long RetryMilliseconds = 1_000;
        public const int MaximumRequests = 3;
        /// <summary>Datagrams waiting for resolution, all next hops together (a 20 KB datagram's 14 fragments fit).</summary>
        public const int QueueCapacity = 16;
        private const int QueueSlotBytes = EthernetFrame.MaximumPayload;

        private enum EntryState : byte { Free, Incomplete, Reachable }

        private struct Entry
        {
            public EntryState State;
            public Ipv4Address Address;
            public MacAddress Mac;
            public long Deadline;      // Incomplete: the next request; Reachable: expiry
            public int RequestsSent;
        }

        private readonly FrameTransmitter _frames;
        private readonly IMonotonicClock _clock;
        private readonly NetworkCounters _counters;
        private readonly Entry[] _entries = new Entry[Capacity];
        private readonly byte* _queue;
        private readonly Ipv4Address[] _queuedHop = new Ipv4Address[QueueCapacity];
        private readonly int[] _queuedLength = new int[QueueCapacity];     // 0: slot free
        private readonly long[] _queuedOrder = new long[QueueCapacity];
        private readonly byte* _packet;
        private long _enqueueCount;
        private IArpOwner _owner;

        public ArpCache(FrameTransmitter frames, IMonotonicClock clock, NetworkCounters counters, ref Workspace workspace)
        {
            _frames = frames;
            _clock = clock;
            _counters = counters;
            _queue = workspace.Take((long)QueueCapacity * QueueSlotBytes);
            _packet = workspace.Take(ArpPacket.Length);
        }

        public void Attach(IArpOwner owner) { _owner = owner; }

        public int QueuedDatagrams
        {
            get
            {
                int count = 0;
                for (int i = 0; i < QueueCapacity; i++)
                    if (_queuedLength[i] != 0)
                        count++;
                return count;
            }
        }

        public bool TryLookup(Ipv4Address address, out MacAddress mac)
        {
            int index = Find(address);
            if (index >= 0 && _entries[index].State == EntryState.Reachable)
            {
                mac = _entries[index].Mac;
                return true;
            }
            mac = MacAddress.Zero;
            return false;
        }

        /// <summary>Keeps 'datagram' until 'nextHop' answers, asking for it now if no request is under way.</summary>
        public Error Enqueue(Ipv4Address nextHop, byte* datagram, int length)
        {
            if (length <= 0 || length > QueueSlotBytes)
                return Error.MessageTooLong;
            int slot = -1;
            for (int i = 0; i < QueueCapacity && slot < 0; i++)
                if (_queuedLength[i] == 0)
                    slot = i;
            if (slot < 0)
            {
                _counters.Increment(NetworkCounter.ArpQueueOverflow);
                return Error.NoBufferSpace;
            }
            int index = Find(nextHop);
            if (index < 0)
            {
                index = Allocate();
                if (index < 0)
                {
                    _counters.Increment(NetworkCounter.ArpQueueOverflow);
                    return Error.NoBufferSpace;
                }
                _entries[index].State = EntryState.Incomplete;
                _entries[index].Address = nextHop;
                _entries[index].RequestsSent = 0;
                SendRequest(index);
            }
            PacketBytes.Copy(datagram, _queue + (long)slot * QueueSlotBytes, length);
            _queuedHop[slot] = nextHop;
            _queuedLength[slot] = length;
            _queuedOrder[slot] = _enqueueCount++;
            return Error.None;
        }

        /// <summary>An ARP packet from the link ('length' bytes after the Ethernet header).</summary>
        public void Receive(byte* packet, int length)
        {
            if (!ArpPacket.IsValid(packet, length))
            {
                _counters.Increment(NetworkCounter.ArpMalformed);
                return;
            }
            MacAddress senderMac = ArpPacket.SenderMac(packet);
            Ipv4Address sender = ArpPacket.SenderAddress(packet);
            Ipv4Address target = ArpPacket.TargetAddress(packet);
            if (senderMac.IsMulticast || senderMac == MacAddress.Zero || sender.IsLimitedBroadcast || sender.IsMulticast)
            {
                _counters.Increment(NetworkCounter.ArpMalformed);
                return;
            }
            Ipv4Address local = _owner.LocalAddress;
            // RFC 826's merge: a sender already known is refreshed whoever the packet is for (a probe's sender 0.0.0.0 never is).
            bool merged = false;
            int index = sender.IsAny ? -1 : Find(sender);
            if (index >= 0)
            {
                Learn(index, senderMac);
                merged = true;
            }
            if (local.IsAny || target != local)
                return;
            if (!merged && !sender.IsAny)
            {
                index = Allocate();
                if (index >= 0)
                {
                    _entries[index].Address = sender;
                    Learn(index, senderMac);
                }
            }
            if (ArpPacket.Operation(packet) == ArpPacket.OperationRequest)
            {
                ArpPacket.Write(_packet, ArpPacket.OperationReply, _frames.Link.Address, local, senderMac, sender);
                if (_frames.Send(senderMac, EthernetFrame.EtherTypeArp, _packet, ArpPacket.Length) == Error.None)
                    _counters.Increment(NetworkCounter.ArpRepliesSent);
            }
        }

        /// <summary>Announces our address (gratuitous ARP, RFC 5227 2.3) so that neighbours update their caches.</summary>
        public void Announce()
        {
            Ipv4Address local = _owner.LocalAddress;
            if (local.IsAny)
                return;
            ArpPacket.Write(_packet, ArpPacket.OperationRequest, _frames.Link.Address, local, MacAddress.Zero, local);
            _frames.Send(MacAddress.Broadcast, EthernetFrame.EtherTypeArp, _packet, ArpPacket.Length);
        }

        /// <summary>Forgets every entry and queued datagram (the interface's address changed).</summary>
        public void Flush()
        {
            for (int i = 0; i < Capacity; i++)
                _entries[i].State = EntryState.Free;
            for (int i = 0; i < QueueCapacity; i++)
                if (_queuedLength[i] != 0)
                {
                    _queuedLength[i] = 0;
                    _counters.Increment(NetworkCounter.ArpQueuedDropped);
                }
        }

        // The earliest deadline of any entry, or earlier: lowered whenever an entry's deadline is set, found exactly
        // again by each Tick. The stack asks for it every turn, and a scan of the 32 entries cost about 160 instructions.
        private long _nextDeadline = long.MaxValue;

        public long NextDeadline => _nextDeadline;

        private void SetDeadline(ref Entry entry, long deadline)
        {
            entry.Deadline = deadline;
            if (deadline < _nextDeadline)
                _nextDeadline = deadline;
        }

        public void Tick(long now)
        {
            _nextDeadline = long.MaxValue;
            for (int i = 0; i < Capacity; i++)
            {
                ref Entry entry = ref _entries[i];
                if (entry.State == EntryState.Free)
                    continue;
                if (now < entry.Deadline)
                {
                    if (entry.Deadline < _nextDeadline)
                        _nextDeadline = entry.Deadline;
                    continue;
                }
                if (entry.State == EntryState.Reachable)
                    entry.State = EntryState.Free;
                else if (entry.RequestsSent < MaximumRequests)
                    SendRequest(i);
                else
                {
                    entry.State = EntryState.Free;
                    _counters.Increment(NetworkCounter.ArpResolutionFailures);
                    FailQueued(entry.Address);
                }
            }
        }

        private void SendRequest(int index)
        {
            ref Entry entry = ref _entries[index];
            entry.RequestsSent++;
            SetDeadline(ref entry, _clock.NowMilliseconds + RetryMilliseconds);
            ArpPacket.Write(_packet, ArpPacket.OperationRequest, _frames.Link.Address, _owner.LocalAddress, MacAddress.Zero, entry.Address);
            if (_frames.Send(MacAddress.Broadcast, EthernetFrame.EtherTypeArp, _packet, ArpPacket.Length) == Error.None)
                _counters.Increment(NetworkCounter.ArpRequestsSent);
        }

        private void Learn(int index, MacAddress mac)
        {
            ref Entry entry = ref _entries[index];
            entry.State = EntryState.Reachable;
            entry.Mac = mac;
            SetDeadline(ref entry, _clock.NowMilliseconds + ReachableMilliseconds);
            _counters.Increment(NetworkCounter.ArpCacheUpdates);
            Ipv4Address address = entry.Address;
            // In the order they were queued (a datagram's fragments stay in order).
            int slot;
            while ((slot = OldestQueued(address)) >= 0)
            {
                int length = _queuedLength[slot];
                _queuedLength[slot] = 0;
                _owner.TransmitResolved(mac, _queue + (long)slot * QueueSlotBytes, length);
            }
        }

        private void FailQueued(Ipv4Address address)
        {
            int slot;
            while ((slot = OldestQueued(address)) >= 0)
            {
                int length = _queuedLength[slot];
                _queuedLength[slot] = 0;
                _counters.Increment(NetworkCounter.ArpQueuedDropped);
                _owner.ResolutionFailed(_queue + (long)slot * QueueSlotBytes, length);
            }
        }

        private int OldestQueued(Ipv4Address address)
        {
            int oldest = -1;
            for (int i = 0; i < QueueCapacity; i++)
                if (_queuedLength[i] != 0 && _queuedHop[i] == address && (oldest < 0 || _queuedOrder[i] < _queuedOrder[oldest]))
                    oldest = i;
            return oldest;
        }

        private int Find(Ipv4Address address)
        {
            for (int i = 0; i < Capacity; i++)
                if (_entries[i].State != EntryState.Free && _entries[i].Address == address)
                    return i;
            return -1;
        }

        /// <summary>A free entry, else the reachable one closest to expiry (an entry being resolved is never taken).</summary>
        private int Allocate()
        {
            int victim = -1;
            for (int i = 0; i < Capacity; i++)
            {
                if (_entries[i].State == EntryState.Free)
                    return i;
                if (_entries[i].State == EntryState.Reachable && (victim < 0 || _entries[i].Deadline < _entries[victim].Deadline))
                    victim = i;
            }
            if (victim >= 0)
                _entries[victim].State = EntryState.Free;
            return victim;
        }
    }
}
