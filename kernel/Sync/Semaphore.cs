using Exo.Kernel.Scheduler;

namespace Exo.Kernel.Sync
{
    /// <summary>
    /// A counting semaphore for threads. Wait takes a unit or blocks; Release hands a unit to the longest
    /// waiter or keeps it. Both run under the scheduler lock, so a release can never be lost between another
    /// thread's check and its block (the race a bare wait queue has on several processors).
    /// </summary>
    public sealed class Semaphore
    {
        internal int Count;
        internal readonly WaitQueue Waiters = new WaitQueue();

        public Semaphore(int initialCount) { Count = initialCount; }

        public void Wait() => Scheduler.Scheduler.Acquire(this);

        public void Release() => Scheduler.Scheduler.Release(this);
    }
}
