using System.Threading;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// A fair spin lock for the allocator's shared levels, held for a batch, never per object. Interrupt
    /// handlers never allocate, so the allocator's locks are never taken in interrupt context.
    /// </summary>
    public struct TicketLock
    {
        private int _next;
        private int _serving;

        public void Enter()
        {
            int ticket = Interlocked.Add(ref _next, 1) - 1;
            while (Volatile.Read(ref _serving) != ticket) { }
        }

        /// <summary>Takes the lock only if it is free right now (never waits).</summary>
        public bool TryEnter()
        {
            int serving = Volatile.Read(ref _serving);
            return Volatile.Read(ref _next) == serving && Interlocked.CompareExchange(ref _next, serving + 1, serving) == serving;
        }

        public void Exit() => Volatile.Write(ref _serving, _serving + 1);

        public bool IsHeld => Volatile.Read(ref _next) != Volatile.Read(ref _serving);
    }
}
