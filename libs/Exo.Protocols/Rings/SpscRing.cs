namespace Exo.Protocols.Rings
{
    /// <summary>
    /// Lays out and validates a single-producer single-consumer ring in memory that both sides map: a
    /// <see cref="SpscRingHeader"/> then SlotCount fixed-size slots. One side initialises the ring; each side
    /// then attaches its own <see cref="SpscProducer"/> or <see cref="SpscConsumer"/> (whose private state
    /// lives in that process only).
    ///
    /// Protocol, in short (details on the two sides): the producer fills slots, then publishes them all with
    /// one store of Tail; the consumer reads slots up to Tail, then frees them all with one store of Head. A
    /// full ring is refused, never overwritten: the producer waits for space. Sleeping is announced with a
    /// flag that the other side checks after each publish/free, with full fences on both sides, so a wake-up
    /// is never lost (see SpscConsumer.PrepareToSleep).
    /// </summary>
    public static unsafe class SpscRing
    {
        /// <summary>Slots are 8-byte multiples (whole words) of at most this size.</summary>
        public const uint MaximumSlotSize = 4096;
        public const uint MaximumSlotCount = 1u << 24;

        /// <summary>Bytes needed for a ring of 'slotCount' slots of 'slotSize' bytes (0 if the shape is invalid).</summary>
        public static ulong RequiredBytes(uint slotCount, uint slotSize)
            => IsValidShape(slotCount, slotSize) ? SpscRingHeader.Size + (ulong)slotCount * slotSize : 0;

        /// <summary>A slot count that is a power of two (indexing is a mask) and a slot size in whole words.</summary>
        public static bool IsValidShape(uint slotCount, uint slotSize)
            => slotCount >= 2 && slotCount <= MaximumSlotCount && (slotCount & (slotCount - 1)) == 0
               && slotSize >= 8 && slotSize <= MaximumSlotSize && (slotSize & 7) == 0;

        /// <summary>
        /// Writes an empty ring's header into memory[0, length). The memory must be 64-byte aligned (for the
        /// cache-line layout) and not yet in use by either side. False if the shape or the memory is invalid.
        /// </summary>
        public static bool Initialize(byte* memory, ulong length, uint slotCount, uint slotSize)
        {
            ulong required = RequiredBytes(slotCount, slotSize);
            if (memory == null || ((ulong)memory & 63) != 0 || required == 0 || length < required)
                return false;
            SpscRingHeader* header = (SpscRingHeader*)memory;
            header->SlotCount = slotCount;
            header->SlotSize = slotSize;
            header->Tail = 0;
            header->Head = 0;
            header->ConsumerSleeping = 0;
            header->ProducerWaiting = 0;
            // The magic last: a side that attaches early sees no ring rather than a half-written one.
            System.Threading.Volatile.Write(ref header->Magic, SpscRingHeader.ExpectedMagic);
            return true;
        }

        /// <summary>True if 'memory' holds an initialised ring whose shape is valid.</summary>
        public static bool IsValid(byte* memory)
        {
            if (memory == null || ((ulong)memory & 63) != 0)
                return false;
            SpscRingHeader* header = (SpscRingHeader*)memory;
            return System.Threading.Volatile.Read(ref header->Magic) == SpscRingHeader.ExpectedMagic
                   && IsValidShape(header->SlotCount, header->SlotSize);
        }

        /// <summary>
        /// Copies one slot's worth (a multiple of 8 bytes, as IsValidShape requires) a word at a time, four
        /// words per step: the runtime's memmove is a byte-wise REP MOVSB, slow to start on hardware and one
        /// counted instruction per byte under QEMU's -icount. The areas must not overlap (a slot and a
        /// private buffer never do).
        /// </summary>
        public static void CopySlot(void* destination, void* source, uint size)
        {
            ulong* to = (ulong*)destination;
            ulong* from = (ulong*)source;
            // The socket protocol's requests and completions (64 bytes) and events (16) in straight lines: every
            // request and answer passes here on both sides, and the loop's steps cost as much as the moves.
            if (size == 64)
            {
                ulong a = from[0], b = from[1], c = from[2], d = from[3], e = from[4], f = from[5], g = from[6], h = from[7];
                to[0] = a;
                to[1] = b;
                to[2] = c;
                to[3] = d;
                to[4] = e;
                to[5] = f;
                to[6] = g;
                to[7] = h;
                return;
            }
            if (size == 16)
            {
                ulong a = from[0], b = from[1];
                to[0] = a;
                to[1] = b;
                return;
            }
            uint words = size >> 3;
            uint i = 0;
            for (; i + 4 <= words; i += 4)
            {
                ulong a = from[i], b = from[i + 1], c = from[i + 2], d = from[i + 3];
                to[i] = a;
                to[i + 1] = b;
                to[i + 2] = c;
                to[i + 3] = d;
            }
            for (; i < words; i++)
                to[i] = from[i];
        }

        /// <summary>The size in bytes of the initialised ring at 'memory' (header and slots), or 0.</summary>
        public static ulong SizeOf(byte* memory)
            => IsValid(memory) ? RequiredBytes(((SpscRingHeader*)memory)->SlotCount, ((SpscRingHeader*)memory)->SlotSize) : 0;
    }
}
