using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// The predictive scheduler (one CPU today; the state is what each CPU will own with SMP).
    /// Every operation runs with interrupts disabled. Preemption: the timer tick wakes sleepers, ages waiting
    /// threads and ends slices; when a more urgent thread is ready, the interrupt dispatcher calls
    /// <see cref="Preempt"/> after the end-of-interrupt, from inside the interrupted thread's interrupt frame
    /// (which already holds its full register state).
    /// </summary>
    public static unsafe class Scheduler
    {
        public const int DefaultPriority = 16;
        private static RunQueue s_queue;
        private static Thread s_current;
        private static Thread s_idle;
        private static Thread s_bootThread;
        private static Thread s_sleepers;          // sorted by wake time
        private static Thread s_all;               // every thread, for ps
        private static int s_nextId;
        private static int s_threadCount;
        private static bool s_started;
        private static bool s_needReschedule;
        private static ulong s_switches, s_preemptions, s_agingPasses;
        private static ulong s_interactiveThreshold, s_minimumSlice, s_maximumSlice, s_agingInterval, s_nextAging;

        public static bool IsStarted => s_started;
        public static Thread Current => s_current;
        public static ulong Switches => s_switches;
        public static ulong Preemptions => s_preemptions;
        public static ulong AgingPasses => s_agingPasses;
        public static int ThreadCount => s_threadCount;
        public static bool HasReadyThreads => s_queue != null && s_queue.Count > 0;
        public static ulong AgingIntervalTicks => s_agingInterval;
        public static Thread AllThreads => s_all;
        public static bool NeedsReschedule => s_needReschedule;

        public static void Initialize()
        {
            ulong perMillisecond = SystemClock.TscFrequency / 1000;
            s_interactiveThreshold = perMillisecond / 2;     // predicted under 0.5 ms: interactive
            s_minimumSlice = perMillisecond / 2;
            s_maximumSlice = 4 * perMillisecond;
            s_agingInterval = 10 * perMillisecond;
            s_queue = new RunQueue();
            s_bootThread = new Thread(s_nextId++, "kernel-main", DefaultPriority, s_interactiveThreshold);
            s_bootThread.State = ThreadState.Running;
            s_bootThread.RunStart = Cpu.ReadTimeStampCounter();
            s_bootThread.SliceEnd = s_bootThread.RunStart + s_maximumSlice;
            Register(s_bootThread);
            s_current = s_bootThread;
            s_idle = CreateThread("idle", &IdleLoop, 0, SchedulerEntity.PriorityLevels - 1, ready: false);
            if (s_idle == null)
                Panic.Fail("no memory for the idle thread");
            s_idle.IsIdle = true;
            s_nextAging = s_bootThread.RunStart + s_agingInterval;
            s_started = true;
        }

        /// <summary>Creates a ready thread running entry(argument); null when memory or stack slots run out.</summary>
        public static Thread Create(string name, delegate*<ulong, void> entry, ulong argument, int priority = DefaultPriority)
        {
            if ((uint)priority >= SchedulerEntity.PriorityLevels)
                return null;
            return CreateThread(name, entry, argument, priority, ready: true);
        }

        private static Thread CreateThread(string name, delegate*<ulong, void> entry, ulong argument, int priority, bool ready)
        {
            ulong top = KernelStacks.Allocate(out int slot);
            if (top == 0)
                return null;
            Thread thread = new Thread(0, name, priority, s_interactiveThreshold);
            thread.Entry = entry;
            thread.Argument = argument;
            thread.StackSlot = slot;
            thread.StackTop = top;
            thread.SavedStackPointer = ContextSwitch.PrepareStack(top, AddressOf(thread));
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            thread.Id = s_nextId++;
            Register(thread);
            if (ready)
                MakeReady(thread);
            if (enabled) Cpu.EnableInterrupts();
            return thread;
        }

        private static void Register(Thread thread)
        {
            thread.AllNext = s_all;
            s_all = thread;
            s_threadCount++;
        }

        private static void Unregister(Thread thread)
        {
            if (s_all == thread)
                s_all = thread.AllNext;
            else
                for (Thread t = s_all; t != null; t = t.AllNext)
                    if (t.AllNext == thread) { t.AllNext = thread.AllNext; break; }
            s_threadCount--;
        }

        [UnmanagedCallersOnly(EntryPoint = "ExoThreadMain")]
        private static void ThreadMain(ulong threadAddress)
        {
            Thread thread = Unsafe.AsRef<Thread>(&threadAddress);
            Cpu.EnableInterrupts();
            thread.Entry(thread.Argument);
            Exit();
        }

        private static void IdleLoop(ulong unused)
        {
            while (true)
                Cpu.EnableInterruptsAndHalt();
        }

        // ------------------------------------------------------------ operations of the current thread

        /// <summary>Gives the CPU to another ready thread of the same or a more urgent level, if any.</summary>
        public static void Yield()
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            Thread current = s_current;
            if (s_queue.Count > 0)
            {
                s_queue.Enqueue(current, false, Cpu.ReadTimeStampCounter());
                StopRunning(current, ThreadState.Ready);
            }
            if (enabled) Cpu.EnableInterrupts();
        }

        /// <summary>Sleeps at least 'milliseconds' (the tick wakes it).</summary>
        public static void Sleep(ulong milliseconds)
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            Thread current = s_current;
            current.WakeTime = Cpu.ReadTimeStampCounter() + milliseconds * (SystemClock.TscFrequency / 1000);
            Thread before = null;
            for (Thread t = s_sleepers; t != null && t.WakeTime <= current.WakeTime; t = t.SleepNext)
                before = t;
            if (before == null) { current.SleepNext = s_sleepers; s_sleepers = current; }
            else { current.SleepNext = before.SleepNext; before.SleepNext = current; }
            StopRunning(current, ThreadState.Sleeping);
            if (enabled) Cpu.EnableInterrupts();
        }

        internal static void BlockOn(WaitQueue queue)
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            Thread current = s_current;
            queue.Add(current);
            StopRunning(current, ThreadState.Blocked);
            if (enabled) Cpu.EnableInterrupts();
        }

        internal static bool WakeFirst(WaitQueue queue)
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            Thread thread = queue.TakeFirst();
            if (thread != null)
                MakeReady(thread);
            if (enabled) Cpu.EnableInterrupts();
            return thread != null;
        }

        /// <summary>Ends the current thread; its joiner frees it.</summary>
        public static void Exit()
        {
            Cpu.DisableInterrupts();
            Thread current = s_current;
            current.State = ThreadState.Exited;
            while (current.Joiners.WakeOne()) { }
            StopRunning(current, ThreadState.Exited);
            Panic.Fail("an exited thread was scheduled again");
        }

        /// <summary>Waits for 'thread' to exit, then frees its stack and object.</summary>
        public static void Join(Thread thread)
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            while (thread.State != ThreadState.Exited)
                BlockOn(thread.Joiners);
            Unregister(thread);
            if (enabled) Cpu.EnableInterrupts();
            // The exited thread never runs again, so its stack can go.
            KernelStacks.Free(thread.StackSlot);
            Exo.Runtime.ObjectAllocator.Free(thread.Joiners);
            Exo.Runtime.ObjectAllocator.Free(thread);
        }

        // ------------------------------------------------------------ the core (interrupts disabled)

        private static void MakeReady(Thread thread)
        {
            thread.State = ThreadState.Ready;
            thread.ReadyTick = SystemClock.Ticks;
            bool interactive = BurstPredictor.IsInteractive(thread.PredictedBurst, s_interactiveThreshold);
            s_queue.Enqueue(thread, interactive, Cpu.ReadTimeStampCounter());
            Thread current = s_current;
            if (current.IsIdle || thread.EffectivePriority < current.EffectivePriority
                || (thread.EffectivePriority == current.EffectivePriority && interactive
                    && !BurstPredictor.IsInteractive(current.PredictedBurst, s_interactiveThreshold)))
                s_needReschedule = true;
        }

        /// <summary>
        /// The current thread stops running voluntarily, in 'state' (already queued where it waits): its run
        /// burst ends and feeds the prediction, and the most urgent ready thread runs.
        /// </summary>
        private static void StopRunning(Thread current, ThreadState state)
        {
            current.State = state;
            EndBurst(current);
            Schedule();
        }

        /// <summary>The run burst of a thread that stops running voluntarily becomes part of its prediction.</summary>
        private static void EndBurst(Thread thread)
        {
            ulong now = Cpu.ReadTimeStampCounter();
            thread.CpuTime += now - thread.RunStart;
            thread.PredictedBurst = BurstPredictor.Update(thread.PredictedBurst, thread.BurstSoFar + (now - thread.RunStart));
            thread.BurstSoFar = 0;
            thread.RunStart = now;
        }

        /// <summary>Runs the most urgent ready thread (or idle). The current thread's state is already set.</summary>
        private static void Schedule()
        {
            Thread next = (Thread)s_queue.PickNext();
            SwitchTo(next ?? s_idle);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void SwitchTo(Thread next)
        {
            Thread previous = s_current;
            if (next == previous)
            {
                previous.State = ThreadState.Running;
                return;
            }
            ulong now = Cpu.ReadTimeStampCounter();
            if (previous.State == ThreadState.Running || previous.State == ThreadState.Ready)
            {
                // Preempted or yielding mid-burst: the burst goes on when it runs again.
                previous.CpuTime += now - previous.RunStart;
                previous.BurstSoFar += now - previous.RunStart;
            }
            next.State = ThreadState.Running;
            next.EffectivePriority = next.Priority;
            next.RunStart = now;
            next.SliceEnd = now + BurstPredictor.TimeSlice(next.PredictedBurst, s_minimumSlice, s_maximumSlice);
            s_current = next;
            s_switches++;
            s_needReschedule = false;
            ContextSwitch.SwitchStack((ulong*)Unsafe.AsPointer(ref previous.SavedStackPointer), next.SavedStackPointer);
        }

        /// <summary>Direct hand-off to a chosen ready thread, skipping the pick (for IPC).</summary>
        public static void SwitchDirect(Thread target)
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            if (target.State == ThreadState.Ready && target.Queued)
            {
                s_queue.Remove(target);
                Thread current = s_current;
                current.State = ThreadState.Ready;
                s_queue.Enqueue(current, false, Cpu.ReadTimeStampCounter());
                SwitchTo(target);
            }
            if (enabled) Cpu.EnableInterrupts();
        }

        // ------------------------------------------------------------ from the timer interrupt

        /// <summary>Called on every tick (interrupts disabled): wake sleepers, age, end slices.</summary>
        public static void OnTick()
        {
            if (!s_started)
                return;
            ulong now = Cpu.ReadTimeStampCounter();
            while (s_sleepers != null && s_sleepers.WakeTime <= now)
            {
                Thread thread = s_sleepers;
                s_sleepers = thread.SleepNext;
                thread.SleepNext = null;
                MakeReady(thread);
            }
            if (now >= s_nextAging)
            {
                s_queue.Age(now, s_agingInterval);
                s_agingPasses++;
                s_nextAging = now + s_agingInterval;
            }
            Thread current = s_current;
            if (s_queue.Count > 0 && (current.IsIdle || now >= current.SliceEnd))
                s_needReschedule = true;
        }

        /// <summary>Called by the interrupt dispatcher after the end-of-interrupt when a reschedule is due.</summary>
        public static void Preempt()
        {
            Thread current = s_current;
            s_needReschedule = false;
            if (!current.IsIdle)
            {
                current.State = ThreadState.Ready;
                s_queue.Enqueue(current, false, Cpu.ReadTimeStampCounter());
            }
            s_preemptions++;
            Schedule();
        }

        // ------------------------------------------------------------ measurement

        /// <summary>Pick-next alone, for the sched.pick benchmark: pick from the live run queue, then put back.</summary>
        public static SchedulerEntity PickForMeasurement(RunQueue queue) => queue.PickNext();

        public static ulong AddressOf(object value) => *(ulong*)Unsafe.AsPointer(ref value);
    }
}
