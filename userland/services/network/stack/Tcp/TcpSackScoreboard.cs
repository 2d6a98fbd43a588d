namespace Exo.Network
{
    /// <summary>
    /// What the peer's SACK blocks (RFC 2018) said it holds beyond SND.UNA: a few merged ranges of sequence numbers.
    /// In fast recovery the holes below the highest SACKed byte are taken as lost and resent one segment per
    /// duplicate ACK (RFC 6675's idea, without its full pipe estimate); ranges at or below SND.UNA are forgotten.
    /// </summary>
    public unsafe struct TcpSackScoreboard
    {
        public const int MaximumRanges = 8;
        private int _count;
        private fixed uint _left[MaximumRanges];
        private fixed uint _right[MaximumRanges];
        /// <summary>The next sequence recovery would resend (below it, holes were resent already).</summary>
        public uint RetransmitNext;

        public int Count => _count;

        public void Reset(uint unacknowledged)
        {
            _count = 0;
            RetransmitNext = unacknowledged;
        }

        /// <summary>The highest sequence any range reaches, or 'unacknowledged' when none.</summary>
        public uint Highest(uint unacknowledged)
        {
            uint highest = unacknowledged;
            for (int i = 0; i < _count; i++)
                if (TcpSequence.Greater(_right[i], highest))
                    highest = _right[i];
            return highest;
        }

        /// <summary>Adds one block, ignoring it when it is empty or not within (SND.UNA, SND.MAX].</summary>
        public void Add(uint left, uint right, uint unacknowledged, uint sendMaximum)
        {
            if (!TcpSequence.Less(left, right) || TcpSequence.Greater(right, sendMaximum) || TcpSequence.LessOrEqual(right, unacknowledged))
                return;
            if (TcpSequence.Less(left, unacknowledged))
                left = unacknowledged;
            for (int i = 0; i < _count; i++)
            {
                if (TcpSequence.LessOrEqual(left, _right[i]) && TcpSequence.GreaterOrEqual(right, _left[i]))
                {
                    _left[i] = TcpSequence.Min(left, _left[i]);
                    _right[i] = TcpSequence.Max(right, _right[i]);
                    return;
                }
            }
            if (_count == MaximumRanges)
            {
                // Forget the lowest range: the peer repeats its recent blocks, and the lowest will be acknowledged first.
                int lowest = 0;
                for (int i = 1; i < _count; i++)
                    if (TcpSequence.Less(_left[i], _left[lowest]))
                        lowest = i;
                RemoveAt(lowest);
            }
            _left[_count] = left;
            _right[_count] = right;
            _count++;
        }

        /// <summary>SND.UNA advanced: ranges it passed are dropped.</summary>
        public void Acknowledge(uint unacknowledged)
        {
            for (int i = 0; i < _count; i++)
            {
                if (TcpSequence.LessOrEqual(_right[i], unacknowledged))
                {
                    RemoveAt(i);
                    i--;
                }
                else if (TcpSequence.Less(_left[i], unacknowledged))
                {
                    _left[i] = unacknowledged;
                }
            }
            if (TcpSequence.Less(RetransmitNext, unacknowledged))
                RetransmitNext = unacknowledged;
        }

        private void RemoveAt(int index)
        {
            for (int i = index; i + 1 < _count; i++)
            {
                _left[i] = _left[i + 1];
                _right[i] = _right[i + 1];
            }
            _count--;
        }

        /// <summary>
        /// The next hole at or after 'from' and below the highest SACKed byte: its start and how long it is (at most
        /// 'maximum'); false when there is none.
        /// </summary>
        public bool NextHole(uint from, uint unacknowledged, int maximum, out uint start, out int length)
        {
            start = from;
            length = 0;
            uint highest = Highest(unacknowledged);
            bool moved = true;
            while (moved)
            {
                moved = false;
                for (int i = 0; i < _count; i++)
                {
                    if (TcpSequence.GreaterOrEqual(start, _left[i]) && TcpSequence.Less(start, _right[i]))
                    {
                        start = _right[i];
                        moved = true;
                    }
                }
            }
            if (!TcpSequence.Less(start, highest))
                return false;
            uint end = highest;
            for (int i = 0; i < _count; i++)
                if (TcpSequence.Greater(_left[i], start) && TcpSequence.Less(_left[i], end))
                    end = _left[i];
            uint size = end - start;
            length = size > (uint)maximum ? maximum : (int)size;
            return length > 0;
        }
    }
}
