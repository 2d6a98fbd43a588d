namespace Exo.Kernel.Memory
{
    /// <summary>
    /// An address space's large private reservations kept as ranges instead of page-table entries (a Linux
    /// program's 8 MiB stack is 2,048 reserved pages of which it touches a few): a page in a range with no entry of
    /// its own is reserved with the range's entry value, and the first touch writes its entry as it would for a
    /// reserved entry. So page tables hold only what was touched, and fork copies and exit frees only that. A range
    /// is at least <see cref="MinimumPages"/> pages (smaller ones are entries as before), at most
    /// <see cref="Capacity"/> at once. The owner (AddressSpace) guards it with its lock.
    /// </summary>
    public unsafe struct DeferredReservations
    {
        public const int Capacity = 16;
        /// <summary>Below one page table's worth, entries cost no more than a range.</summary>
        public const ulong MinimumPages = 512;

        private fixed ulong _start[Capacity];
        private fixed ulong _end[Capacity];
        private fixed ulong _value[Capacity];
        private int _count;

        public int Count => _count;
        public bool IsFull => _count == Capacity;
        public ulong StartOf(int index) => _start[index];
        public ulong EndOf(int index) => _end[index];
        public ulong ValueOf(int index) => _value[index];

        /// <summary>The range holding 'address', or -1.</summary>
        public int Find(ulong address)
        {
            for (int i = 0; i < _count; i++)
                if (_start[i] <= address && address < _end[i])
                    return i;
            return -1;
        }

        /// <summary>Whether any range meets [start, end).</summary>
        public bool Overlaps(ulong start, ulong end)
        {
            for (int i = 0; i < _count; i++)
                if (_start[i] < end && start < _end[i])
                    return true;
            return false;
        }

        /// <summary>Records [start, end) as reserved with 'value'; false when full.</summary>
        public bool Add(ulong start, ulong end, ulong value)
        {
            if (_count == Capacity)
                return false;
            _start[_count] = start;
            _end[_count] = end;
            _value[_count] = value;
            _count++;
            return true;
        }

        /// <summary>Forgets range 'index'.</summary>
        public void Remove(int index)
        {
            _count--;
            _start[index] = _start[_count];
            _end[index] = _end[_count];
            _value[index] = _value[_count];
        }

        /// <summary>The first range that meets [start, end), or -1.</summary>
        public int FirstOverlapping(ulong start, ulong end)
        {
            for (int i = 0; i < _count; i++)
                if (_start[i] < end && start < _end[i])
                    return i;
            return -1;
        }

        /// <summary>
        /// Takes the page at 'page' out of range 'index': the range shrinks from an end, or splits in two. False when a
        /// split needs a slot and none is free (the caller turns the range into entries first).
        /// </summary>
        public bool Carve(int index, ulong page) => Carve(index, page, page + 0x1000);

        /// <summary>
        /// Takes [from, to) out of range 'index' (clipped to it): the range goes, shrinks from an end, or splits in two.
        /// False when a split needs a slot and none is free.
        /// </summary>
        public bool Carve(int index, ulong from, ulong to)
        {
            ulong start = _start[index], end = _end[index];
            if (from < start)
                from = start;
            if (to > end)
                to = end;
            if (from >= to)
                return true;
            if (start == from && to == end)
                Remove(index);
            else if (start == from)
                _start[index] = to;
            else if (to == end)
                _end[index] = from;
            else if (_count == Capacity)
                return false;
            else
            {
                _end[index] = from;
                Add(to, end, _value[index]);
            }
            return true;
        }

        public void Clear() => _count = 0;
    }
}
