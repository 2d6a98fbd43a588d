using Exo.Kernel.Arch.X64;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// Waiting for a name to be offered (<see cref="ServiceOffers"/>): a mount that may come before its server (the
    /// login shell's mount of disk0 while the device manager still starts extfs) sleeps until an offer is made, then
    /// looks again, instead of trying again every so often. Every offer wakes every waiter (offers are rare: a server
    /// starting); a generation counter read before the look and checked under the queue's lock means an offer made in
    /// between is never slept through.
    /// </summary>
    public static unsafe class ServiceOfferWait
    {
        private static readonly Exo.Kernel.Scheduler.WaitQueue s_waiters = new Exo.Kernel.Scheduler.WaitQueue();
        private static int s_generation;

        /// <summary>Called after each offer the table took: wakes every waiter to look again.</summary>
        public static void Announce()
        {
            System.Threading.Interlocked.Increment(ref s_generation);
            using (InterruptMask.Enter())
                s_waiters.WakeAll();
        }

        /// <summary>
        /// Waits until a live server has offered 'name', at most 'milliseconds': None when it has, NotFound when the
        /// time passed first, Interrupted when the caller is signalled or killed. Blocks: never call with a lock held.
        /// </summary>
        public static Error WaitFor(byte* name, int length, ulong milliseconds)
        {
            if (!ServiceOffers.IsValidName(name, length))
                return Error.Invalid;
            ulong deadline = Cpu.ReadTimeStampCounter() + milliseconds * (SystemClock.TscFrequency / 1000);
            while (true)
            {
                int generation = System.Threading.Volatile.Read(ref s_generation);
                if (ServiceOffers.TryFind(ServiceOffers.Kind.FileSystem, name, length, out ServiceOffers.Offer offer))
                {
                    offer.Release();
                    return Error.None;
                }
                if (Cpu.ReadTimeStampCounter() >= deadline)
                    return Error.NotFound;
                bool slept = true, timedOut;
                using (InterruptMask.Enter())
                {
                    Scheduler.Scheduler.ArmTimeout(deadline);
                    s_waiters.Lock.Enter();
                    if (System.Threading.Volatile.Read(ref s_generation) != generation)
                        s_waiters.Lock.Exit();   // an offer came since the look: look again
                    else
                        slept = Scheduler.Scheduler.BlockOnLockedInterruptibly(s_waiters);   // releases the lock
                    timedOut = Scheduler.Scheduler.DisarmTimeout();
                }
                if (!slept && !timedOut)
                    return Error.Interrupted;
            }
        }
    }
}
