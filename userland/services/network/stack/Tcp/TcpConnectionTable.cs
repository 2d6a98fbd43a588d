namespace Exo.Network
{
    /// <summary>
    /// The fixed table of connections: every slot created once, free slots on a stack, and a hash of the slots with
    /// a full (or, for listeners, half: remote Any and port 0) address so that a segment finds its connection in
    /// constant time. The hash is keyed (the ISN secret), so a flood cannot aim all its SYNs at one chain.
    /// </summary>
    public sealed unsafe class TcpConnectionTable
    {
        private readonly TcpConnection[] _connections;
        private readonly int* _buckets;
        private readonly int _bucketMask;
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

        public static ulong WorkspaceBytes(int capacity) => (ulong)(BucketsFor(capacity) + capacity) * sizeof(int);

        public TcpConnectionTable(int capacity, byte* workspace, TcpInitialSequence hash, TcpTimerSummary timers)
        {
            _hash = hash;
            _connections = new TcpConnection[capacity];
            int buckets = BucketsFor(capacity);
            _bucketMask = buckets - 1;
            _buckets = (int*)workspace;
            _free = _buckets + buckets;
            for (int i = 0; i < buckets; i++)
                _buckets[i] = TcpConnection.NoSlot;
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

        /// <summary>Gives a slot back (the caller unhashed it and returned its buffers).</summary>
        public void Release(TcpConnection connection)
        {
            if (!connection.InUse)
                return;
            connection.Clear();
            connection.Generation++;
            _free[_freeCount++] = connection.Slot;
        }

        private int Bucket(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort) =>
            (int)(_hash.Hash(local, localPort, remote, remotePort) & (uint)_bucketMask);

        public void Insert(TcpConnection connection)
        {
            if (connection.Hashed)
                return;
            int bucket = Bucket(connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort);
            connection.HashNext = _buckets[bucket];
            _buckets[bucket] = connection.Slot;
            connection.Hashed = true;
        }

        public void Remove(TcpConnection connection)
        {
            if (!connection.Hashed)
                return;
            int bucket = Bucket(connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort);
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
