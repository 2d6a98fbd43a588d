using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// A write-back cache of file system blocks with an explicit size: <see cref="Capacity"/> slots of one block each,
    /// in memory the owner provides (<see cref="WorkspaceBytes"/>). A block read stays until evicted (least recently
    /// used first); a changed block is marked dirty and reaches the disk when evicted or at <see cref="Flush"/>.
    /// A pointer returned by <see cref="Get"/> stays valid while fewer than <see cref="MinimumCapacity"/> - 1 other
    /// blocks are fetched: callers hold at most a few blocks at once and copy anything they keep longer.
    /// </summary>
    public sealed unsafe class BlockCache
    {
        public const int MinimumCapacity = 16;
        /// <summary>The most dirty blocks Flush hands the device in one call.</summary>
        private const int FlushBatch = 32;
        private const byte Empty = 0, Clean = 1, Dirty = 2;
        private const int None = -1;
        /// <summary>Bytes each slot needs besides its block: its number, hash chain, place in the LRU list, bucket, place in
        /// the dirty list and its entry there, state, checked mark.</summary>
        public const int SlotOverhead = 8 + 4 + 4 + 4 + 4 + 4 + 4 + 1 + 1;

        private readonly IBlockDevice _device;
        private readonly uint _blockSize;
        private readonly uint _sectorsPerBlock;
        private readonly ulong _deviceBlocks;
        private readonly int _capacity;
        private readonly byte* _data;
        private readonly ulong* _blockNumbers;
        // A cached block is found by hash: each bucket heads a chain of slots (_chainNext). Slots with a block are also in
        // one list from the most to the least recently used (_newer, _older); empty slots are chained from _free.
        private readonly int* _chainNext;
        private readonly int* _newer;
        private readonly int* _older;
        private readonly int* _buckets;
        private readonly int _bucketShift;
        private readonly byte* _states;
        // The dirty slots, in no order: _dirtySlots[0.._dirtyCount) and each one's index there (_dirtyPlace), so that
        // Flush visits only them (a scan of every slot was 36,000 instructions of each fsync with a 4 MiB cache).
        private readonly int* _dirtySlots;
        private readonly int* _dirtyPlace;
        // Set once the file system has checked the block's checksum since it came from the disk (or sealed it itself):
        // a directory or bitmap block used again is not checksummed again (4 KiB of CRC per access).
        private readonly byte* _checked;
        private int _free, _newest = None, _oldest = None;
        private int _dirtyCount;
        /// <summary>A block reached the device since its last flush: only then does Flush ask the device to flush.</summary>
        private bool _writtenSinceFlush;

        public int Capacity => _capacity;
        public uint BlockSize => _blockSize;
        public ulong DeviceBlocks => _deviceBlocks;
        public IBlockDevice Device => _device;

        /// <summary>The memory a cache of 'capacity' blocks of 'blockSize' bytes needs.</summary>
        public static ulong WorkspaceBytes(int capacity, uint blockSize) => (ulong)capacity * (blockSize + SlotOverhead);

        /// <summary>'blockSize' is a multiple of the device's sector size; 'workspace' holds WorkspaceBytes(capacity, blockSize).</summary>
        public BlockCache(IBlockDevice device, uint blockSize, int capacity, byte* workspace)
        {
            _device = device;
            _blockSize = blockSize;
            _sectorsPerBlock = blockSize / device.SectorSize;
            _deviceBlocks = device.SectorCount / _sectorsPerBlock;
            _capacity = capacity;
            _data = workspace;
            _blockNumbers = (ulong*)(workspace + (ulong)capacity * blockSize);
            _chainNext = (int*)(_blockNumbers + capacity);
            _newer = _chainNext + capacity;
            _older = _newer + capacity;
            _buckets = _older + capacity;
            _dirtySlots = _buckets + capacity;
            _dirtyPlace = _dirtySlots + capacity;
            _states = (byte*)(_dirtyPlace + capacity);
            _checked = _states + capacity;
            // As many buckets as the largest power of two not above the capacity: chains of one or two slots.
            int bits = 0;
            while ((2 << bits) <= capacity)
                bits++;
            _bucketShift = 64 - bits;
            for (int i = 0; i < (1 << bits); i++)
                _buckets[i] = None;
            for (int i = 0; i < capacity; i++)
            {
                _states[i] = Empty;
                _chainNext[i] = i + 1 < capacity ? i + 1 : None;
            }
            _free = 0;
        }

        private byte* SlotData(int slot) => _data + (ulong)slot * _blockSize;

        private int BucketOf(ulong block) => _bucketShift == 64 ? 0 : (int)((block * 0x9E3779B97F4A7C15UL) >> _bucketShift);

        private int Find(ulong block)
        {
            for (int slot = _buckets[BucketOf(block)]; slot != None; slot = _chainNext[slot])
                if (_blockNumbers[slot] == block)
                    return slot;
            return None;
        }

        // The LRU list: a slot taken out of it, put at its newest end.
        private void Unlink(int slot)
        {
            if (_newer[slot] != None) _older[_newer[slot]] = _older[slot]; else _newest = _older[slot];
            if (_older[slot] != None) _newer[_older[slot]] = _newer[slot]; else _oldest = _newer[slot];
        }

        private void MakeNewest(int slot)
        {
            _newer[slot] = None;
            _older[slot] = _newest;
            if (_newest != None) _newer[_newest] = slot; else _oldest = slot;
            _newest = slot;
        }

        private void RemoveFromChain(int slot)
        {
            int* link = _buckets + BucketOf(_blockNumbers[slot]);
            while (*link != slot)
                link = _chainNext + *link;
            *link = _chainNext[slot];
        }

        /// <summary>A slot for a new block, out of every list: an empty one, else the least recently used after writing it back.</summary>
        private Error Claim(out int slot)
        {
            slot = _free;
            if (slot != None)
            {
                _free = _chainNext[slot];
                return Error.None;
            }
            slot = _oldest;
            Error error = WriteBack(slot);
            if (error != Error.None)
                return error;
            Unlink(slot);
            RemoveFromChain(slot);
            _states[slot] = Empty;
            return Error.None;
        }

        // Gives a claimed slot back unused (its read failed).
        private void Release(int slot)
        {
            _chainNext[slot] = _free;
            _free = slot;
        }

        private Error WriteBack(int slot)
        {
            if (_states[slot] != Dirty)
                return Error.None;
            Error error = _device.Write(_blockNumbers[slot] * _sectorsPerBlock, _sectorsPerBlock, SlotData(slot));
            if (error == Error.None)
            {
                MarkClean(slot);
                _writtenSinceFlush = true;
            }
            return error;
        }

        // A dirty slot written: out of the dirty list (the last entry takes its place).
        private void MarkClean(int slot)
        {
            int place = _dirtyPlace[slot], last = _dirtySlots[--_dirtyCount];
            _dirtySlots[place] = last;
            _dirtyPlace[last] = place;
            _states[slot] = Clean;
        }

        /// <summary>The block's bytes, read from the device if not cached. A block beyond the device is EIO.</summary>
        public Error Get(ulong block, out byte* data) => Fetch(block, true, out data);

        /// <summary>Whether the block is cached (then it, not the device, has the block's latest bytes).</summary>
        public bool Holds(ulong block) => Find(block) >= 0;

        /// <summary>
        /// How many of the 'count' blocks from 'first' on come before the first one whose cached bytes are newer than the
        /// disk's (dirty); 'count' if none is. A run of clean or uncached blocks reads the same from the disk as from
        /// the cache. A short dirty list is searched whole, a long one block by block.
        /// </summary>
        public uint CleanPrefix(ulong first, uint count)
        {
            if (_dirtyCount <= ShortDirtyList)
            {
                uint clean = count;
                for (int i = 0; i < _dirtyCount; i++)
                {
                    ulong offset = _blockNumbers[_dirtySlots[i]] - first;   // wraps above 'count' for blocks before 'first'
                    if (offset < clean)
                        clean = (uint)offset;
                }
                return clean;
            }
            for (uint i = 0; i < count; i++)
            {
                int slot = Find(first + i);
                if (slot >= 0 && _states[slot] == Dirty)
                    return i;
            }
            return count;
        }

        private const int ShortDirtyList = 64;

        /// <summary>
        /// Reads 'blocks' blocks from 'block' on straight into 'destination', around the cache (one device request for
        /// a run of a large read, and no eviction of what the cache holds). The caller checked that none of them is
        /// newer in the cache (<see cref="CleanPrefix"/>). Blocks beyond the device are EIO.
        /// </summary>
        public Error ReadAround(ulong block, uint blocks, byte* destination)
        {
            if (block >= _deviceBlocks || blocks > _deviceBlocks - block)
                return Error.InputOutput;
            return _device.Read(block * _sectorsPerBlock, blocks * _sectorsPerBlock, destination);
        }

        /// <summary>
        /// The block's slot for a caller about to write all of it: its cached bytes if it is cached, else a slot not read
        /// from the device (its bytes undefined until the caller writes them, then MarkDirty). A whole-block write of a
        /// file waits for no read (pwrite of 4 KiB over 1 KiB blocks read four blocks first, each a device round trip).
        /// </summary>
        public Error GetToOverwrite(ulong block, out byte* data) => Fetch(block, false, out data);

        /// <summary>The block's slot, zeroed and dirty, without reading it (for a block about to be wholly written).</summary>
        public Error GetZeroed(ulong block, out byte* data)
        {
            Error error = Fetch(block, false, out data);
            if (error != Error.None)
                return error;
            ByteCopy.Zero(data, _blockSize);
            MarkDirty(data);
            return Error.None;
        }

        private Error Fetch(ulong block, bool read, out byte* data)
        {
            data = null;
            if (block >= _deviceBlocks)
                return Error.InputOutput;
            int slot = Find(block);
            if (slot == None)
            {
                Error error = Claim(out slot);
                if (error != Error.None)
                    return error;
                if (read)
                {
                    error = _device.Read(block * _sectorsPerBlock, _sectorsPerBlock, SlotData(slot));
                    if (error != Error.None)
                    {
                        Release(slot);
                        return error;
                    }
                }
                _blockNumbers[slot] = block;
                _states[slot] = Clean;
                _checked[slot] = 0;
                int bucket = BucketOf(block);
                _chainNext[slot] = _buckets[bucket];
                _buckets[bucket] = slot;
            }
            else
                Unlink(slot);
            MakeNewest(slot);
            data = SlotData(slot);
            return Error.None;
        }

        /// <summary>Whether the cached block at 'data' (from Get) was marked checked since it came from the disk.</summary>
        public bool IsChecked(byte* data)
        {
            ulong slot = (ulong)(data - _data) / _blockSize;
            return slot < (ulong)_capacity && _checked[slot] != 0;
        }

        /// <summary>Marks the cached block at 'data' as checked (its checksum verified, or just computed by its writer).</summary>
        public void MarkChecked(byte* data)
        {
            ulong slot = (ulong)(data - _data) / _blockSize;
            if (slot < (ulong)_capacity)
                _checked[slot] = 1;
        }

        /// <summary>Records that the cached block at 'data' (from Get) changed.</summary>
        public void MarkDirty(byte* data)
        {
            ulong slot = (ulong)(data - _data) / _blockSize;
            if (slot < (ulong)_capacity && _states[slot] == Clean)
            {
                _states[slot] = Dirty;
                _dirtyPlace[slot] = _dirtyCount;
                _dirtySlots[_dirtyCount++] = (int)slot;
            }
        }

        /// <summary>Writes every dirty block, then flushes the device if anything was written since its last flush.</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // a batch's runs and slots are written before they are read
        public Error Flush()
        {
            // The dirty blocks in batches, each one call with every block in it (IBlockDevice.WriteRuns: in flight
            // together); a failed batch's blocks stay dirty (written again at the next flush or eviction).
            Error first = Error.None;
            SectorRun* runs = stackalloc SectorRun[FlushBatch];
            int* slots = stackalloc int[FlushBatch];
            // A batch is the dirty list's entries from 'next' on: written, they leave the list (entries from its end
            // take their places, the next batch); failed, 'next' passes them.
            for (int next = 0; next < _dirtyCount;)
            {
                int n = 0;
                for (; n < FlushBatch && next + n < _dirtyCount; n++)
                {
                    int slot = _dirtySlots[next + n];
                    runs[n] = new SectorRun { Sector = _blockNumbers[slot] * _sectorsPerBlock, Count = _sectorsPerBlock, Data = SlotData(slot) };
                    slots[n] = slot;
                }
                Error error = _device.WriteRuns(runs, n);
                if (error != Error.None)
                {
                    if (first == Error.None)
                        first = error;
                    next += n;
                    continue;
                }
                for (int k = 0; k < n; k++)
                    MarkClean(slots[k]);
                _writtenSinceFlush = true;
            }
            if (first != Error.None)
                return first;
            if (_device.IsReadOnly || !_writtenSinceFlush)
                return Error.None;
            Error flushed = _device.Flush();
            if (flushed == Error.None)
                _writtenSinceFlush = false;
            return flushed;
        }

        /// <summary>How many cached blocks wait to be written.</summary>
        public int DirtyBlocks => _dirtyCount;
    }
}
