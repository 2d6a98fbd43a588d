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
        // Made by Initialize, not by a field initializer: a static constructor would put its check in every Changed,
        // which every pipe transfer calls.
        private static WaitQueue s_pollers;
        private static int s_waiting;   // pollers in WaitForChange, from before they read the generation

        public static int Generation => System.Threading.Volatile.Read(ref s_generation);

        /// <summary>Before the terminal or any pipe can call <see cref="Changed"/>.</summary>
        public static void Initialize() => s_pollers = new WaitQueue();

        /// <summary>Some object's readiness changed: every poller looks again. Any context, the serial interrupt included.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void Changed()
        {
            System.Threading.Interlocked.Increment(ref s_generation);
            // Not the queue's IsEmpty: a poller that read the old generation may not be queued yet (it is, under the
            // queue's lock, which WakeAll takes, once it has counted itself in s_waiting).
            if (System.Threading.Volatile.Read(ref s_waiting) != 0)
                s_pollers.WakeAll();
        }

        /// <summary>
        /// An object's readiness changed, and the object counts its changes in 'changes' (what epoll's edge-triggered
        /// mode reports: a new event on the object even when it was ready before, OpenFile.ChangeCount).
        /// </summary>
        public static void Changed(ref int changes)
        {
            System.Threading.Interlocked.Increment(ref changes);
            Changed();
        }

        /// <summary>
        /// Sleeps until the generation moves past 'seen', the thread is interrupted (a signal, a kill) or its armed
        /// deadline passes (Scheduler.ArmTimeout). Interrupts masked.
        /// </summary>
        public static void WaitForChange(int seen)
        {
            s_pollers.Lock.Enter();
            // Counted before the generation is read (both interlocked): a Changed that this read misses sees the count.
            System.Threading.Interlocked.Increment(ref s_waiting);
            if (Generation != seen)
            {
                System.Threading.Interlocked.Decrement(ref s_waiting);
                s_pollers.Lock.Exit();
                return;
            }
            Scheduler.BlockOnLockedInterruptibly(s_pollers);
            System.Threading.Interlocked.Decrement(ref s_waiting);
        }
    }
}
