namespace Exo.Network
{
    /// <summary>
    /// The bytes a connection has accepted from its owner and the peer has not acknowledged: a ring over memory
    /// from the buffer pool. The first byte is the one at SND.UNA; bytes leave only when acknowledged, so that any
    /// of them can be sent again.
    /// </summary>
    public unsafe struct TcpSendBuffer
    {
        private byte* _memory;
        private int _capacity;
        private int _head;
        private int _count;

        public int Capacity => _capacity;
        public int Count => _count;
        public int Free => _capacity - _count;
        public byte* Memory => _memory;
        public bool IsAttached => _memory != null;

        public void Attach(byte* memory, int capacity)
        {
            _memory = memory;
            _capacity = capacity;
            _head = 0;
            _count = 0;
        }

        public void Detach() => Attach(null, 0);

        /// <summary>Copies up to 'length' bytes in; returns how many fitted.</summary>
        public int Write(byte* source, int length)
        {
            if (length > Free)
                length = Free;
            if (length <= 0)
                return 0;
            int tail = (_head + _count) % _capacity;
            int first = _capacity - tail < length ? _capacity - tail : length;
            Copy(source, _memory + tail, first);
            Copy(source + first, _memory, length - first);
            _count += length;
            return length;
        }

        /// <summary>Drops the first 'length' bytes (the peer acknowledged them).</summary>
        public void Remove(int length)
        {
            if (length > _count)
                length = _count;
            if (length <= 0)
                return;
            _head = (_head + length) % _capacity;
            _count -= length;
        }

        /// <summary>Copies 'length' bytes starting 'offset' bytes after the first into 'destination'.</summary>
        public void CopyOut(int offset, byte* destination, int length)
        {
            if (offset < 0 || length <= 0 || offset + length > _count)
                return;
            int start = (_head + offset) % _capacity;
            int first = _capacity - start < length ? _capacity - start : length;
            Copy(_memory + start, destination, first);
            Copy(_memory, destination + first, length - first);
        }

        internal static void Copy(byte* source, byte* destination, int length)
        {
            if (length > 0)
                System.Buffer.MemoryCopy(source, destination, length, length);
        }
    }
}
