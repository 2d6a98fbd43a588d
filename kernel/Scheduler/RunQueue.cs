using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// A CPU's ready threads: one intrusive FIFO per priority level and a bitmap of the non-empty levels.
    /// Picking the next thread is O(1): the lowest set bit of the bitmap, then the head of that level.
    /// Interactive threads are inserted at the head of their level, batch threads at the tail.
    /// Starvation bound: <see cref="Age"/> (run from the tick) raises every thread that has waited longer than
    /// the aging interval by one level, so a ready thread at level p runs after at most
    /// (p + 1) aging intervals plus one slice per thread ahead of it at level 0.
    /// </summary>
    public sealed class RunQueue
    {
        private readonly SchedulerEntity[] _heads = new SchedulerEntity[SchedulerEntity.PriorityLevels];
        private readonly SchedulerEntity[] _tails = new SchedulerEntity[SchedulerEntity.PriorityLevels];
        private uint _readyMask;
        private int _count;

        public int Count => _count;

        // Slots are reached by reference: a plain store into an array of a non-sealed class would be a
        // covariance-checked store through the runtime, on the pick path.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref SchedulerEntity Head(int level) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_heads), level);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref SchedulerEntity Tail(int level) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tails), level);
        public uint ReadyMask => _readyMask;

        public void Enqueue(SchedulerEntity entity, bool atHead, ulong now)
        {
            int level = entity.EffectivePriority;
            entity.Queued = true;
            entity.ReadySince = now;
            entity.Waits++;
            SchedulerEntity head = Head(level);
            if (head == null)
            {
                entity.Next = entity.Previous = null;
                Head(level) = Tail(level) = entity;
                _readyMask |= 1u << level;
            }
            else if (atHead)
            {
                entity.Previous = null;
                entity.Next = head;
                head.Previous = entity;
                Head(level) = entity;
            }
            else
            {
                SchedulerEntity tail = Tail(level);
                entity.Next = null;
                entity.Previous = tail;
                tail.Next = entity;
                Tail(level) = entity;
            }
            _count++;
        }

        /// <summary>The most urgent ready thread, removed from the queue; null if none.</summary>
        public SchedulerEntity PickNext()
        {
            uint mask = _readyMask;
            if (mask == 0)
                return null;
            int level = LowestSetBit(mask);
            SchedulerEntity entity = Head(level);
            Remove(entity, level);
            return entity;
        }

        /// <summary>Removes a queued thread (for example one being migrated or killed).</summary>
        public void Remove(SchedulerEntity entity) => Remove(entity, entity.EffectivePriority);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Remove(SchedulerEntity entity, int level)
        {
            SchedulerEntity next = entity.Next, previous = entity.Previous;
            if (previous != null) previous.Next = next; else Head(level) = next;
            if (next != null) next.Previous = previous; else Tail(level) = previous;
            if (Head(level) == null)
                _readyMask &= ~(1u << level);
            entity.Next = entity.Previous = null;
            entity.Queued = false;
            _count--;
        }

        /// <summary>
        /// Moves every thread that has been ready for at least 'interval' up one level (to the tail).
        /// O(ready threads); called from the tick every aging interval, never from the pick path.
        /// </summary>
        public int Age(ulong now, ulong interval)
        {
            int moved = 0;
            for (int level = 1; level < SchedulerEntity.PriorityLevels; level++)
            {
                SchedulerEntity entity = Head(level);
                while (entity != null)
                {
                    SchedulerEntity next = entity.Next;
                    if (now - entity.ReadySince >= interval)
                    {
                        Remove(entity, level);
                        entity.EffectivePriority = level - 1;
                        ulong since = entity.ReadySince;
                        Enqueue(entity, false, now);
                        entity.ReadySince = since;   // keeps aging from its original wait
                        entity.Waits--;
                        moved++;
                    }
                    entity = next;
                }
            }
            return moved;
        }

        /// <summary>Lowest set bit of a non-zero mask, without a lookup table: binary search on halves.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int LowestSetBit(uint mask)
        {
            int bit = 0;
            if ((mask & 0xFFFF) == 0) { bit += 16; mask >>= 16; }
            if ((mask & 0xFF) == 0) { bit += 8; mask >>= 8; }
            if ((mask & 0xF) == 0) { bit += 4; mask >>= 4; }
            if ((mask & 0x3) == 0) { bit += 2; mask >>= 2; }
            if ((mask & 0x1) == 0) { bit += 1; }
            return bit;
        }
    }
}
