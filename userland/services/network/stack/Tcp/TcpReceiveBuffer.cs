namespace Exo.Network
{
    /// <summary>
    /// The bytes received and not yet read, as a ring over memory from the buffer pool: first the in-order bytes
    /// (up to RCV.NXT) the owner can read, then the window, where out-of-order segments are stored at their place
    /// and remembered as ranges (offsets from RCV.NXT) until the hole before them fills. The ranges give the SACK
    /// blocks (RFC 2018), the most recently changed one first.
    /// </summary>
    public unsafe struct TcpReceiveBuffer
    {
        private byte* _memory;
        private int _capacity;
        private int _head;
        private int _readable;
        private int _rangeCount;
        private int _latestRange;
        private fixed int _rangeStart[TcpLimits.MaximumOutOfOrderRanges];
        private fixed int _rangeEnd[TcpLimits.MaximumOutOfOrderRanges];

        public int Capacity => _capacity;
        /// <summary>In-order bytes waiting for the owner.</summary>
        public int Readable => _readable;
        /// <summary>Room after RCV.NXT: the largest window this buffer can honour.</summary>
        public int Space => _capacity - _readable;
        public int OutOfOrderRanges => _rangeCount;
        public bool IsAttached => _memory != null;
        public byte* Memory => _memory;

        public void Attach(byte* memory, int capacity)
        {
            _memory = memory;
            _capacity = capacity;
            _head = 0;
            _readable = 0;
            _rangeCount = 0;
            _latestRange = 0;
        }

        public void Detach() => Attach(null, 0);

        /// <summary>
        /// Stores 'length' bytes that belong 'offset' bytes after RCV.NXT (offset &gt;= 0); what lies past the buffer's
        /// room is cut off. Returns how far RCV.NXT advances (0 for out-of-order data), or -1 when the segment was
        /// dropped: out-of-order data that would need a range beyond MaximumOutOfOrderRanges.
        /// </summary>
        public int Insert(int offset, byte* data, int length)
        {
            if (offset < 0 || length <= 0 || offset >= Space)
                return length <= 0 ? 0 : -1;
            if (length > Space - offset)
                length = Space - offset;
            if (offset > 0 && !AddRange(offset, offset + length))
                return -1;
            int position = (_head + _readable + offset) % _capacity;
            int first = _capacity - position < length ? _capacity - position : length;
            TcpSendBuffer.Copy(data, _memory + position, first);
            TcpSendBuffer.Copy(data + first, _memory, length - first);
            if (offset > 0)
                return 0;
            return Advance(length);
        }

        /// <summary>Moves RCV.NXT by 'length' in-order bytes, then through every range that now touches it.</summary>
        private int Advance(int length)
        {
            int advanced = length;
            _readable += length;
            ShiftRanges(length);
            // A range starting at (or before) the new RCV.NXT is contiguous now.
            for (int i = 0; i < _rangeCount; i++)
            {
                if (_rangeStart[i] <= 0)
                {
                    int more = _rangeEnd[i];
                    RemoveRange(i);
                    _readable += more;
                    advanced += more;
                    ShiftRanges(more);
                    i = -1;   // shifting may have made another range contiguous
                }
            }
            return advanced;
        }

        private void ShiftRanges(int by)
        {
            for (int i = 0; i < _rangeCount; i++)
            {
                _rangeStart[i] -= by;
                _rangeEnd[i] -= by;
                if (_rangeEnd[i] <= 0)
                {
                    RemoveRange(i);
                    i--;
                }
            }
        }

        private void RemoveRange(int index)
        {
            for (int i = index; i + 1 < _rangeCount; i++)
            {
                _rangeStart[i] = _rangeStart[i + 1];
                _rangeEnd[i] = _rangeEnd[i + 1];
            }
            _rangeCount--;
            if (_latestRange > index)
                _latestRange--;
            else if (_latestRange == index)
                _latestRange = 0;
        }

        /// <summary>Adds [start, end) to the ranges, merging it with every range it overlaps or touches.</summary>
        private bool AddRange(int start, int end)
        {
            int merged = -1;
            for (int i = 0; i < _rangeCount; i++)
            {
                if (start <= _rangeEnd[i] && end >= _rangeStart[i])
                {
                    if (merged < 0)
                    {
                        merged = i;
                        if (start < _rangeStart[i]) _rangeStart[i] = start;
                        if (end > _rangeEnd[i]) _rangeEnd[i] = end;
                    }
                    else
                    {
                        if (_rangeStart[i] < _rangeStart[merged]) _rangeStart[merged] = _rangeStart[i];
                        if (_rangeEnd[i] > _rangeEnd[merged]) _rangeEnd[merged] = _rangeEnd[i];
                        RemoveRange(i);
                        if (merged > i) merged--;
                        i--;
                    }
                }
            }
            if (merged >= 0)
            {
                _latestRange = merged;
                return true;
            }
            if (_rangeCount == TcpLimits.MaximumOutOfOrderRanges)
                return false;
            _rangeStart[_rangeCount] = start;
            _rangeEnd[_rangeCount] = end;
            _latestRange = _rangeCount;
            _rangeCount++;
            return true;
        }

        /// <summary>Copies up to 'length' in-order bytes out and frees their room; returns how many.</summary>
        public int Read(byte* destination, int length)
        {
            length = Peek(destination, length);
            _head = (_head + length) % _capacity;
            _readable -= length;
            return length;
        }

        /// <summary>Copies up to 'length' readable bytes without consuming them (MSG_PEEK); returns how many.</summary>
        public int Peek(byte* destination, int length)
        {
            if (length > _readable)
                length = _readable;
            if (length <= 0)
                return 0;
            int first = _capacity - _head < length ? _capacity - _head : length;
            TcpSendBuffer.Copy(_memory + _head, destination, first);
            TcpSendBuffer.Copy(_memory, destination + first, length - first);
            return length;
        }

        /// <summary>Writes up to 'maximum' SACK blocks (sequence numbers, given RCV.NXT), the latest changed first; returns how many.</summary>
        public int SackBlocks(uint receiveNext, uint* left, uint* right, int maximum)
        {
            int count = 0;
            if (_rangeCount == 0 || maximum <= 0)
                return 0;
            left[count] = receiveNext + (uint)_rangeStart[_latestRange];
            right[count] = receiveNext + (uint)_rangeEnd[_latestRange];
            count++;
            for (int i = 0; i < _rangeCount && count < maximum; i++)
            {
                if (i == _latestRange)
                    continue;
                left[count] = receiveNext + (uint)_rangeStart[i];
                right[count] = receiveNext + (uint)_rangeEnd[i];
                count++;
            }
            return count;
        }

        /// <summary>Whether 'offset' (from RCV.NXT) falls in data stored out of order already.</summary>
        public bool HoldsOffset(int offset)
        {
            for (int i = 0; i < _rangeCount; i++)
                if (offset >= _rangeStart[i] && offset < _rangeEnd[i])
                    return true;
            return false;
        }
    }
}
