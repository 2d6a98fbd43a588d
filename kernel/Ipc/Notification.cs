using Exo.Kernel.Capabilities;
using Exo.Kernel.Scheduler;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// A word of event bits: signal ORs bits in and wakes a waiter, wait takes (and clears) them, sleeping while
    /// there are none. What an asynchronous ring's side uses to wake its peer, and only when the peer sleeps.
    /// </summary>
    public sealed class Notification : KernelObject
    {
        private ulong _bits;
        private readonly WaitQueue _waiters = new WaitQueue();

        /// <summary>
        /// Called after every signal, with no lock held, when set (before the notification is shared): how a
        /// personality's pollers learn of a doorbell they do not sleep on (a service channel's client end).
        /// </summary>
        public unsafe delegate*<void> Observer;

        /// <summary>The bits set and not yet taken (a poll's look; they may change at once).</summary>
        public ulong Pending => System.Threading.Volatile.Read(ref _bits);

        public unsafe void Signal(ulong bits)
        {
            using (Sync.InterruptMask.Enter())
            using (_waiters.Lock.Hold())
            {
                _bits |= bits;
                Thread waiter = _waiters.TakeFirst();
                if (waiter != null)
                    Scheduler.Scheduler.Wake(waiter);
            }
            if (Observer != null)
                Observer();
        }

        /// <summary>Takes the bits set so far; if none, waits for some ('block' false: 0 at once); Interrupted if the
        /// waiting process is being killed.</summary>
        public Error Take(bool block, out ulong bits)
        {
            using (Sync.InterruptMask.Enter())
            {
                while (true)
                {
                    _waiters.Lock.Enter();
                    bits = _bits;
                    if (bits != 0 || !block)
                    {
                        _bits = 0;
                        _waiters.Lock.Exit();
                        return Error.None;
                    }
                    if (!Scheduler.Scheduler.BlockOnLockedInterruptibly(_waiters))   // releases the lock; a signal wakes it: look again
                    {
                        bits = 0;
                        return Error.Interrupted;
                    }
                }
            }
        }

        protected override void Destroy()
        {
            Scheduler.Scheduler.WaitForFastPaths();   // a killer may be looking at a thread that waited here
            Exo.Runtime.ObjectAllocator.Free(_waiters);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
