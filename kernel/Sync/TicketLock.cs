using System.Runtime.CompilerServices;
using System.Threading;

namespace Exo.Kernel.Sync
{
    /// <summary>
    /// A fair spin lock that leaves the interrupt state alone: for code that already runs with interrupts
    /// masked (the scheduler, wait queues, the allocator's shared levels through AllocatorLock). Held briefly,
    /// never across anything that waits. Its <see cref="Rank"/> places it in the lock order (LockRank).
    /// </summary>
    public unsafe struct TicketLock
    {
        private int _next;
        private int _serving;
        /// <summary>Where the lock stands in the one lock order; set once by its owner before first use.</summary>
        public LockRank Rank;

        public TicketLock(LockRank rank) { _next = 0; _serving = 0; Rank = rank; }

        public void Enter()
        {
            LockOrder.Acquiring(Rank, Unsafe.AsPointer(ref this));
            int ticket = Interlocked.Add(ref _next, 1) - 1;
            while (Volatile.Read(ref _serving) != ticket)
                Smp.Processors.ServiceShootDown();   // the holder may be waiting for this processor's acknowledgment
        }

        /// <summary>Takes the lock only if it is free right now (never waits, so it takes part in no cycle).</summary>
        public bool TryEnter()
        {
            int serving = Volatile.Read(ref _serving);
            if (Volatile.Read(ref _next) != serving || Interlocked.CompareExchange(ref _next, serving + 1, serving) != serving)
                return false;
            LockOrder.Acquired(Rank, Unsafe.AsPointer(ref this));
            return true;
        }

        public void Exit()
        {
            LockOrder.Released(Rank, Unsafe.AsPointer(ref this));
            Volatile.Write(ref _serving, _serving + 1);
        }

        public bool IsHeld => Volatile.Read(ref _next) != Volatile.Read(ref _serving);

        /// <summary>Takes the lock until the guard is disposed: <c>using (x.Lock.Hold()) { ... }</c>.</summary>
        public Guard Hold()
        {
            Enter();
            return new Guard((TicketLock*)Unsafe.AsPointer(ref this));
        }

        /// <summary>Holds a <see cref="TicketLock"/> for a scope.</summary>
        public readonly ref struct Guard
        {
            private readonly TicketLock* _lock;
            internal Guard(TicketLock* held) { _lock = held; }
            public void Dispose() => _lock->Exit();
        }
    }
}
