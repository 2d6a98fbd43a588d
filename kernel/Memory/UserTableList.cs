namespace Exo.Kernel.Memory
{
    /// <summary>
    /// The user page tables of one address space in the order they were added (a table always after the one that
    /// points at it), so that fork and exit visit the tables that exist instead of scanning every directory's 512
    /// entries to find them (a small program has seven tables in a tree of 256 + 4 x 512 directory entries). At most
    /// <see cref="Capacity"/>; past that the list is abandoned (<see cref="Overflowed"/>) and the owner walks the tree.
    /// Page tables are never removed while the space lives, so the list only grows. The owner's lock guards it.
    /// </summary>
    public unsafe struct UserTableList
    {
        public const int Capacity = 64;

        private fixed ulong _physical[Capacity];
        // The first address the table covers, with its level in the low bits (1 a leaf table, 2 a directory, 3 a
        // directory-pointer table); every table covers at least 2 MiB, so those bits are free.
        private fixed ulong _where[Capacity];
        private int _count;
        private bool _overflowed;

        public int Count => _count;
        public bool Overflowed => _overflowed;
        public ulong PhysicalOf(int index) => _physical[index];
        public ulong AddressOf(int index) => _where[index] & ~0xFFFUL;
        public int LevelOf(int index) => (int)(_where[index] & 3);

        /// <summary>Records a new table at 'level' covering from 'address' (aligned to what a table of that level covers).</summary>
        public void Add(ulong physical, ulong address, int level)
        {
            if (_count == Capacity)
            {
                _overflowed = true;
                return;
            }
            _physical[_count] = physical;
            _where[_count] = address | (ulong)level;
            _count++;
        }

        public void Clear()
        {
            _count = 0;
            _overflowed = false;
        }
    }
}
