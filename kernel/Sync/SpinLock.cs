using System.Runtime.CompilerServices;
using System.Threading;
using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Sync
{
    /// <summary>
    /// A ticket spin lock that also masks interrupts while held (and restores them on exit): for state shared
    /// by kernel threads (interrupts on) and system calls or handlers (interrupts masked). Masked, a holder is
    /// never preempted, so a masked waiter on the same processor can never spin forever behind it. Its
    /// <see cref="Rank"/> places it in the lock order (LockRank).
    /// </summary>
    public unsafe struct SpinLock
    {
        private int _next;
        private int _serving;
        private bool _restoreInterrupts;
        /// <summary>Where the lock stands in the one lock order; set once by its owner before first use.</summary>
        public LockRank Rank;

        public SpinLock(LockRank rank) { _next = 0; _serving = 0; _restoreInterrupts = false; Rank = rank; }

        public void Enter()
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            LockOrder.Acquiring(Rank, Unsafe.AsPointer(ref this));
            int ticket = Interlocked.Add(ref _next, 1) - 1;
            while (Volatile.Read(ref _serving) != ticket)
            {
                Cpu.Pause();
                Smp.Processors.ServiceShootDown();   // the holder may be waiting for this processor's acknowledgment
            }
            _restoreInterrupts = enabled;
        }

        public void Exit()
        {
            bool restore = _restoreInterrupts;
            LockOrder.Released(Rank, Unsafe.AsPointer(ref this));
            Volatile.Write(ref _serving, _serving + 1);
            if (restore)
                Cpu.EnableInterrupts();
        }

        /// <summary>Takes the lock until the guard is disposed: <c>using (s_lock.Hold()) { ... }</c>.</summary>
        public Guard Hold()
        {
            Enter();
            return new Guard((SpinLock*)Unsafe.AsPointer(ref this));
        }

        /// <summary>Holds a <see cref="SpinLock"/> for a scope.</summary>
        public readonly ref struct Guard
        {
            private readonly SpinLock* _lock;
            internal Guard(SpinLock* held) { _lock = held; }
            public void Dispose() => _lock->Exit();
        }
    }
}
