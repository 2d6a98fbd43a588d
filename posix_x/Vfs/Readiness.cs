using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Wake-ups for poll, select and their kin. Every object whose readiness can change (a pipe, the terminal)
    /// calls <see cref="Changed"/>; a poller reads <see cref="Generation"/>, looks at its descriptors, and sleeps
    /// only if the generation has not moved since. One queue for the whole system: simple and never misses a
    /// change; a poller may wake for another's object and look again (what a per-object wait list would save).
    /// </summary>
    public static class Readiness
    {
        private static int s_generation;
        private static readonly WaitQueue s_pollers = new WaitQueue();

        public static int Generation => System.Threading.Volatile.Read(ref s_generation);

        /// <summary>Some object's readiness changed: every poller looks again. Any context, the serial interrupt included.</summary>
        public static void Changed()
        {
            System.Threading.Interlocked.Increment(ref s_generation);
            if (!s_pollers.IsEmpty)
                s_pollers.WakeAll();
        }

        /// <summary>
        /// Sleeps until the generation moves past 'seen', the thread is interrupted (a signal, a kill) or its armed
        /// deadline passes (Scheduler.ArmTimeout). Interrupts masked.
        /// </summary>
        public static void WaitForChange(int seen)
        {
            s_pollers.Lock.Enter();
            if (Generation != seen)
            {
                s_pollers.Lock.Exit();
                return;
            }
            Scheduler.BlockOnLockedInterruptibly(s_pollers);
        }
    }
}
