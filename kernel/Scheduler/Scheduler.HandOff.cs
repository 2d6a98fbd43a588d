using System.Runtime.CompilerServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// The primitives Fusion Rings build on. Their rule: a thread marks itself blocked (State) before it makes
    /// itself findable by a peer (an endpoint's receiver word, a caller queue, a reply link), and these
    /// primitives never write the current thread's state. A peer that wakes or runs it before it has finished
    /// stopping is safe: SwitchTo waits until its save completes, and a thread made ready while still running
    /// is simply picked again.
    /// </summary>
    public static unsafe partial class Scheduler
    {
        /// <summary>
        /// Direct hand-off (interrupts disabled, in a system call): the current thread, already marked blocked,
        /// stops and 'target', a blocked thread the caller has claimed, runs on this processor now, without
        /// the pick and without passing through a queue. The target runs on what is left of the current thread's slice
        /// (a hand-off is not a new turn, as an L4 donation is not): two threads handing off to each other would
        /// otherwise renew their slice and clear a pending reschedule at every call, and starve the queue for as long
        /// as they talk. Once that slice is over, or a wake-up asked for this processor, and others wait here, the
        /// target is queued like any woken thread and the most urgent runs.
        /// </summary>
        internal static void HandOff(Thread target)
        {
            ProcessorState local = Local;
            local.Lock.Enter();
            ulong now = Cpu.ReadTimeStampCounter();
            Thread current = local.Current;
            PauseBurst(current, now);
            // Only a target whose last stop has completed its save is queued: a pick would leave one still stopping on
            // another processor queued and idle until the tick (Schedule), while the direct switch below waits for its
            // save with nothing queued, as before.
            if ((local.NeedReschedule || now >= current.SliceEnd) && local.Queue.Count > 0
                && System.Threading.Volatile.Read(ref target.SavedStackPointer) != 0)
            {
                target.State = ThreadState.Ready;
                target.ReadyTick = SystemClock.Ticks;
                local.Queue.Enqueue(target, false, SystemClock.Ticks);
                Schedule(local, now);
            }
            else
                SwitchTo(local, target, now, current.SliceEnd);
            Local.Lock.Exit();
        }

        /// <summary>
        /// Makes 'thread' (blocked, claimed by the caller: taken off the queue it slept on) ready, and when it would run
        /// here and should run first (MakeReady would place it on this processor; HandsOff), switches to it at once instead of queueing it for the switch on the way back to ring 3: the current thread
        /// is queued as a preempted one is and finishes its system call when it runs again. In a system call, with
        /// interrupts disabled and no lock held (the waker's half of a futex ping-pong: the pick, the queueing of the
        /// woken thread and the trip through the pending work are skipped). The target last ran here, so its save is
        /// complete; the current thread, queued before its own save, is left alone by steals and waited for by a pick
        /// for a bounded time only (Schedule, TrySteal).
        /// </summary>
        internal static void WakeRunning(Thread thread)
        {
            ProcessorState local = Local;
            Thread current = local.Current;
            bool interactive = BurstPredictor.IsInteractive(thread.PredictedBurst, s_interactiveThreshold);
            if (current.IsIdle || current.User.KernelEntryStack == 0 || PlaceOn(thread) != local.Index
                || !HandsOff(thread, interactive, current))
            {
                MakeReady(thread);
                return;
            }
            local.Lock.Enter();
            ThreadState before = thread.State;
            if (before != ThreadState.Blocked && before != ThreadState.Sleeping)
                Panic.Fail("scheduler: a thread woken to run at once was not blocked");
            ulong now = Cpu.ReadTimeStampCounter();
            thread.ReadyTick = SystemClock.Ticks;
            thread.WokenInteractive = interactive;
            thread.WakeStamp = 0;
            thread.WakeDecisions = 1;   // the first decision ran it
            PauseBurst(current, now);
            current.State = ThreadState.Ready;
            current.ReadyTick = SystemClock.Ticks;
            local.Queue.Enqueue(current, false, SystemClock.Ticks);
            local.Preemptions++;
            local.Decisions++;
            SwitchTo(local, thread, now);
            Local.Lock.Exit();   // it may resume on another processor
        }

        /// <summary>
        /// Whether a waiter woken alone runs at once: when more urgent than the waker, or as urgent and interactive
        /// (a short predicted burst), whatever the waker's own prediction. An interactive waker would block soon anyway
        /// (a lock released, a condition signalled, a ping-pong's turn), and one that is not would be preempted by
        /// Preempts. Asking Preempts alone made a futex ping-pong bimodal: a waker whose waits return at once (the word
        /// already changed) never ends a burst, so the prediction it had at the first round trip decided every one
        /// after (1,949 or 3,240 instructions a round trip, by the phase the run started in).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool HandsOff(Thread thread, bool interactive, Thread running)
            => thread.EffectivePriority < running.EffectivePriority || (interactive && thread.EffectivePriority == running.EffectivePriority);

        /// <summary>Takes the longest waiter off 'queue' under its lock without waking it (null if none); interrupts disabled.</summary>
        internal static Thread TakeFirstWaiter(WaitQueue queue)
        {
            queue.Lock.Enter();
            Thread thread = queue.TakeFirst();
            queue.Lock.Exit();
            return thread;
        }

        /// <summary>Stops the current thread, already marked blocked, until someone makes it ready (interrupts disabled).</summary>
        internal static void BlockCurrent()
        {
            ProcessorState local = Local;
            local.Lock.Enter();
            StopRunning(local, local.Current, Cpu.ReadTimeStampCounter());
            Local.Lock.Exit();
        }

        /// <summary>Queues the current thread on 'queue', whose lock the caller holds, and blocks releasing it.</summary>
        internal static void BlockOnLocked(WaitQueue queue)
        {
            queue.Add(Local.Current);
            BlockReleasing(ref queue.Lock, ThreadState.Blocked);
        }

        /// <summary>Blocks the current thread, which the caller has queued, releasing 'objectLock' (interrupts disabled).</summary>
        internal static void BlockReleasingLock(ref TicketLock objectLock) => BlockReleasing(ref objectLock, ThreadState.Blocked);

        /// <summary>
        /// Blocks the current thread on 'queue' (its lock held; released either way) unless it is being killed:
        /// false at once if it is. The thread names the queue before it looks at the kill flag, and the killer sets
        /// the flag before it looks at the queue, so one of them sees the other (<see cref="InterruptWait"/>).
        /// </summary>
        internal static bool BlockOnLockedInterruptibly(WaitQueue queue)
        {
            Thread current = Local.Current;
            System.Threading.Interlocked.Exchange(ref current.InterruptibleWait, AddressOf(queue));
            if (current.WaitEnds)
            {
                current.InterruptibleWait = 0;
                queue.Lock.Exit();
                return false;
            }
            BlockOnLocked(queue);
            current.InterruptibleWait = 0;
            return true;
        }

        /// <summary>
        /// Takes a thread being killed out of the wait queue it sleeps on, if any, and wakes it (interrupts disabled).
        /// Under the grace flag, like <see cref="Ipc.FusionCall.Interrupt"/>: the queue's owner (a notification, a
        /// thread or process object) may be freed by another processor as soon as the thread has left the wait,
        /// and it waits for the flag (<see cref="WaitForFastPaths"/>) before freeing the queue.
        /// </summary>
        internal static void InterruptWait(Thread thread)
        {
            ref int grace = ref FastPathFlag;
            System.Threading.Interlocked.Exchange(ref grace, 1);   // before the address is read
            ulong address = System.Threading.Volatile.Read(ref thread.InterruptibleWait);
            if (address != 0)
            {
                WaitQueue queue = System.Runtime.CompilerServices.Unsafe.AsRef<WaitQueue>(&address);
                queue.Lock.Enter();
                if (System.Threading.Volatile.Read(ref thread.InterruptibleWait) == address && queue.Remove(thread))
                    MakeReady(thread);
                queue.Lock.Exit();
            }
            System.Threading.Volatile.Write(ref grace, 0);
        }

        /// <summary>Interrupts the processor running 'thread', if another: an interrupt from ring 3 notices a kill.</summary>
        internal static void Nudge(Thread thread)
        {
            int cpu = thread.Cpu;
            if (thread.State == ThreadState.Running && cpu != Cpu.CurrentProcessor())
                LocalApic.SendInterrupt(Smp.Processors.ApicIdOf(cpu), RescheduleVector);
        }

        /// <summary>Makes a blocked thread ready (a peer woke it).</summary>
        internal static void Wake(Thread thread) => MakeReady(thread);

        /// <summary>May 'thread' run on the calling processor (is it unpinned, or pinned here)?</summary>
        internal static bool MayRunHere(Thread thread) => thread.Affinity < 0 || thread.Affinity == Local.Index;

        /// <summary>
        /// Set while this processor's IPC fast path reads an endpoint it found without a lock; an endpoint is
        /// freed only once no processor has it set (<see cref="WaitForFastPaths"/>), a minimal grace period.
        /// </summary>
        internal static ref int FastPathFlag => ref Local.InFastPath;

        internal static void WaitForFastPaths()
        {
            // The other active processors only (a fast path runs on a processor that schedules threads): every thread's
            // exit waits here, and a scan of every possible processor cost 200 instructions of pthread_join's 14,000.
            for (uint others = s_activeProcessors & ~(1u << Local.Index); others != 0; others &= others - 1)
            {
                ProcessorState state = s_processors[System.Numerics.BitOperations.TrailingZeroCount(others)];
                while (System.Threading.Volatile.Read(ref state.InFastPath) != 0)
                    Cpu.Pause();
            }
        }
    }
}
