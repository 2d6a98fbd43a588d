using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Wake-ups for poll, select and their kin. Every object whose readiness can change (a pipe, the terminal)
    /// calls <see cref="Changed"/>; a poller reads <see cref="Generation"/>, looks at its descriptors, and sleeps
    /// only if the generation has not moved since. One queue for the whole system, never missing a change: a poller
    /// sleeps with the keys of the objects it looked at (<see cref="KeyOf"/>: one of 64 bits, from the address of the
    /// object's change count; <see cref="AllKeys"/> for an object that has none), and a change announced with its
    /// counter wakes only the pollers with its bit (a shared bit wakes a poller for nothing, never misses one).
    /// Without keys, twenty threads polling one descriptor while others wrote to another pipe woke twenty times
    /// per write (hackbench's start: some 400 wake-ups and looks per run).
    /// </summary>
    public static class Readiness
    {
        private static int s_generation;
        // Made by Initialize, not by a field initializer: a static constructor would put its check in every Changed,
        // which every pipe transfer calls.
        private static WaitQueue s_pollers;
        private static int s_waiting;   // pollers in WaitForChange, from before they read the generation
        // Every key some poller in WaitForChange sleeps with (all of them, and maybe more): a change with none of these
        // keys wakes nobody and skips the queue's lock (a shell polling its terminal while threads write pipes).
        // Grown under the queue's lock before the poller counts itself in s_waiting; made exact again, from the
        // queue, as each poller leaves.
        private static ulong s_interest;

        public static int Generation => System.Threading.Volatile.Read(ref s_generation);

        /// <summary>Before the terminal or any pipe can call <see cref="Changed"/>.</summary>
        public static void Initialize() => s_pollers = new WaitQueue();

        /// <summary>Every key: what a poller sleeps with when one of its objects has no key, and what Changed() wakes.</summary>
        public const ulong AllKeys = ulong.MaxValue;

        /// <summary>
        /// The key of the object that counts its changes in 'changes' (one bit: the counter's address, hashed; kernel
        /// objects do not move). OpenFile.ReadinessKeys gives a poller the same key for the same counter.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static unsafe ulong KeyOf(ref int changes)
            => 1UL << (int)(((ulong)System.Runtime.CompilerServices.Unsafe.AsPointer(ref changes) * 0x9E3779B97F4A7C15UL) >> 58);

        /// <summary>Some object's readiness changed: every poller looks again. Any context, the serial interrupt included.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void Changed() => Announce(AllKeys);

        /// <summary>
        /// An object's readiness changed, and the object counts its changes in 'changes' (what epoll's edge-triggered
        /// mode reports: a new event on the object even when it was ready before, OpenFile.ChangeCount): the pollers
        /// that looked at it (its key) look again.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void Changed(ref int changes)
        {
            System.Threading.Interlocked.Increment(ref changes);
            System.Threading.Interlocked.Increment(ref s_generation);
            if (System.Threading.Volatile.Read(ref s_waiting) != 0)
                WakeFor(KeyOf(ref changes));   // (inlined up to here: most changes have no poller asleep, a pipe's every transfer)
        }

        /// <summary>Objects with these keys changed (their own counters counted already): their pollers look again.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void ChangedKeys(ulong keys) => Announce(keys);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Announce(ulong keys)
        {
            System.Threading.Interlocked.Increment(ref s_generation);
            // Not the queue's IsEmpty: a poller that read the old generation may not be queued yet (it is, under the
            // queue's lock, which the wake-up takes, once it has counted itself in s_waiting).
            if (System.Threading.Volatile.Read(ref s_waiting) != 0)
                WakeFor(keys);
        }

        // After the generation moved, with pollers counted: wakes those with one of 'keys' (none may: the union says).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void WakeFor(ulong keys)
        {
            if ((System.Threading.Volatile.Read(ref s_interest) & keys) != 0)
                s_pollers.WakeInterested(keys);
        }

        /// <summary>
        /// Sleeps until the generation moves past 'seen', a change with a key in 'interest' comes, the thread is interrupted (a signal, a kill) or its armed
        /// deadline passes (Scheduler.ArmTimeout). Interrupts masked.
        /// </summary>
        public static void WaitForChange(int seen, ulong interest)
        {
            Scheduler.Current.WaitInterest = interest;
            s_pollers.Lock.Enter();
            s_interest |= interest;
            // Counted before the generation is read (both interlocked, after the interest): a Changed that this read
            // misses sees the count and the interest.
            System.Threading.Interlocked.Increment(ref s_waiting);
            if (Generation != seen)
            {
                System.Threading.Interlocked.Decrement(ref s_waiting);
                s_interest = s_pollers.InterestOfWaiters();
                s_pollers.Lock.Exit();
                return;
            }
            Scheduler.BlockOnLockedInterruptibly(s_pollers);
            // Woken, interrupted or timed out: out of the queue; the keys left are the waiters'.
            s_pollers.Lock.Enter();
            s_interest = s_pollers.InterestOfWaiters();
            System.Threading.Interlocked.Decrement(ref s_waiting);
            s_pollers.Lock.Exit();
        }
    }
}
