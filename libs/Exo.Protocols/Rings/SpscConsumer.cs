using System.Runtime.CompilerServices;
using System.Threading;

namespace Exo.Protocols.Rings
{
    /// <summary>
    /// The reading side of an <see cref="SpscRing"/>. Reads touch shared memory only for the slots, except
    /// when the ring looks empty (Tail is re-read) and at Release (one store of Head frees a whole batch).
    ///
    /// Sleeping without losing a wake-up (the Dekker pattern): the consumer sets ConsumerSleeping, then
    /// re-reads Tail; the producer stores Tail, then reads ConsumerSleeping. Both pairs are "store, full
    /// fence, load" (atomic exchanges), so at least one side sees the other's store: either the consumer
    /// sees the new Tail and does not sleep, or the producer sees the flag and rings the doorbell. Without
    /// the fences x86 may perform each load before the preceding store is visible: both sides would miss
    /// each other, the message would sit in the ring and the consumer would sleep forever. A ring that lands
    /// between the consumer's check and its Wait is not lost either: doorbells stay pending until waited on.
    /// The producer's wait for space is the same pattern with Head and ProducerWaiting.
    /// One consumer only: the struct is not safe to share between threads.
    /// </summary>
    public unsafe struct SpscConsumer
    {
        private SpscRingHeader* _header;
        private byte* _slots;
        private uint _mask, _slotSize;
        private long _head;          // slots read (released or not)
        private long _released;      // what Head holds
        private long _cachedTail;    // Tail when last read: at least this much is published

        /// <summary>Attaches to an initialised ring (SpscRing.Initialize); false if 'ring' holds none.</summary>
        public bool Attach(byte* ring)
        {
            if (!SpscRing.IsValid(ring))
                return false;
            _header = (SpscRingHeader*)ring;
            _slots = ring + SpscRingHeader.Size;
            _mask = _header->SlotCount - 1;
            _slotSize = _header->SlotSize;
            _released = _head = Volatile.Read(ref _header->Head);
            _cachedTail = Volatile.Read(ref _header->Tail);
            return true;
        }

        public uint SlotSize => _slotSize;
        public uint Capacity => _mask + 1;
        /// <summary>Messages read so far (released or not).</summary>
        public long Consumed => _head;

        /// <summary>The oldest unread message in place (SlotSize bytes), or null if none is published. Advance consumes it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]   // TryRead's and every drain loop's first step
        public byte* TryPeek()
        {
            if (_head == _cachedTail)
            {
                // Acquire: the producer's writes to the slots before its store of Tail are visible.
                _cachedTail = Volatile.Read(ref _header->Tail);
                if (_head == _cachedTail)
                    return null;
            }
            return _slots + (ulong)(_head & _mask) * _slotSize;
        }

        /// <summary>Counts the message TryPeek returned as read. Its slot stays untouched until Release.</summary>
        public void Advance() => _head++;

        /// <summary>Copies the oldest message (SlotSize bytes) to 'destination'; false if none is published.</summary>
        public bool TryRead(void* destination)
        {
            byte* slot = TryPeek();
            if (slot == null)
                return false;
            SpscRing.CopySlot(destination, slot, _slotSize);
            _head++;
            return true;
        }

        /// <summary>Copies up to 'maximum' messages to 'destination' (maximum * SlotSize bytes); returns how many.</summary>
        public int ReadBatch(void* destination, int maximum)
        {
            int count = 0;
            byte* target = (byte*)destination;
            while (count < maximum && TryRead(target))
            {
                target += _slotSize;
                count++;
            }
            return count;
        }

        /// <summary>
        /// Frees every slot read so far with one store of Head (an exchange: the reads are complete before
        /// the producer can reuse the slots, and a full fence before reading ProducerWaiting). Returns true if
        /// the producer is waiting for space and must be woken.
        /// </summary>
        public bool Release()
        {
            if (_head == _released)
                return false;
            Interlocked.Exchange(ref _header->Head, _head);
            _released = _head;
            return Volatile.Read(ref _header->ProducerWaiting) != 0;
        }

        /// <summary>
        /// Announces that the consumer will sleep until a message is published. Call after Release (a
        /// producer waiting for space must see it first). Returns false if a message arrived meanwhile (do not
        /// sleep; the flag is already cleared), true if the caller must Wait, then FinishSleep.
        /// </summary>
        public bool PrepareToSleep()
        {
            Interlocked.Exchange(ref _header->ConsumerSleeping, 1);
            _cachedTail = Volatile.Read(ref _header->Tail);
            if (_cachedTail != _head)
            {
                Volatile.Write(ref _header->ConsumerSleeping, 0);
                return false;
            }
            return true;
        }

        public void FinishSleep() => Volatile.Write(ref _header->ConsumerSleeping, 0);

        /// <summary>
        /// Reads between 1 and 'maximum' messages into 'destination', sleeping on 'own' while the ring is empty,
        /// then releases them (ringing 'producer' if it waits for space). Returns how many, or -1 if a
        /// doorbell failed.
        /// </summary>
        public int Read<TDoorbell>(void* destination, int maximum, ref TDoorbell producer, ref TDoorbell own) where TDoorbell : struct, IRingDoorbell
        {
            while (true)
            {
                int count = ReadBatch(destination, maximum);
                if (Release() && !producer.Ring())
                    return -1;
                if (count > 0)
                    return count;
                if (PrepareToSleep())
                {
                    bool woke = own.Wait();
                    FinishSleep();
                    if (!woke)
                        return -1;
                }
            }
        }
    }
}
