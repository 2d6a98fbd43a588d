namespace Exo.Network
{
    /// <summary>
    /// The fixed table of connections: every slot created once, free slots on a stack, a hash of the slots with
    /// a full (or, for listeners, half: remote Any and port 0) address so that a segment finds its connection in
    /// constant time, and an index of the bound slots by local port so that bind, connect and listen check a port
    /// without scanning the table (a table full of TIME-WAIT connections made that scan most of a loopback
    /// connect). The address hash is keyed (the ISN secret), so a flood cannot aim all its SYNs at one chain; the
    /// port index is not, as only the stack's own users choose local ports.
    /// </summary>
    public sealed unsafe class TcpConnectionTable
    {
        private readonly TcpConnection[] _connections;
        private readonly int* _buckets;
        private readonly int _bucketMask;
        private readonly int* _portBuckets;
        private readonly int* _free;
        private int _freeCount;
        private readonly TcpInitialSequence _hash;

        public int Capacity => _connections.Length;
        public int InUse => _connections.Length - _freeCount;
        public TcpConnection this[int slot] => _connections[slot];

        /// <summary>One past the highest slot ever allocated: scans of every connection stop here. Freed slots are
        /// taken again first (the free list is a stack), so this stays near the most connections open at once; a
        /// port check over all 1024 slots was a third of a loopback connect's cost.</summary>
        public int Extent { get; private set; }

        /// <summary>Buckets for a table of 'capacity': the next power of two at or above it.</summary>
        public static int BucketsFor(int capacity)
        {
            int buckets = 1;
            while (buckets < capacity)
                buckets <<= 1;
            return buckets;
        }

        public static ulong WorkspaceBytes(int capacity) => (ulong)(2 * BucketsFor(capacity) + capacity) * sizeof(int);

        public TcpConnectionTable(int capacity, byte* workspace, TcpInitialSequence hash, TcpTimerSummary timers)
        {
            _hash = hash;
            _connections = new TcpConnection[capacity];
            int buckets = BucketsFor(capacity);
            _bucketMask = buckets - 1;
            _buckets = (int*)workspace;
            _portBuckets = _buckets + buckets;
            _free = _portBuckets + buckets;
            for (int i = 0; i < buckets; i++)
                _buckets[i] = _portBuckets[i] = TcpConnection.NoSlot;
            for (int slot = 0; slot < capacity; slot++)
            {
                _connections[slot] = new TcpConnection(slot, timers);
                _connections[slot].Clear();
                _free[slot] = capacity - 1 - slot;   // slot 0 is taken first
            }
            _freeCount = capacity;
        }

        /// <summary>A free slot marked in use, or null when the table is full.</summary>
        public TcpConnection Allocate()
        {
            if (_freeCount == 0)
                return null;
            TcpConnection connection = _connections[_free[--_freeCount]];
            connection.Clear();
            connection.InUse = true;
            if (connection.Slot >= Extent)
                Extent = connection.Slot + 1;
            return connection;
        }

        /// <summary>Gives a slot back (the caller unhashed it and returned its buffers); it leaves the port index here.</summary>
        public void Release(TcpConnection connection)
        {
            if (!connection.InUse)
                return;
            Unbind(connection);
            connection.MarkFree();   // the whole Clear comes when Allocate takes the slot again
            connection.Generation++;
            _free[_freeCount++] = connection.Slot;
        }

        /// <summary>Gives a slot its local address and port and enters it in the port index (once: a bound slot keeps its port).</summary>
        public void Bind(TcpConnection connection, Ipv4Address address, ushort port)
        {
            connection.LocalAddress = address;
            if (connection.Bound)
                return;
            connection.LocalPort = port;
            connection.Bound = true;
            int bucket = port & _bucketMask;
            int head = _portBuckets[bucket];
            connection.PortNext = head;
            connection.PortPrevious = TcpConnection.NoSlot;
            if (head != TcpConnection.NoSlot)
                _connections[head].PortPrevious = connection.Slot;
            _portBuckets[bucket] = connection.Slot;
        }

        // Out of its port's chain in constant time (a listener's port chain holds every child on it, TIME-WAIT ones too).
        private void Unbind(TcpConnection connection)
        {
            if (!connection.Bound)
                return;
            int previous = connection.PortPrevious, next = connection.PortNext;
            if (previous == TcpConnection.NoSlot)
                _portBuckets[connection.LocalPort & _bucketMask] = next;
            else
                _connections[previous].PortNext = next;
            if (next != TcpConnection.NoSlot)
                _connections[next].PortPrevious = previous;
            connection.PortNext = connection.PortPrevious = TcpConnection.NoSlot;
            connection.Bound = false;
        }

        /// <summary>The first slot of the port index's chain for 'port' (follow PortNext; the chain holds other ports too), or NoSlot.</summary>
        public int FirstOnPort(ushort port) => _portBuckets[port & _bucketMask];

        private int Bucket(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort) =>
            (int)(_hash.Hash(local, localPort, remote, remotePort) & (uint)_bucketMask);

        public void Insert(TcpConnection connection)
        {
            if (connection.Hashed)
                return;
            int bucket = Bucket(connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort);
            connection.HashBucket = bucket;
            connection.HashNext = _buckets[bucket];
            _buckets[bucket] = connection.Slot;
            connection.Hashed = true;
        }

        public void Remove(TcpConnection connection)
        {
            if (!connection.Hashed)
                return;
            int bucket = connection.HashBucket;
            int slot = _buckets[bucket];
            if (slot == connection.Slot)
                _buckets[bucket] = connection.HashNext;
            while (slot != TcpConnection.NoSlot && slot != connection.Slot)
            {
                TcpConnection previous = _connections[slot];
                if (previous.HashNext == connection.Slot)
                {
                    previous.HashNext = connection.HashNext;
                    break;
                }
                slot = previous.HashNext;
            }
            connection.HashNext = TcpConnection.NoSlot;
            connection.Hashed = false;
        }

        /// <summary>The connection with exactly this address (a listener has remote Any, port 0), or null.</summary>
        public TcpConnection Find(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort)
        {
            int slot = _buckets[Bucket(local, localPort, remote, remotePort)];
            while (slot != TcpConnection.NoSlot)
            {
                TcpConnection connection = _connections[slot];
                if (connection.LocalPort == localPort && connection.RemotePort == remotePort
                    && connection.LocalAddress == local && connection.RemoteAddress == remote)
                    return connection;
                slot = connection.HashNext;
            }
            return null;
        }

        /// <summary>The listener for a segment to 'local':'localPort': one bound to that address first, then one bound to Any.</summary>
        public TcpConnection FindListener(Ipv4Address local, ushort localPort)
        {
            TcpConnection listener = Find(local, localPort, Ipv4Address.Any, 0);
            if (listener == null || listener.State != TcpState.Listen)
                listener = Find(Ipv4Address.Any, localPort, Ipv4Address.Any, 0);
            return listener != null && listener.State == TcpState.Listen ? listener : null;
        }
    }
}
