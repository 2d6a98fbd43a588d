using System.Threading;

namespace Exo.Drivers.Virtio
{
    /// <summary>
    /// A virtio 1.0 split virtqueue in one block of DMA memory: the descriptor table (16 bytes each), the driver
    /// ("available") ring (flags, index, one 16-bit head per entry, used_event) and the device ("used") ring
    /// (flags, index, an 8-byte id and length per entry, avail_event), each aligned as the specification asks
    /// (16, 2, 4). Free descriptors form a chain through their next fields. Indexes run freely over 16 bits and
    /// wrap; an entry's slot is the index modulo the size (a power of two). Pure logic, compiled into the host
    /// tests over ordinary memory.
    /// </summary>
    public unsafe struct SplitVirtqueue
    {
        public const int DescriptorSize = 16;
        public const ushort FlagNext = 1;
        public const ushort FlagDeviceWrites = 2;
        private const ushort NoDescriptor = 0xFFFF;

        private byte* _memory;
        private ushort _size;
        private ushort _freeHead;
        private ushort _freeCount;
        private ushort _nextAvailable;
        private ushort _lastUsed;

        public ushort Size => _size;
        public int FreeCount => _freeCount;
        /// <summary>The descriptor the next AddChain starts with (-1 if none is free): a driver that gives each
        /// descriptor its own buffer fills that buffer first.</summary>
        public int NextFree => _freeCount > 0 ? _freeHead : -1;

        public static int AvailableOffset(int size) => size * DescriptorSize;
        public static int UsedOffset(int size) => (AvailableOffset(size) + 6 + 2 * size + 3) & ~3;
        public static int TotalBytes(int size) => UsedOffset(size) + 6 + 8 * size;
        public static bool IsValidSize(int size) => size > 0 && size <= 32768 && (size & (size - 1)) == 0;

        /// <summary>Lays the queue out in 'memory' (TotalBytes(size) bytes, zeroed) with every descriptor free.</summary>
        public SplitVirtqueue(byte* memory, ushort size)
        {
            _memory = memory;
            _size = size;
            _freeHead = 0;
            _freeCount = size;
            _nextAvailable = 0;
            _lastUsed = 0;
            for (int i = 0; i < size; i++)
                Descriptor(i)->Next = (ushort)(i + 1 < size ? i + 1 : NoDescriptor);
        }

        public Descriptor* Descriptor(int index) => (Descriptor*)(_memory + index * DescriptorSize);
        private ushort* AvailableRing => (ushort*)(_memory + AvailableOffset(_size));
        private byte* UsedRing => _memory + UsedOffset(_size);

        /// <summary>The device's used index as it last wrote it.</summary>
        public ushort UsedIndex => Volatile.Read(ref *(ushort*)(UsedRing + 2));
        public ushort AvailableIndex => Volatile.Read(ref AvailableRing[1]);

        /// <summary>Chains 'count' free descriptors, each (address, length, device writes) from 'parts'; the
        /// head's index, or -1 if too few are free.</summary>
        public int AddChain(ulong* addresses, uint* lengths, bool* deviceWrites, int count)
        {
            if (count <= 0 || count > _freeCount)
                return -1;
            ushort head = _freeHead;
            ushort index = head;
            for (int i = 0; i < count; i++)
            {
                Descriptor* descriptor = Descriptor(index);
                ushort next = descriptor->Next;
                descriptor->Address = addresses[i];
                descriptor->Length = lengths[i];
                descriptor->Flags = (ushort)((deviceWrites[i] ? FlagDeviceWrites : 0) | (i + 1 < count ? FlagNext : 0));
                if (i + 1 < count)
                    index = next;
                else
                    _freeHead = next;
            }
            _freeCount -= (ushort)count;
            return head;
        }

        /// <summary>One buffer in one descriptor, added and published (a receive buffer the device fills); false if none is free.</summary>
        public bool PostBuffer(ulong address, uint length, bool deviceWrites)
        {
            int head = AddChain(&address, &length, &deviceWrites, 1);
            if (head < 0)
                return false;
            Publish(head);
            return true;
        }

        /// <summary>Puts a chain's head in the next available slot and publishes the index (the descriptors are
        /// written before the index the device reads).</summary>
        public void Publish(int head)
        {
            ushort* ring = AvailableRing;
            ring[2 + (_nextAvailable & (_size - 1))] = (ushort)head;
            _nextAvailable++;
            Volatile.Write(ref ring[1], _nextAvailable);
        }

        /// <summary>The next chain the device finished (its head and the bytes it wrote); false if none.</summary>
        public bool TryTakeUsed(out int head, out uint written)
        {
            head = -1;
            written = 0;
            if (UsedIndex == _lastUsed)
                return false;
            byte* element = UsedRing + 4 + 8 * (_lastUsed & (_size - 1));
            head = (int)Volatile.Read(ref *(uint*)element);
            written = Volatile.Read(ref *(uint*)(element + 4));
            _lastUsed++;
            return true;
        }

        /// <summary>Gives a finished chain's descriptors back; false (nothing freed) for a head that is not one.</summary>
        public bool FreeChain(int head)
        {
            if ((uint)head >= _size)
                return false;
            int index = head;
            int count = 1;
            while ((Descriptor(index)->Flags & FlagNext) != 0 && count <= _size)
            {
                index = Descriptor(index)->Next;
                if (index >= _size)
                    return false;
                count++;
            }
            if (count > _size)
                return false;
            Descriptor(index)->Next = _freeHead;
            Descriptor(index)->Flags = 0;
            _freeHead = (ushort)head;
            _freeCount += (ushort)count;
            return true;
        }
    }

    /// <summary>One descriptor as the device reads it.</summary>
    public struct Descriptor
    {
        public ulong Address;
        public uint Length;
        public ushort Flags;
        public ushort Next;
    }
}
