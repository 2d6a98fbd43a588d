using System.Numerics;
using System.Runtime.CompilerServices;
using Exo.Runtime;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// A CPU's ready threads: one intrusive FIFO per priority level and a bitmap of the non-empty levels.
    /// Picking the next thread is O(1): the lowest set bit of the bitmap (one BSF), then the head of that level.
    /// Interactive threads are inserted at the head of their level, batch threads at the tail.
    /// Starvation bound: <see cref="Age"/> (run from the tick) raises every thread that has waited longer than
    /// the aging interval by one level, so a ready thread at level p runs after at most
    /// (p + 1) aging intervals plus one slice per thread ahead of it at level 0.
    /// </summary>
    public sealed class RunQueue
    {
        [InlineArray(SchedulerEntity.PriorityLevels)]
        private struct LevelLinks { private SchedulerEntity _first; }

        // Inline in the object (no array header, bounds or covariance checks on the pick path); links are
        // stored without the write barrier (see UntracedReference).
        private LevelLinks _heads;
        private LevelLinks _tails;
        private uint _readyMask;
        private int _count;

        public int Count => _count;
        public uint ReadyMask => _readyMask;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref SchedulerEntity Head(int level) => ref Unsafe.Add(ref Unsafe.As<LevelLinks, SchedulerEntity>(ref _heads), level);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref SchedulerEntity Tail(int level) => ref Unsafe.Add(ref Unsafe.As<LevelLinks, SchedulerEntity>(ref _tails), level);

        public void Enqueue(SchedulerEntity entity, bool atHead, ulong now)
        {
            int level = entity.EffectivePriority;
            UntracedReference.Store(ref entity.Queue, this);
            entity.ReadySince = now;
            entity.Waits++;
            SchedulerEntity head = Head(level);
            if (head == null)
            {
                entity.Next = entity.Previous = null;
                UntracedReference.Store(ref Head(level), entity);
                UntracedReference.Store(ref Tail(level), entity);
                _readyMask |= 1u << level;
            }
            else if (atHead)
            {
                entity.Previous = null;
                UntracedReference.Store(ref entity.Next, head);
                UntracedReference.Store(ref head.Previous, entity);
                UntracedReference.Store(ref Head(level), entity);
            }
            else
            {
                SchedulerEntity tail = Tail(level);
                entity.Next = null;
                UntracedReference.Store(ref entity.Previous, tail);
                UntracedReference.Store(ref tail.Next, entity);
                UntracedReference.Store(ref Tail(level), entity);
            }
            _count++;
        }

        /// <summary>The most urgent ready thread, removed from the queue; null if none.</summary>
        public SchedulerEntity PickNext()
        {
            uint mask = _readyMask;
            if (mask == 0)
                return null;
            int level = BitOperations.TrailingZeroCount(mask);
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
            if (previous != null) UntracedReference.Store(ref previous.Next, next); else UntracedReference.Store(ref Head(level), next);
            if (next != null) UntracedReference.Store(ref next.Previous, previous); else UntracedReference.Store(ref Tail(level), previous);
            if (next == null && previous == null)
                _readyMask &= ~(1u << level);
            entity.Next = entity.Previous = null;
            entity.Queue = null;
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
    }
}
