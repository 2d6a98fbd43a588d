namespace Exo.Network
{
    /// <summary>
    /// Connections in TIME-WAIT in the order their 2 MSL runs out, so that a full table recycles the one closest to
    /// its end without scanning every slot (a loopback client leaves one TIME-WAIT per connection: the table is full
    /// of them after 1024). Every entry goes in at the tail with its deadline, which is always now + 2 MSL, so the
    /// queue is in deadline order. Entries are not removed when a connection leaves TIME-WAIT or restarts its
    /// timeout: each is checked when it reaches the head (same slot generation, still in TIME-WAIT, the same
    /// deadline) and dropped when stale. When the ring is full the oldest entry is dropped; the stack then falls back
    /// to its scan, so the queue only ever saves work, never decides alone.
    /// </summary>
    public sealed class TcpTimeWaitQueue
    {
        private struct Entry
        {
            public int Slot;
            public ushort Generation;
            public long Deadline;
        }

        private readonly Entry[] _entries;
        private int _head, _count;

        /// <summary>A queue for a table of 'connections' slots: room for each to enter TIME-WAIT and restart it once.</summary>
        public TcpTimeWaitQueue(int connections)
        {
            _entries = new Entry[2 * connections];
        }

        public int Count => _count;

        /// <summary>Records that 'connection' is in TIME-WAIT until its TimeWaitDeadline (on entry, and on every restart).</summary>
        public void Add(TcpConnection connection)
        {
            if (_count == _entries.Length)
            {
                _head = (_head + 1) % _entries.Length;   // the oldest is forgotten: the stack's scan still finds it
                _count--;
            }
            ref Entry entry = ref _entries[(_head + _count) % _entries.Length];
            entry.Slot = connection.Slot;
            entry.Generation = connection.Generation;
            entry.Deadline = connection.TimeWaitDeadline;
            _count++;
        }

        /// <summary>
        /// The orphan in TIME-WAIT whose timeout ends first, taken off the queue, or null when the queue knows none.
        /// Owned connections in TIME-WAIT (their owner has not closed yet) are passed over and dropped.
        /// </summary>
        public TcpConnection TakeOldest(TcpConnectionTable table)
        {
            while (_count > 0)
            {
                Entry entry = _entries[_head];
                _head = (_head + 1) % _entries.Length;
                _count--;
                TcpConnection connection = table[entry.Slot];
                if (connection.InUse && connection.Generation == entry.Generation && connection.State == TcpState.TimeWait
                    && connection.TimeWaitDeadline == entry.Deadline && !connection.Owned)
                    return connection;
            }
            return null;
        }
    }
}
