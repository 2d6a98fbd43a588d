using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The loopback interface (127.0.0.0/8 and the host's own address): datagrams sent to this host wait here and are
    /// received on the next Poll, never inside the sender's call (a transport is not re-entered while it sends).
    /// A fixed number of MTU-sized slots; a datagram past them is dropped and counted.
    /// </summary>
    public sealed unsafe class LoopbackQueue
    {
        /// <summary>Enough for one 64 KiB datagram's fragments with room to spare.</summary>
        public const int Capacity = 64;   // a power of two: slots are found with a mask
        public const int SlotBytes = EthernetFrame.MaximumPayload;

        private readonly NetworkCounters _counters;
        private readonly byte* _slots;
        private readonly int* _lengths;
        private int _head;   // the oldest datagram's slot
        private int _count;

        public LoopbackQueue(NetworkCounters counters, ref Workspace workspace)
        {
            _counters = counters;
            _slots = workspace.Take((long)Capacity * SlotBytes);
            _lengths = (int*)workspace.Take(Capacity * sizeof(int));
        }

        public int Count => _count;

        /// <summary>
        /// The next free slot, for a datagram of 'length' bytes written there in place (IP's Send builds a datagram to
        /// this host in its slot, so it is never copied in); <see cref="Commit"/> then queues it. Nothing is queued until then.
        /// </summary>
        public Error Reserve(int length, out byte* slot)
        {
            slot = null;
            if (length <= 0 || length > SlotBytes)
                return Error.MessageTooLong;
            if (_count == Capacity)
            {
                _counters.Increment(NetworkCounter.LoopbackOverflow);
                return Error.NoBufferSpace;
            }
            slot = _slots + (long)((_head + _count) & (Capacity - 1)) * SlotBytes;
            return Error.None;
        }

        /// <summary>Queues the datagram of 'length' bytes written in the slot <see cref="Reserve"/> gave.</summary>
        public void Commit(int length)
        {
            _lengths[(_head + _count) & (Capacity - 1)] = length;
            _count++;
            _counters.Increment(NetworkCounter.LoopbackDatagrams);
            _counters.Add(NetworkCounter.LoopbackBytes, length);
        }

        /// <summary>The oldest datagram, valid until the next Commit or Dequeue.</summary>
        public bool TryPeek(out byte* datagram, out int length)
        {
            datagram = null;
            length = 0;
            if (_count == 0)
                return false;
            datagram = _slots + (long)_head * SlotBytes;
            length = _lengths[_head];
            return true;
        }

        public void Dequeue()
        {
            if (_count == 0)
                return;
            _head = (_head + 1) & (Capacity - 1);
            _count--;
        }
    }
}
