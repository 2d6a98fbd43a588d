namespace Exo.Kernel.Memory
{
    /// <summary>
    /// A sorted set of disjoint physical address ranges [start, end), fixed capacity, no allocation:
    /// the usable memory left once the reserved ranges (kernel image, boot data, modules, low memory)
    /// are cut out of what the firmware calls available.
    /// </summary>
    public unsafe struct PhysicalRangeSet
    {
        public const int Capacity = 128;
        private fixed ulong _starts[Capacity];
        private fixed ulong _ends[Capacity];
        private int _count;
        private bool _overflowed;

        public int Count => _count;
        public bool Overflowed => _overflowed;
        public ulong Start(int index) => _starts[index];
        public ulong End(int index) => _ends[index];

        public ulong TotalBytes
        {
            get
            {
                ulong total = 0;
                for (int i = 0; i < _count; i++)
                    total += _ends[i] - _starts[i];
                return total;
            }
        }

        /// <summary>Adds [start, end), merging with neighbours and overlaps.</summary>
        public void Add(ulong start, ulong end)
        {
            if (end <= start)
                return;
            int index = 0;
            while (index < _count && _ends[index] < start)
                index++;
            // Merge every range that touches or overlaps [start, end).
            int last = index;
            while (last < _count && _starts[last] <= end)
            {
                if (_starts[last] < start) start = _starts[last];
                if (_ends[last] > end) end = _ends[last];
                last++;
            }
            int removed = last - index;
            if (removed == 0)
            {
                if (_count == Capacity)
                {
                    _overflowed = true;
                    return;
                }
                for (int i = _count; i > index; i--)
                {
                    _starts[i] = _starts[i - 1];
                    _ends[i] = _ends[i - 1];
                }
                _count++;
            }
            else if (removed > 1)
            {
                for (int i = index + 1; i + removed - 1 < _count; i++)
                {
                    _starts[i] = _starts[i + removed - 1];
                    _ends[i] = _ends[i + removed - 1];
                }
                _count -= removed - 1;
            }
            _starts[index] = start;
            _ends[index] = end;
        }

        /// <summary>Removes [start, end) from every range, splitting where needed.</summary>
        public void Remove(ulong start, ulong end)
        {
            if (end <= start)
                return;
            for (int i = 0; i < _count; i++)
            {
                ulong rangeStart = _starts[i], rangeEnd = _ends[i];
                if (rangeEnd <= start || rangeStart >= end)
                    continue;
                if (rangeStart < start && rangeEnd > end)
                {
                    // The hole is strictly inside: split in two.
                    if (_count == Capacity)
                    {
                        _overflowed = true;
                        _ends[i] = start;   // keep the lower part only: never hand out the hole
                        continue;
                    }
                    for (int j = _count; j > i + 1; j--)
                    {
                        _starts[j] = _starts[j - 1];
                        _ends[j] = _ends[j - 1];
                    }
                    _count++;
                    _ends[i] = start;
                    _starts[i + 1] = end;
                    _ends[i + 1] = rangeEnd;
                    i++;
                    continue;
                }
                if (rangeStart >= start && rangeEnd <= end)
                {
                    for (int j = i; j + 1 < _count; j++)
                    {
                        _starts[j] = _starts[j + 1];
                        _ends[j] = _ends[j + 1];
                    }
                    _count--;
                    i--;
                    continue;
                }
                if (rangeStart < start)
                    _ends[i] = start;
                else
                    _starts[i] = end;
            }
        }

        /// <summary>Shrinks every range inwards to whole pages; drops ranges with no whole page.</summary>
        public void AlignToPages(ulong pageSize)
        {
            for (int i = 0; i < _count; i++)
            {
                ulong start = (_starts[i] + pageSize - 1) & ~(pageSize - 1);
                ulong end = _ends[i] & ~(pageSize - 1);
                if (end <= start)
                {
                    for (int j = i; j + 1 < _count; j++)
                    {
                        _starts[j] = _starts[j + 1];
                        _ends[j] = _ends[j + 1];
                    }
                    _count--;
                    i--;
                    continue;
                }
                _starts[i] = start;
                _ends[i] = end;
            }
        }

        /// <summary>True if [start, end) shares at least one byte with a range of the set.</summary>
        public bool Overlaps(ulong start, ulong end)
        {
            for (int i = 0; i < _count; i++)
                if (start < _ends[i] && _starts[i] < end)
                    return true;
            return false;
        }

        public bool Contains(ulong address)
        {
            for (int i = 0; i < _count; i++)
                if (address >= _starts[i] && address < _ends[i])
                    return true;
            return false;
        }
    }
}
