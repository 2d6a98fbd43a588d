using System.Runtime.CompilerServices;
using System.Threading;

namespace Exo.Protocols.Rings
{
    /// <summary>
    /// The writing side of an <see cref="SpscRing"/>. Private state (the next slot to fill, the last Head
    /// seen) stays in this struct, so a write touches shared memory only for the slot itself, except when the
    /// ring looks full (Head is re-read) and at Publish (one store of Tail for a whole batch).
    ///
    /// Use: TryWrite (or TryReserve + Commit) as many messages as fit, then Publish once; if Publish returns
    /// true the consumer is asleep and must be woken. Write and Flush do this with a doorbell, and wait for
    /// space when the ring is full (back-pressure: nothing is ever dropped or overwritten).
    /// One producer only: the struct is not safe to share between threads.
    /// </summary>
    public unsafe struct SpscProducer
    {
        private SpscRingHeader* _header;
        private byte* _slots;
        private uint _mask, _slotSize;
        private long _tail;          // slots filled (published or not)
        private long _published;     // what Tail holds
        private long _cachedHead;    // Head when last read: the consumer has freed at least this much

        /// <summary>Attaches to an initialised ring (SpscRing.Initialize); false if 'ring' holds none.</summary>
        public bool Attach(byte* ring)
        {
            if (!SpscRing.IsValid(ring))
                return false;
            _header = (SpscRingHeader*)ring;
            _slots = ring + SpscRingHeader.Size;
            _mask = _header->SlotCount - 1;
            _slotSize = _header->SlotSize;
            _published = _tail = Volatile.Read(ref _header->Tail);
            _cachedHead = Volatile.Read(ref _header->Head);
            return true;
        }

        public uint SlotSize => _slotSize;
        public uint Capacity => _mask + 1;
        /// <summary>Messages written but not yet published.</summary>
        public long Unpublished => _tail - _published;
        /// <summary>Messages written so far (published or not).</summary>
        public long Written => _tail;

        /// <summary>The next free slot (SlotSize bytes) to fill in place, or null if the ring is full. Commit makes it a message.</summary>
        public byte* TryReserve()
        {
            if (_tail - _cachedHead > _mask)
            {
                // Looks full with the old Head: read the consumer's progress (acquire: its reads of these
                // slots are complete before we overwrite them).
                _cachedHead = Volatile.Read(ref _header->Head);
                if (_tail - _cachedHead > _mask)
                    return null;
            }
            return _slots + (ulong)(_tail & _mask) * _slotSize;
        }

        /// <summary>Counts the slot TryReserve returned as written (still unpublished).</summary>
        public void Commit() => _tail++;

        /// <summary>Copies one message (SlotSize bytes) into the ring, unpublished; false if the ring is full.</summary>
        public bool TryWrite(void* message)
        {
            byte* slot = TryReserve();
            if (slot == null)
                return false;
            SpscRing.CopySlot(slot, message, _slotSize);
            _tail++;
            return true;
        }

        /// <summary>
        /// Makes every written message visible to the consumer with one store of Tail. Returns true if the
        /// consumer is asleep (or about to be) and must be woken.
        /// The store is an atomic exchange: a release (the slots' contents are visible before Tail) and a
        /// full fence, so the read of ConsumerSleeping after it cannot be satisfied before the store is
        /// visible (x86 may otherwise let a load pass an earlier store: the Dekker race, see SpscConsumer).
        /// </summary>
        public bool Publish()
        {
            if (_tail == _published)
                return false;
            Interlocked.Exchange(ref _header->Tail, _tail);
            _published = _tail;
            return Volatile.Read(ref _header->ConsumerSleeping) != 0;
        }

        /// <summary>
        /// Announces that the producer will sleep until the consumer frees space. Call after Publish (a full
        /// ring of unpublished messages would never drain). Returns false if space appeared meanwhile
        /// (do not sleep; the flag is already cleared), true if the caller must Wait, then FinishWaitForSpace.
        /// Mirror image of SpscConsumer.PrepareToSleep: flag, full fence, re-check.
        /// </summary>
        public bool PrepareToWaitForSpace()
        {
            Interlocked.Exchange(ref _header->ProducerWaiting, 1);
            _cachedHead = Volatile.Read(ref _header->Head);
            if (_tail - _cachedHead <= _mask)
            {
                Volatile.Write(ref _header->ProducerWaiting, 0);
                return false;
            }
            return true;
        }

        public void FinishWaitForSpace() => Volatile.Write(ref _header->ProducerWaiting, 0);

        /// <summary>
        /// Writes one message, publishing and sleeping on 'own' while the ring is full; 'consumer' is rung
        /// when a publish finds the consumer asleep. The message stays unpublished (batch, then Flush).
        /// Returns how many times the ring was found full (0 normally), or -1 if a doorbell failed.
        /// </summary>
        public int Write<TDoorbell>(void* message, ref TDoorbell consumer, ref TDoorbell own) where TDoorbell : struct, IRingDoorbell
        {
            int fullTimes = 0;
            while (!TryWrite(message))
            {
                fullTimes++;
                if (Publish() && !consumer.Ring())
                    return -1;
                if (PrepareToWaitForSpace())
                {
                    bool woke = own.Wait();
                    FinishWaitForSpace();
                    if (!woke)
                        return -1;
                }
            }
            return fullTimes;
        }

        /// <summary>Publishes what was written and rings 'consumer' if it sleeps; false if the doorbell failed.</summary>
        public bool Flush<TDoorbell>(ref TDoorbell consumer) where TDoorbell : struct, IRingDoorbell
            => !Publish() || consumer.Ring();
    }
}
