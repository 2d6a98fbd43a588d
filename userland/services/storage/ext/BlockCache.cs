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
        private const byte Empty = 0, Clean = 1, Dirty = 2;

        private readonly IBlockDevice _device;
        private readonly uint _blockSize;
        private readonly uint _sectorsPerBlock;
        private readonly ulong _deviceBlocks;
        private readonly int _capacity;
        private readonly byte* _data;
        private readonly ulong* _blockNumbers;
        private readonly ulong* _lastUse;
        private readonly byte* _states;
        private ulong _clock;
        /// <summary>A block reached the device since its last flush: only then does Flush ask the device to flush.</summary>
        private bool _writtenSinceFlush;

        public int Capacity => _capacity;
        public uint BlockSize => _blockSize;
        public ulong DeviceBlocks => _deviceBlocks;
        public IBlockDevice Device => _device;

        /// <summary>The memory a cache of 'capacity' blocks of 'blockSize' bytes needs.</summary>
        public static ulong WorkspaceBytes(int capacity, uint blockSize) => (ulong)capacity * (blockSize + 17);

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
            _lastUse = _blockNumbers + capacity;
            _states = (byte*)(_lastUse + capacity);
            for (int i = 0; i < capacity; i++)
                _states[i] = Empty;
        }

        private byte* SlotData(int slot) => _data + (ulong)slot * _blockSize;

        private int Find(ulong block)
        {
            for (int i = 0; i < _capacity; i++)
                if (_states[i] != Empty && _blockNumbers[i] == block)
                    return i;
            return -1;
        }

        /// <summary>A slot for a new block: an empty one, else the least recently used after writing it back.</summary>
        private Error Claim(out int slot)
        {
            slot = -1;
            ulong oldest = ulong.MaxValue;
            for (int i = 0; i < _capacity; i++)
            {
                if (_states[i] == Empty)
                {
                    slot = i;
                    return Error.None;
                }
                if (_lastUse[i] < oldest)
                {
                    oldest = _lastUse[i];
                    slot = i;
                }
            }
            Error error = WriteBack(slot);
            if (error != Error.None)
                return error;
            _states[slot] = Empty;
            return Error.None;
        }

        private Error WriteBack(int slot)
        {
            if (_states[slot] != Dirty)
                return Error.None;
            Error error = _device.Write(_blockNumbers[slot] * _sectorsPerBlock, _sectorsPerBlock, SlotData(slot));
            if (error == Error.None)
            {
                _states[slot] = Clean;
                _writtenSinceFlush = true;
            }
            return error;
        }

        /// <summary>The block's bytes, read from the device if not cached. A block beyond the device is EIO.</summary>
        public Error Get(ulong block, out byte* data) => Fetch(block, true, out data);

        /// <summary>Whether the block is cached (then it, not the device, has the block's latest bytes).</summary>
        public bool Holds(ulong block) => Find(block) >= 0;

        /// <summary>
        /// Reads 'blocks' blocks from 'block' on straight into 'destination', around the cache (one device request for
        /// a run of a large read, and no eviction of what the cache holds). The caller checked that none of them is
        /// cached (<see cref="Holds"/>). Blocks beyond the device are EIO.
        /// </summary>
        public Error ReadAround(ulong block, uint blocks, byte* destination)
        {
            if (block >= _deviceBlocks || blocks > _deviceBlocks - block)
                return Error.InputOutput;
            return _device.Read(block * _sectorsPerBlock, blocks * _sectorsPerBlock, destination);
        }

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
            if (slot < 0)
            {
                Error error = Claim(out slot);
                if (error != Error.None)
                    return error;
                if (read)
                {
                    error = _device.Read(block * _sectorsPerBlock, _sectorsPerBlock, SlotData(slot));
                    if (error != Error.None)
                        return error;
                }
                _blockNumbers[slot] = block;
                _states[slot] = Clean;
            }
            _lastUse[slot] = ++_clock;
            data = SlotData(slot);
            return Error.None;
        }

        /// <summary>Records that the cached block at 'data' (from Get) changed.</summary>
        public void MarkDirty(byte* data)
        {
            ulong slot = (ulong)(data - _data) / _blockSize;
            if (slot < (ulong)_capacity && _states[slot] != Empty)
                _states[slot] = Dirty;
        }

        /// <summary>Writes every dirty block, then flushes the device if anything was written since its last flush.</summary>
        public Error Flush()
        {
            Error first = Error.None;
            for (int i = 0; i < _capacity; i++)
            {
                Error error = WriteBack(i);
                if (error != Error.None && first == Error.None)
                    first = error;
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
        public int DirtyBlocks
        {
            get
            {
                int count = 0;
                for (int i = 0; i < _capacity; i++)
                    if (_states[i] == Dirty)
                        count++;
                return count;
            }
        }
    }
}
