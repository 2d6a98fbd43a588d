using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// The predictive scheduler, on every processor. Each processor has its own run queue, current thread
    /// and idle thread; one lock (<see cref="s_lock"/>) guards all scheduler state, taken with interrupts
    /// disabled. The lock is held across the stack switch and released by whichever thread resumes, so no
    /// processor can pick a thread whose registers another processor is still saving.
    /// Placement: a thread made ready goes to an idle processor if there is one, else to the processor it last
    /// ran on; a processor that runs out of work steals the most urgent thread of the longest queue.
    /// Preemption: each processor's tick ages its queue and ends slices; sleepers are woken by processor 0's.
    /// A processor told to reschedule by another gets an inter-processor interrupt; the dispatcher then calls
    /// <see cref="Preempt"/> after the end-of-interrupt, inside the interrupted thread's frame.
    /// </summary>
    public static unsafe class Scheduler
    {
        public const int DefaultPriority = 16;
        public const int RescheduleVector = 0xF1;
        private const int MaximumProcessors = DescriptorTables.MaximumProcessors;

        private static TicketLock s_lock;
        private static RunQueue[] s_queues;
        private static Thread[] s_currents;
        private static Thread[] s_idles;
        private struct Flags { public fixed byte NeedReschedule[MaximumProcessors]; }
        private static Flags s_flags;
        private static uint s_activeProcessors;    // bit per processor that schedules threads
        private static Thread s_sleepers;          // sorted by wake time
        private static Thread s_all;               // every thread, for ps
        private static int s_nextId;
        private static int s_threadCount;
        private static bool s_started;
        private static ulong s_switches, s_preemptions, s_agingPasses, s_steals;
        private static ulong s_interactiveThreshold, s_minimumSlice, s_maximumSlice, s_agingInterval;
        private struct AgingTimes { public fixed ulong Next[MaximumProcessors]; }
        private static AgingTimes s_nextAging;

        public static bool IsStarted => s_started;
        public static Thread Current => s_currents[Cpu.CurrentProcessor()];
        public static ulong Switches => s_switches;
        public static ulong Preemptions => s_preemptions;
        public static ulong AgingPasses => s_agingPasses;
        public static ulong Steals => s_steals;
        public static int ThreadCount => s_threadCount;
        public static ulong AgingIntervalTicks => s_agingInterval;
        public static Thread AllThreads => s_all;

        public static bool HasReadyThreads
        {
            get { RunQueue queue = s_queues == null ? null : s_queues[Cpu.CurrentProcessor()]; return queue != null && queue.Count > 0; }
        }

        public static bool NeedsReschedule => s_started && s_flags.NeedReschedule[Cpu.CurrentProcessor()] != 0;

        public static void Initialize()
        {
            ulong perMillisecond = SystemClock.TscFrequency / 1000;
            s_interactiveThreshold = perMillisecond / 2;     // predicted under 0.5 ms: interactive
            s_minimumSlice = perMillisecond / 2;
            s_maximumSlice = 4 * perMillisecond;
            s_agingInterval = 10 * perMillisecond;
            s_queues = new RunQueue[MaximumProcessors];
            s_currents = new Thread[MaximumProcessors];
            s_idles = new Thread[MaximumProcessors];
            InterruptDispatcher.Register(RescheduleVector, &OnRescheduleInterrupt);

            Thread boot = new Thread(s_nextId++, "kernel-main", DefaultPriority, s_interactiveThreshold);
            boot.State = ThreadState.Running;
            boot.RunStart = Cpu.ReadTimeStampCounter();
            boot.SliceEnd = boot.RunStart + s_maximumSlice;
            Register(boot);
            s_queues[0] = new RunQueue();
            s_currents[0] = boot;
            Thread idle = CreateThread("idle", &IdleLoop, 0, SchedulerEntity.PriorityLevels - 1, ready: false);
            if (idle == null)
                Panic.Fail("no memory for the idle thread");
            idle.IsIdle = true;
            s_idles[0] = idle;
            s_nextAging.Next[0] = boot.RunStart + s_agingInterval;
            s_activeProcessors = 1;
            s_started = true;
            Exo.Runtime.ExecutionContext.Install(&CurrentThreadIdentity);
        }

        // For the runtime (class constructors run by one thread while others wait): the current Thread's address.
        private static nuint CurrentThreadIdentity() => (nuint)AddressOf(s_currents[Cpu.CurrentProcessor()]);

        /// <summary>
        /// An application processor joins: the code it runs now (its start-up stack) becomes its idle thread.
        /// Call with interrupts disabled; the caller then enables them and halts in a loop.
        /// </summary>
        public static void AddProcessor(int index, string name)
        {
            RunQueue queue = new RunQueue();
            Thread idle = new Thread(0, name, SchedulerEntity.PriorityLevels - 1, s_interactiveThreshold);
            idle.IsIdle = true;
            idle.State = ThreadState.Running;
            idle.Cpu = index;
            idle.RunStart = Cpu.ReadTimeStampCounter();
            s_lock.Enter();
            idle.Id = s_nextId++;
            Register(idle);
            s_queues[index] = queue;
            s_idles[index] = idle;
            s_currents[index] = idle;
            s_nextAging.Next[index] = idle.RunStart + s_agingInterval;
            s_activeProcessors |= 1u << index;
            s_lock.Exit();
        }

        private static bool Lock()
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            s_lock.Enter();
            return enabled;
        }

        private static void Unlock(bool enabled)
        {
            s_lock.Exit();
            if (enabled)
                Cpu.EnableInterrupts();
        }

        /// <summary>
        /// Creates a ready thread running entry(argument), on any processor or pinned to 'affinity';
        /// null when memory or stack slots run out.
        /// </summary>
        public static Thread Create(string name, delegate*<ulong, void> entry, ulong argument, int priority = DefaultPriority, int affinity = -1)
        {
            if ((uint)priority >= SchedulerEntity.PriorityLevels || affinity >= MaximumProcessors)
                return null;
            return CreateThread(name, entry, argument, priority, ready: true, affinity);
        }

        private static Thread CreateThread(string name, delegate*<ulong, void> entry, ulong argument, int priority, bool ready, int affinity = -1)
        {
            ulong top = KernelStacks.Allocate(out int slot);
            if (top == 0)
                return null;
            Thread thread = new Thread(0, name, priority, s_interactiveThreshold);
            thread.Entry = entry;
            thread.Argument = argument;
            thread.StackSlot = slot;
            thread.StackTop = top;
            thread.Affinity = affinity;
            thread.Cpu = affinity >= 0 ? affinity : Cpu.CurrentProcessor();
            thread.SavedStackPointer = ContextSwitch.PrepareStack(top, AddressOf(thread));
            bool enabled = Lock();
            thread.Id = s_nextId++;
            Register(thread);
            if (ready)
                MakeReady(thread);
            Unlock(enabled);
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
            // Switched to by a processor holding the scheduler lock: release it for that processor.
            s_lock.Exit();
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

        private static void OnRescheduleInterrupt(InterruptFrame* frame) { }   // the dispatcher does the work

        // ------------------------------------------------------------ operations of the current thread

        /// <summary>Gives the CPU to another ready thread of the same or a more urgent level, if any.</summary>
        public static void Yield()
        {
            bool enabled = Lock();
            int cpu = Cpu.CurrentProcessor();
            Thread current = s_currents[cpu];
            if (s_queues[cpu].Count > 0)
            {
                s_queues[cpu].Enqueue(current, false, Cpu.ReadTimeStampCounter());
                StopRunning(cpu, current, ThreadState.Ready);
            }
            Unlock(enabled);
        }

        /// <summary>Sleeps at least 'milliseconds' (a tick wakes it).</summary>
        public static void Sleep(ulong milliseconds)
        {
            bool enabled = Lock();
            int cpu = Cpu.CurrentProcessor();
            Thread current = s_currents[cpu];
            current.WakeTime = Cpu.ReadTimeStampCounter() + milliseconds * (SystemClock.TscFrequency / 1000);
            Thread before = null;
            for (Thread t = s_sleepers; t != null && t.WakeTime <= current.WakeTime; t = t.SleepNext)
                before = t;
            if (before == null) { current.SleepNext = s_sleepers; s_sleepers = current; }
            else { current.SleepNext = before.SleepNext; before.SleepNext = current; }
            StopRunning(cpu, current, ThreadState.Sleeping);
            Unlock(enabled);
        }

        internal static void BlockOn(WaitQueue queue)
        {
            bool enabled = Lock();
            int cpu = Cpu.CurrentProcessor();
            Thread current = s_currents[cpu];
            queue.Add(current);
            StopRunning(cpu, current, ThreadState.Blocked);
            Unlock(enabled);
        }

        internal static bool WakeFirst(WaitQueue queue)
        {
            bool enabled = Lock();
            Thread thread = queue.TakeFirst();
            if (thread != null)
                MakeReady(thread);
            Unlock(enabled);
            return thread != null;
        }

        internal static void Acquire(Sync.Semaphore semaphore)
        {
            bool enabled = Lock();
            if (semaphore.Count > 0)
            {
                semaphore.Count--;
            }
            else
            {
                int cpu = Cpu.CurrentProcessor();
                Thread current = s_currents[cpu];
                semaphore.Waiters.Add(current);
                StopRunning(cpu, current, ThreadState.Blocked);   // Release handed us its unit
            }
            Unlock(enabled);
        }

        internal static void Release(Sync.Semaphore semaphore)
        {
            bool enabled = Lock();
            Thread waiter = semaphore.Waiters.TakeFirst();
            if (waiter != null)
                MakeReady(waiter);
            else
                semaphore.Count++;
            Unlock(enabled);
        }

        /// <summary>Ends the current thread; its joiner frees it.</summary>
        public static void Exit()
        {
            Lock();
            int cpu = Cpu.CurrentProcessor();
            Thread current = s_currents[cpu];
            Thread joiner;
            while ((joiner = current.Joiners.TakeFirst()) != null)
                MakeReady(joiner);
            StopRunning(cpu, current, ThreadState.Exited);
            Panic.Fail("an exited thread was scheduled again");
        }

        /// <summary>Waits for 'thread' to exit, then frees its stack and object.</summary>
        public static void Join(Thread thread)
        {
            bool enabled = Lock();
            while (thread.State != ThreadState.Exited)
            {
                int cpu = Cpu.CurrentProcessor();
                Thread current = s_currents[cpu];
                thread.Joiners.Add(current);
                StopRunning(cpu, current, ThreadState.Blocked);
            }
            // Seen exited under the lock: the processor it ran on has switched away from its stack.
            Unregister(thread);
            Unlock(enabled);
            KernelStacks.Free(thread.StackSlot);
            Exo.Runtime.ObjectAllocator.Free(thread.Joiners);
            Exo.Runtime.ObjectAllocator.Free(thread);
        }

        // ------------------------------------------------------------ the core (lock held, interrupts disabled)

        private static void MakeReady(Thread thread)
        {
            thread.State = ThreadState.Ready;
            thread.ReadyTick = SystemClock.Ticks;
            bool interactive = BurstPredictor.IsInteractive(thread.PredictedBurst, s_interactiveThreshold);
            int target = PlaceOn(thread);
            s_queues[target].Enqueue(thread, interactive, Cpu.ReadTimeStampCounter());
            Thread running = s_currents[target];
            if (running.IsIdle || thread.EffectivePriority < running.EffectivePriority
                || (thread.EffectivePriority == running.EffectivePriority && interactive
                    && !BurstPredictor.IsInteractive(running.PredictedBurst, s_interactiveThreshold)))
            {
                s_flags.NeedReschedule[target] = 1;
                if (target != Cpu.CurrentProcessor())
                    LocalApic.SendInterrupt(Smp.Processors.ApicIdOf(target), RescheduleVector);
            }
        }

        /// <summary>
        /// Its pinned processor if it has one; else an idle processor with nothing queued if there is one,
        /// else where it last ran.
        /// </summary>
        private static int PlaceOn(Thread thread)
        {
            if (thread.Affinity >= 0 && ((s_activeProcessors >> thread.Affinity) & 1) != 0)
                return thread.Affinity;
            int last = thread.Cpu;
            if (((s_activeProcessors >> last) & 1) == 0)
                last = 0;
            if (s_currents[last].IsIdle && s_queues[last].Count == 0)
                return last;
            for (int cpu = 0; cpu < MaximumProcessors; cpu++)
                if (((s_activeProcessors >> cpu) & 1) != 0 && s_currents[cpu].IsIdle && s_queues[cpu].Count == 0)
                    return cpu;
            return last;
        }

        private static void StopRunning(int cpu, Thread current, ThreadState state)
        {
            current.State = state;
            EndBurst(current);
            Schedule(cpu);
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

        /// <summary>Runs the most urgent thread of this processor's queue, else a stolen one, else idle.</summary>
        private static void Schedule(int cpu)
        {
            Thread next = (Thread)s_queues[cpu].PickNext();
            if (next == null)
                next = Steal(cpu);
            SwitchTo(cpu, next ?? s_idles[cpu]);
        }

        private static Thread Steal(int cpu)
        {
            int victim = -1, longest = 0;
            for (int other = 0; other < MaximumProcessors; other++)
            {
                if (other == cpu || ((s_activeProcessors >> other) & 1) == 0)
                    continue;
                int count = s_queues[other].Count;
                if (count > longest) { longest = count; victim = other; }
            }
            if (victim < 0)
                return null;
            // The most urgent thread there that may run here (pinned threads stay where they are).
            Thread candidate = (Thread)s_queues[victim].PickNext();
            if (candidate != null && candidate.Affinity >= 0 && candidate.Affinity != cpu)
            {
                s_queues[victim].Enqueue(candidate, true, candidate.ReadySince);
                return null;
            }
            if (candidate != null)
                s_steals++;
            return candidate;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void SwitchTo(int cpu, Thread next)
        {
            Thread previous = s_currents[cpu];
            s_flags.NeedReschedule[cpu] = 0;
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
            next.Cpu = cpu;
            next.SliceEnd = now + BurstPredictor.TimeSlice(next.PredictedBurst, s_minimumSlice, s_maximumSlice);
            s_currents[cpu] = next;
            s_switches++;
            // Threads in ring-3 code keep their GS base in IA32_KERNEL_GS_BASE while in the kernel.
            if (previous.UserKernelStack != 0)
                previous.UserGsBase = Cpu.ReadMsr(UserMode.UserMode.KernelGsBaseMsr);
            if (next.UserKernelStack != 0)
            {
                Cpu.WriteMsr(UserMode.UserMode.KernelGsBaseMsr, next.UserGsBase);
                // It runs ring-3 code: its system calls and faults must land on its own stack.
                DescriptorTables.SetKernelStack(cpu, next.UserKernelStack);
                Smp.Processors.SetSystemCallStack(cpu, next.UserKernelStack);
            }
            ContextSwitch.SwitchStack((ulong*)Unsafe.AsPointer(ref previous.SavedStackPointer), next.SavedStackPointer);
        }

        /// <summary>Direct hand-off to a chosen ready thread on this processor's queue, skipping the pick (for IPC).</summary>
        public static void SwitchDirect(Thread target)
        {
            bool enabled = Lock();
            int cpu = Cpu.CurrentProcessor();
            if (target.State == ThreadState.Ready && target.Queued && target.Cpu == cpu)
            {
                s_queues[cpu].Remove(target);
                Thread current = s_currents[cpu];
                current.State = ThreadState.Ready;
                s_queues[cpu].Enqueue(current, false, Cpu.ReadTimeStampCounter());
                SwitchTo(cpu, target);
            }
            Unlock(enabled);
        }

        // ------------------------------------------------------------ from the timer interrupt (interrupts disabled)

        /// <summary>Every tick, on every processor: processor 0 wakes sleepers; each ages its queue and ends slices.</summary>
        public static void OnTick()
        {
            if (!s_started)
                return;
            int cpu = Cpu.CurrentProcessor();
            if (((s_activeProcessors >> cpu) & 1) == 0)
                return;
            s_lock.Enter();
            ulong now = Cpu.ReadTimeStampCounter();
            if (cpu == 0)
            {
                while (s_sleepers != null && s_sleepers.WakeTime <= now)
                {
                    Thread thread = s_sleepers;
                    s_sleepers = thread.SleepNext;
                    thread.SleepNext = null;
                    MakeReady(thread);
                }
            }
            if (now >= s_nextAging.Next[cpu])
            {
                s_queues[cpu].Age(now, s_agingInterval);
                if (cpu == 0)
                    s_agingPasses++;
                s_nextAging.Next[cpu] = now + s_agingInterval;
            }
            Thread current = s_currents[cpu];
            if (s_queues[cpu].Count > 0 && (current.IsIdle || now >= current.SliceEnd))
                s_flags.NeedReschedule[cpu] = 1;
            else if (current.IsIdle && s_queues[cpu].Count == 0 && AnyQueueHasSurplus(cpu))
                s_flags.NeedReschedule[cpu] = 1;   // an idle processor looks for work to steal
            s_lock.Exit();
        }

        private static bool AnyQueueHasSurplus(int cpu)
        {
            for (int other = 0; other < MaximumProcessors; other++)
                if (other != cpu && ((s_activeProcessors >> other) & 1) != 0 && s_queues[other].Count > 0)
                    return true;
            return false;
        }

        /// <summary>Called by the interrupt dispatcher after the end-of-interrupt when a reschedule is due.</summary>
        public static void Preempt()
        {
            s_lock.Enter();
            int cpu = Cpu.CurrentProcessor();
            Thread current = s_currents[cpu];
            s_flags.NeedReschedule[cpu] = 0;
            if (!current.IsIdle)
            {
                current.State = ThreadState.Ready;
                s_queues[cpu].Enqueue(current, false, Cpu.ReadTimeStampCounter());
            }
            s_preemptions++;
            Schedule(cpu);
            s_lock.Exit();
        }

        public static ulong AddressOf(object value) => *(ulong*)Unsafe.AsPointer(ref value);
    }
}
