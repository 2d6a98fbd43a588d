using Exo.Kernel.Sync;
using Exo.Runtime;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// Threads blocked until something happens; intrusive FIFO through the scheduler links, guarded by its own
    /// lock (taken before any processor lock, see <see cref="Scheduler"/>). A primitive built on it (a
    /// semaphore, join) checks its condition and queues the thread under this lock, so a wake-up between the
    /// check and the block cannot be lost.
    /// </summary>
    public sealed class WaitQueue
    {
        internal TicketLock Lock;
        private Thread _head, _tail;

        public WaitQueue() { Lock.Rank = LockRank.WaitQueue; }

        public bool IsEmpty => _head == null;

        internal void Add(Thread thread)
        {
            thread.Next = null;
            UntracedReference.Store(ref thread.Previous, _tail);
            if (_tail != null) UntracedReference.Store(ref _tail.Next, thread); else _head = thread;
            _tail = thread;
        }

        internal Thread TakeFirst()
        {
            Thread thread = _head;
            if (thread == null)
                return null;
            _head = (Thread)thread.Next;
            if (_head != null) _head.Previous = null; else _tail = null;
            thread.Next = thread.Previous = null;
            return thread;
        }

        /// <summary>
        /// Takes 'thread' out of the queue if it is in it (the lock held). It looks for it first: a thread's links
        /// are shared with the run queues, so links that are set do not say that it waits here (a kill may ask
        /// about a thread that was woken a moment ago, or never queued). Queues of waiters are short.
        /// </summary>
        internal bool Remove(Thread thread)
        {
            Thread found = _head;
            while (found != null && found != thread)
                found = (Thread)found.Next;
            if (found == null)
                return false;
            Thread previous = (Thread)thread.Previous, next = (Thread)thread.Next;
            if (previous != null) UntracedReference.Store(ref previous.Next, next); else _head = next;
            if (next != null) UntracedReference.Store(ref next.Previous, previous); else _tail = previous;
            thread.Next = thread.Previous = null;
            return true;
        }

        /// <summary>Blocks the current thread on this queue until woken.</summary>
        public void Wait() => Scheduler.BlockOn(this);

        /// <summary>Wakes the longest-waiting thread; returns false if none was waiting.</summary>
        public bool WakeOne() => Scheduler.WakeFirst(this);

        /// <summary>Wakes every waiting thread (under one hold of the lock); returns how many.</summary>
        public int WakeAll() => Scheduler.WakeEvery(this);

        /// <summary>
        /// Wakes the waiting threads whose Thread.WaitInterest shares a bit with 'keys' (a queue whose waiters all set it):
        /// a change wakes the waiters of its object, not every waiter; returns how many.
        /// </summary>
        public int WakeInterested(ulong keys) => Scheduler.WakeInterested(this, keys);

        // The lock held: takes out the threads interested in 'keys', chained through their Next in queue order.
        internal Thread TakeInterested(ulong keys)
        {
            Thread first = null, last = null;
            for (Thread thread = _head; thread != null;)
            {
                Thread next = (Thread)thread.Next;
                if ((thread.WaitInterest & keys) != 0)
                {
                    Thread previous = (Thread)thread.Previous;
                    if (previous != null) UntracedReference.Store(ref previous.Next, next); else _head = next;
                    if (next != null) UntracedReference.Store(ref next.Previous, previous); else _tail = previous;
                    thread.Previous = null;
                    thread.Next = null;
                    if (last != null) UntracedReference.Store(ref last.Next, thread); else first = thread;
                    last = thread;
                }
                thread = next;
            }
            return first;
        }

        /// <summary>The lock held: every key its waiting threads' Thread.WaitInterest has.</summary>
        internal ulong InterestOfWaiters()
        {
            ulong interest = 0;
            for (Thread thread = _head; thread != null; thread = (Thread)thread.Next)
                interest |= thread.WaitInterest;
            return interest;
        }

        /// <summary>Like <see cref="WakeAll"/> for a caller that holds the queue's lock with interrupts off (one hold, not two).</summary>
        public int WakeAllLocked() => Scheduler.WakeEveryLocked(this);
    }
}
