namespace Exo.Network
{
    /// <summary>
    /// The memory every connection's send and receive buffers come from: a region of the stack's workspace cut into
    /// BufferBlockSize blocks, handed out as contiguous runs (first fit) and tracked with one bit per block. A
    /// buffer is taken when a connection starts (connect, or a completed handshake) and given back when it ends, so
    /// the pool's size is the stack's whole buffer memory, whatever the peers do. The last few runs given back are kept
    /// marked in the bitmap (counted free) and handed out again to the next request of the same length: every
    /// connection takes two buffers and gives them back, and marking the bitmap both ways cost about 200 instructions
    /// a buffer. A request no kept run fits and the bitmap cannot satisfy gives them back to the bitmap first.
    /// </summary>
    public sealed unsafe class TcpBufferPool
    {
        private readonly byte* _memory;
        private readonly ulong* _used;
        private readonly int _blocks;
        private int _freeBlocks;
        private int _searchStart;
        private const int KeptRuns = 4;
        private readonly long[] _keptOffsets = new long[KeptRuns];
        private readonly int[] _keptCounts = new int[KeptRuns];
        private int _kept;

        public int TotalBlocks => _blocks;
        public int FreeBlocks => _freeBlocks;

        /// <summary>The workspace a pool of 'blocks' blocks needs (its bitmap included).</summary>
        public static ulong WorkspaceBytes(int blocks) => (ulong)blocks * TcpLimits.BufferBlockSize + BitmapBytes(blocks);

        private static ulong BitmapBytes(int blocks) => (ulong)(blocks + 63) / 64 * 8;

        /// <summary>The blocks a workspace of 'length' bytes holds.</summary>
        public static int BlocksFor(ulong length)
        {
            ulong blocks = length / TcpLimits.BufferBlockSize;   // an upper bound: the bitmap takes the rest
            while (blocks > 0 && WorkspaceBytes((int)blocks) > length)
                blocks--;
            return blocks > int.MaxValue / 2 ? int.MaxValue / 2 : (int)blocks;
        }

        public TcpBufferPool(byte* workspace, int blocks)
        {
            _used = (ulong*)workspace;
            _memory = workspace + BitmapBytes(blocks);
            _blocks = blocks;
            _freeBlocks = blocks;
            for (ulong i = 0; i < BitmapBytes(blocks) / 8; i++)
                _used[i] = 0;
        }

        /// <summary>'bytes' rounded up to whole blocks.</summary>
        public static int RoundUp(int bytes) => (bytes + TcpLimits.BufferBlockSize - 1) / TcpLimits.BufferBlockSize * TcpLimits.BufferBlockSize;

        // A word of the bitmap at a time (a 64 KiB buffer is 16 blocks: one mask, not 16 bit operations). The caller
        // counts the blocks (free or used).
        private void Mark(int first, int count, bool used)
        {
            int block = first, end = first + count;
            while (block < end)
            {
                int bit = block & 63;
                int take = 64 - bit < end - block ? 64 - bit : end - block;
                ulong mask = (take == 64 ? ulong.MaxValue : (1UL << take) - 1) << bit;
                if (used)
                    _used[block >> 6] |= mask;
                else
                    _used[block >> 6] &= ~mask;
                block += take;
            }
        }

        /// <summary>A run of RoundUp(bytes) bytes, or null when no run is free that long.</summary>
        public byte* Allocate(int bytes)
        {
            int count = RoundUp(bytes) / TcpLimits.BufferBlockSize;
            if (count <= 0 || count > _freeBlocks)
                return null;
            for (int i = _kept - 1; i >= 0; i--)
            {
                if (_keptCounts[i] != count)
                    continue;
                long offset = _keptOffsets[i];
                _kept--;
                _keptOffsets[i] = _keptOffsets[_kept];
                _keptCounts[i] = _keptCounts[_kept];
                _freeBlocks -= count;
                return _memory + offset;
            }
            byte* run = FirstFit(count);
            if (run == null && _kept > 0)
            {
                GiveBackKept();
                run = FirstFit(count);
            }
            return run;
        }

        // The kept runs go back to the bitmap (they are counted free already).
        private void GiveBackKept()
        {
            for (int i = 0; i < _kept; i++)
                Mark((int)(_keptOffsets[i] / TcpLimits.BufferBlockSize), _keptCounts[i], false);
            _kept = 0;
        }

        private byte* FirstFit(int count)
        {
            // First fit from where the last allocation ended, wrapping once: spreads buffers and keeps the scan short.
            for (int pass = 0; pass < 2; pass++)
            {
                int start = pass == 0 ? _searchStart : 0;
                // The second pass runs on past the first's start far enough for a run that straddles it.
                int end = pass == 0 ? _blocks : (_searchStart + count - 1 < _blocks ? _searchStart + count - 1 : _blocks);
                // A word of the bitmap at a time: a run of used bits is skipped and a run of free ones counted with
                // one bit scan each (a block at a time, finding 16 free blocks took about 60 bit tests).
                int run = 0;
                int block = start;
                while (block < end)
                {
                    int bit = block & 63, left = 64 - bit;
                    ulong word = _used[block >> 6] >> bit;   // this block's bit first; zeros shifted in past the word's end
                    if ((word & 1) != 0)
                    {
                        block += System.Numerics.BitOperations.TrailingZeroCount(~word);   // the used bits here (at most 'left')
                        run = 0;
                        continue;
                    }
                    int free = word == 0 ? left : System.Numerics.BitOperations.TrailingZeroCount(word);
                    if (free > end - block)
                        free = end - block;
                    if (run + free >= count)
                    {
                        int first = block - run;
                        Mark(first, count, true);
                        _freeBlocks -= count;
                        _searchStart = first + count == _blocks ? 0 : first + count;
                        return _memory + (long)first * TcpLimits.BufferBlockSize;
                    }
                    run += free;
                    block += free;
                }
            }
            return null;
        }

        /// <summary>Gives back a run Allocate returned for 'bytes'.</summary>
        public void Free(byte* memory, int bytes)
        {
            if (memory == null)
                return;
            long offset = memory - _memory;
            int count = RoundUp(bytes) / TcpLimits.BufferBlockSize;
            if (offset < 0 || offset % TcpLimits.BufferBlockSize != 0 || offset / TcpLimits.BufferBlockSize + count > _blocks)
                return;
            _freeBlocks += count;
            if (_kept < KeptRuns)
            {
                _keptOffsets[_kept] = offset;
                _keptCounts[_kept] = count;
                _kept++;
                return;
            }
            Mark((int)(offset / TcpLimits.BufferBlockSize), count, false);
        }
    }
}
