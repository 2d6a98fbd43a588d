using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>What the running thread does to itself: yield, sleep, block, exit, join, hand off.</summary>
    public static unsafe partial class Scheduler
    {
        private static TicketLock s_sleepLock;     // s_sleepers
        private static Thread s_sleepers;          // sorted by wake time
        /// <summary>The first sleeper's wake time (TSC; ulong.MaxValue: none), written under the sleepers' lock and read
        /// without it by every processor's tick: a cheap test before the lock.</summary>
        private static ulong s_nextWake = ulong.MaxValue;

        /// <summary>Gives the CPU to another ready thread of the same or a more urgent level, if any.</summary>
        public static void Yield()
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            ProcessorState local = Local;
            local.Lock.Enter();
            if (local.Queue.Count > 0)
            {
                ulong now = Cpu.ReadTimeStampCounter();
                Thread current = local.Current;
                current.State = ThreadState.Ready;
                local.Queue.Enqueue(current, false, SystemClock.Ticks);
                StopRunning(local, current, now);
                local = Local;   // it may resume on another processor
            }
            local.Lock.Exit();
            RestoreInterrupts(enabled);
        }

        /// <summary>
        /// Blocks the current thread, which the caller has queued where a waker will find it, and releases
        /// the caller's 'objectLock' only once the thread is marked blocked under its processor's lock.
        /// Call with interrupts disabled; returns woken, holding no lock.
        /// </summary>
        private static void BlockReleasing(ref TicketLock objectLock, ThreadState state)
        {
            ProcessorState local = Local;
            local.Lock.Enter();
            Thread current = local.Current;
            current.State = state;
            objectLock.Exit();
            StopRunning(local, current, Cpu.ReadTimeStampCounter());
            Local.Lock.Exit();
        }

        /// <summary>Sleeps at least 'milliseconds' (a tick wakes it).</summary>
        public static void Sleep(ulong milliseconds)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            Thread current = Local.Current;
            current.WakeTime = Cpu.ReadTimeStampCounter() + milliseconds * (SystemClock.TscFrequency / 1000);
            s_sleepLock.Enter();
            InsertSleeper(current);
            BlockReleasing(ref s_sleepLock, ThreadState.Sleeping);
            RestoreInterrupts(enabled);
        }

        /// <summary>
        /// Gives the current thread a deadline (TSC) for the interruptible waits it makes until DisarmTimeout: when
        /// it passes, the wait it sleeps in ends as a kill's would (and one it starts later returns at once).
        /// Call before taking the wait's lock (the sleepers' lock ranks below every wait queue's), interrupts masked.
        /// </summary>
        public static void ArmTimeout(ulong deadline)
        {
            Thread current = Local.Current;
            current.TimedOut = 0;
            current.WakeTime = deadline;
            s_sleepLock.Enter();
            InsertSleeper(current);
            current.TimeoutArmed = true;
            s_sleepLock.Exit();
        }

        /// <summary>Ends the current thread's deadline; true if it passed.</summary>
        public static bool DisarmTimeout()
        {
            Thread current = Local.Current;
            s_sleepLock.Enter();
            if (current.TimeoutArmed)
            {
                current.TimeoutArmed = false;
                if (s_sleepers == current)
                {
                    s_sleepers = current.SleepNext;
                }
                else
                {
                    Thread before = s_sleepers;
                    while (before != null && before.SleepNext != current)
                        before = before.SleepNext;
                    if (before != null)
                        before.SleepNext = current.SleepNext;
                }
                current.SleepNext = null;
                PublishNextWake();
            }
            s_sleepLock.Exit();
            // Read and cleared: a deadline that passed must not end the thread's later waits.
            return System.Threading.Interlocked.Exchange(ref current.TimedOut, 0) != 0;
        }

        // Sleep lock held: into the sleepers, by wake time.
        private static void InsertSleeper(Thread thread)
        {
            Thread before = null;
            for (Thread t = s_sleepers; t != null && t.WakeTime <= thread.WakeTime; t = t.SleepNext)
                before = t;
            if (before == null) { thread.SleepNext = s_sleepers; s_sleepers = thread; }
            else { thread.SleepNext = before.SleepNext; before.SleepNext = thread; }
            PublishNextWake();
        }

        // Sleep lock held.
        private static void PublishNextWake()
            => System.Threading.Volatile.Write(ref s_nextWake, s_sleepers != null ? s_sleepers.WakeTime : ulong.MaxValue);

        /// <summary>True when the first sleeper's time has come (read without the lock: a stale value delays a wake-up
        /// by a tick at most).</summary>
        private static bool SleeperDue(ulong now) => now >= System.Threading.Volatile.Read(ref s_nextWake);

        /// <summary>
        /// From any processor's tick once one is due (<see cref="SleeperDue"/>; not processor 0's alone, which may spend
        /// long in a system call with interrupts masked): every sleeper whose time has come becomes ready; a thread whose deadline passed
        /// has its wait interrupted, under the sleepers' lock, so that it cannot finish its wait (and DisarmTimeout)
        /// meanwhile. The flag is set before the wait is looked at, as a kill's is.
        /// </summary>
        private static void WakeSleepers(ulong now)
        {
            // Two processors' ticks may find the same sleeper due: one takes the lock, the other goes on.
            if (!s_sleepLock.TryEnter())
                return;
            Thread due = null, dueLast = null;
            while (s_sleepers != null && s_sleepers.WakeTime <= now)
            {
                Thread thread = s_sleepers;
                s_sleepers = thread.SleepNext;
                thread.SleepNext = null;
                if (thread.TimeoutArmed)
                {
                    thread.TimeoutArmed = false;
                    System.Threading.Interlocked.Exchange(ref thread.TimedOut, 1);
                    InterruptWait(thread);
                    continue;
                }
                if (dueLast == null) due = thread; else dueLast.SleepNext = thread;
                dueLast = thread;
            }
            PublishNextWake();
            s_sleepLock.Exit();
            while (due != null)
            {
                Thread next = due.SleepNext;   // read first: once ready, it may sleep again
                due.SleepNext = null;
                MakeReady(due);
                due = next;
            }
        }

        internal static void BlockOn(WaitQueue queue)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            queue.Lock.Enter();
            queue.Add(Local.Current);
            BlockReleasing(ref queue.Lock, ThreadState.Blocked);
            RestoreInterrupts(enabled);
        }

        internal static bool WakeFirst(WaitQueue queue)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            queue.Lock.Enter();
            Thread thread = queue.TakeFirst();
            if (thread != null)
                MakeReady(thread);
            queue.Lock.Exit();
            RestoreInterrupts(enabled);
            return thread != null;
        }

        internal static int WakeEvery(WaitQueue queue)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            queue.Lock.Enter();
            int woken = WakeEveryLocked(queue);
            queue.Lock.Exit();
            RestoreInterrupts(enabled);
            return woken;
        }

        // The queue's lock held, interrupts off.
        internal static int WakeEveryLocked(WaitQueue queue)
        {
            int woken = 0;
            for (Thread thread = queue.TakeFirst(); thread != null; thread = queue.TakeFirst())
            {
                MakeReady(thread);
                woken++;
            }
            return woken;
        }

        internal static int WakeInterested(WaitQueue queue, ulong keys)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            queue.Lock.Enter();
            int woken = 0;
            for (Thread thread = queue.TakeInterested(keys); thread != null; woken++)
            {
                Thread next = (Thread)thread.Next;   // MakeReady reuses the links
                thread.Next = null;
                MakeReady(thread);
                thread = next;
            }
            queue.Lock.Exit();
            RestoreInterrupts(enabled);
            return woken;
        }

        internal static void Acquire(Sync.Semaphore semaphore)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            WaitQueue waiters = semaphore.Waiters;
            waiters.Lock.Enter();
            if (semaphore.Count > 0)
            {
                semaphore.Count--;
                waiters.Lock.Exit();
            }
            else
            {
                waiters.Add(Local.Current);
                BlockReleasing(ref waiters.Lock, ThreadState.Blocked);   // Release handed us its unit
            }
            RestoreInterrupts(enabled);
        }

        internal static void Release(Sync.Semaphore semaphore)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            WaitQueue waiters = semaphore.Waiters;
            waiters.Lock.Enter();
            Thread waiter = waiters.TakeFirst();
            if (waiter != null)
                MakeReady(waiter);
            else
                semaphore.Count++;
            waiters.Lock.Exit();
            RestoreInterrupts(enabled);
        }

        /// <summary>Ends the current thread; its joiner frees it.</summary>
        public static void Exit()
        {
            Cpu.DisableInterrupts();
            ProcessorState local = Local;
            Thread current = local.Current;
            WaitQueue joiners = current.Joiners;
            joiners.Lock.Enter();
            current.State = ThreadState.Exited;
            Thread joiner;
            while ((joiner = joiners.TakeFirst()) != null)
                MakeReady(joiner);
            local.Lock.Enter();
            joiners.Lock.Exit();
            StopRunning(local, current, Cpu.ReadTimeStampCounter());
            Panic.Fail("an exited thread was scheduled again");
        }

        /// <summary>Waits for 'thread' to exit, then frees its stack and object.</summary>
        public static void Join(Thread thread)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            WaitQueue joiners = thread.Joiners;
            joiners.Lock.Enter();
            if (thread.State != ThreadState.Exited)
            {
                joiners.Add(Local.Current);
                BlockReleasing(ref joiners.Lock, ThreadState.Blocked);   // Exit wakes us once it is marked exited
            }
            else
            {
                joiners.Lock.Exit();
            }
            // Its processor may still be switching away from its stack: the save completes last.
            while (System.Threading.Volatile.Read(ref thread.SavedStackPointer) == 0)
                Cpu.Pause();
            RestoreInterrupts(enabled);
            Unregister(thread);
            KernelStacks.Free(thread.StackSlot);
            Exo.Runtime.ObjectAllocator.Free(thread.Joiners);
            Exo.Runtime.ObjectAllocator.Free(thread);
        }
    }
}
