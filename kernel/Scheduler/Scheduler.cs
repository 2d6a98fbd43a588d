using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// The predictive scheduler, on every processor. Each processor has its own run queue, current thread,
    /// idle thread and lock (<see cref="ProcessorState"/>), taken with interrupts disabled. A processor's lock
    /// is held across a switch there and released by whichever thread resumes, so its queue never changes
    /// under a half-done switch.
    ///
    /// Lock rule: a code path holds at most one processor lock, and takes it last (after any wait-queue,
    /// sleep or registry lock); the only exception, stealing, takes the victim's lock with TryEnter and so
    /// can never wait in a cycle. A thread that stops on one processor can be picked on another before the
    /// first has finished saving it: its SavedStackPointer is zero until the save is complete, and
    /// <see cref="SwitchTo"/> waits for it (Linux's on_cpu rule).
    ///
    /// Placement: a thread made ready goes to an idle processor if there is one, else to the processor it last
    /// ran on; a processor that runs out of work steals the most urgent thread of the longest queue.
    /// Preemption: each processor's tick ages its queue and ends slices; sleepers are woken by processor 0's.
    /// A processor told to reschedule by another gets an inter-processor interrupt; the dispatcher then calls
    /// <see cref="Preempt"/> after the end-of-interrupt, inside the interrupted thread's frame.
    /// </summary>
    public static unsafe partial class Scheduler
    {
        public const int DefaultPriority = 16;
        public const int RescheduleVector = 0xF1;
        private const int MaximumProcessors = DescriptorTables.MaximumProcessors;

        private static ProcessorState[] s_processors;
        private static uint s_activeProcessors;    // bit per processor that schedules threads
        private static Sync.SpinLock s_registryLock;   // s_all, s_threadCount, s_nextId (masks interrupts)
        private static Thread s_all;               // every thread, for ps
        private static int s_nextId;
        private static int s_threadCount;
        private static bool s_started;
        private static ulong s_interactiveThreshold, s_minimumSlice, s_maximumSlice;

        /// <summary>
        /// Aging runs on ticks, not the TSC: under an emulator a processor the host has descheduled sees its
        /// TSC jump but misses its ticks (the burst of late ones the emulator delivers after counts once:
        /// SystemClock), so a stall does not count as waiting.
        /// </summary>
        public const ulong AgingIntervalTicks = 10;

        public static bool IsStarted => s_started;
        /// <summary>
        /// The running thread, read in one load from this processor's block. Not Local.Current: the kernel is preemptible
        /// (a device interrupt may switch threads), and a thread preempted between loading its processor's state and
        /// that state's Current, then moved to another processor, read whichever thread ran there next (a fresh
        /// clone's exec once reset the extended state of a kernel thread's null area: a panic).
        /// </summary>
        public static Thread Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get { ulong address = Cpu.ReadProcessorWord(Smp.Processors.CurrentThreadWord); return Unsafe.AsRef<Thread>(&address); }
        }
        public static ulong Switches => Sum(0);
        public static ulong Preemptions => Sum(1);
        public static ulong Steals => Sum(2);
        public static int ThreadCount => s_threadCount;

        private static ulong Sum(int counter)
        {
            ulong total = 0;
            for (int cpu = 0; cpu < MaximumProcessors; cpu++)
            {
                ProcessorState state = IsActive(cpu) ? s_processors[cpu] : null;
                if (state != null)
                    total += counter == 0 ? state.Switches : counter == 1 ? state.Preemptions : state.Steals;
            }
            return total;
        }

        public static bool NeedsReschedule => IsReady && Local.NeedReschedule;

        // This processor has joined the scheduler (an application processor has not, early in its start-up).
        private static bool IsReady => s_started && Cpu.ReadProcessorWord(Smp.Processors.SchedulerWord) != 0;

        /// <summary>This processor's scheduler state: one load through the GS block.</summary>
        private static ProcessorState Local
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get { ulong address = Cpu.ReadProcessorWord(Smp.Processors.SchedulerWord); return Unsafe.AsRef<ProcessorState>(&address); }
        }

        private static bool IsActive(int cpu) => ((s_activeProcessors >> cpu) & 1) != 0;

        public static void Initialize()
        {
            s_registryLock.Rank = Sync.LockRank.ThreadRegistry;
            s_sleepLock.Rank = Sync.LockRank.SleepQueue;
            KernelStacks.Initialize();
            ulong perMillisecond = SystemClock.TscFrequency / 1000;
            s_interactiveThreshold = perMillisecond / 2;     // predicted under 0.5 ms: interactive
            s_minimumSlice = perMillisecond / 2;
            s_maximumSlice = 4 * perMillisecond;
            s_processors = new ProcessorState[MaximumProcessors];
            InterruptDispatcher.Register(RescheduleVector, &OnRescheduleInterrupt);

            Thread boot = new Thread(s_nextId++, "kernel-main", DefaultPriority, s_interactiveThreshold);
            boot.State = ThreadState.Running;
            boot.RunStart = Cpu.ReadTimeStampCounter();
            boot.SliceEnd = boot.RunStart + s_maximumSlice;
            Register(boot);
            ProcessorState local = AttachProcessor(0, boot);
            Thread idle = CreateThread("idle", &IdleLoop, 0, SchedulerEntity.PriorityLevels - 1, ready: false);
            if (idle == null)
                Panic.Fail("no memory for the idle thread");
            idle.IsIdle = true;
            local.Idle = idle;
            s_activeProcessors = 1;
            s_started = true;
            Exo.Runtime.ExecutionContext.Install(&CurrentThreadIdentity);
        }

        private static ProcessorState AttachProcessor(int index, Thread current)
        {
            ProcessorState state = new ProcessorState(index);
            state.Current = current;
            state.Idle = current.IsIdle ? current : null;
            state.RunningIdle = current.IsIdle;
            state.NextAging = SystemClock.Ticks + AgingIntervalTicks;
            s_processors[index] = state;
            Smp.Processors.SetLocalWord(index, Smp.Processors.SchedulerWord, AddressOf(state));
            Smp.Processors.SetLocalWord(index, Smp.Processors.CurrentThreadWord, AddressOf(current));
            return state;
        }

        // For the runtime (class constructors run by one thread while others wait): the current Thread's address.
        private static nuint CurrentThreadIdentity() => (nuint)AddressOf(Current);

        /// <summary>
        /// An application processor joins: the code it runs now (its start-up stack) becomes its idle thread.
        /// Call with interrupts disabled; the caller then enables them and halts in a loop.
        /// </summary>
        public static void AddProcessor(int index, string name)
        {
            Thread idle = new Thread(0, name, SchedulerEntity.PriorityLevels - 1, s_interactiveThreshold);
            idle.IsIdle = true;
            idle.State = ThreadState.Running;
            idle.Cpu = index;
            idle.RunStart = Cpu.ReadTimeStampCounter();
            Register(idle);
            AttachProcessor(index, idle);
            Interlocked.Or(ref s_activeProcessors, 1u << index);
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
            thread.State = ThreadState.Blocked;   // not ready until MakeReady makes it so
            Register(thread);
            if (ready)
                MakeReady(thread);
            return thread;
        }

        private static void Register(Thread thread)
        {
            s_registryLock.Enter();
            thread.Id = s_nextId++;
            thread.AllNext = s_all;
            s_all = thread;
            s_threadCount++;
            s_registryLock.Exit();
        }

        private static void Unregister(Thread thread)
        {
            s_registryLock.Enter();
            if (s_all == thread)
                s_all = thread.AllNext;
            else
                for (Thread t = s_all; t != null; t = t.AllNext)
                    if (t.AllNext == thread) { t.AllNext = thread.AllNext; break; }
            s_threadCount--;
            s_registryLock.Exit();
        }

        /// <summary>One thread as ps shows it, copied out of the registry (printed with no lock held).</summary>
        public struct ThreadSummary
        {
            public int Id, Cpu, Priority, ProcessId;
            public ThreadState State;
            public bool IsIdle;
            public ulong PredictedBurst, CpuTime;
            public string Name;                 // thread names are literals: never freed
            public int ProcessNameLength;
            public fixed byte ProcessName[Processes.Process.NameCapacity];
        }

        /// <summary>Copies up to 'capacity' threads into 'into' (newest first); the number copied.</summary>
        public static int SnapshotThreads(ThreadSummary* into, int capacity)
        {
            int count = 0;
            using (s_registryLock.Hold())
            {
                for (Thread t = s_all; t != null && count < capacity; t = t.AllNext)
                {
                    ThreadSummary* summary = into + count++;
                    summary->Id = t.Id;
                    summary->Cpu = t.Cpu;
                    summary->Priority = t.Priority;
                    summary->State = t.State;
                    summary->IsIdle = t.IsIdle;
                    summary->PredictedBurst = t.PredictedBurst;
                    summary->CpuTime = t.CpuTime;
                    summary->Name = t.Name;
                    Processes.Process process = t.Process;   // read once: its thread may be ending
                    summary->ProcessId = process != null ? process.Id : 0;
                    summary->ProcessNameLength = process != null ? process.NameLength : 0;
                    for (int c = 0; c < summary->ProcessNameLength; c++)
                        summary->ProcessName[c] = process.Name[c];
                }
            }
            return count;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RestoreInterrupts(bool enabled)
        {
            if (enabled)
                Cpu.EnableInterrupts();
        }

        [UnmanagedCallersOnly(EntryPoint = "ExoThreadMain")]
        private static void ThreadMain(ulong threadAddress)
        {
            // Switched to by a processor holding its lock: release it for that processor.
            Local.Lock.Exit();
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

        private static void OnRescheduleInterrupt(RegisterFrame* frame) { }   // the dispatcher does the work

        // ------------------------------------------------------------ the core (a processor lock held, interrupts disabled)

        /// <summary>
        /// Makes a thread ready on the processor placement picks, with that processor's lock; asks it to
        /// reschedule if the thread should run before its current one. Call holding no processor lock.
        /// </summary>
        private static void MakeReady(Thread thread)
        {
            bool enabled = Cpu.DisableInterruptsSavingState();
            bool interactive = BurstPredictor.IsInteractive(thread.PredictedBurst, s_interactiveThreshold);
            ProcessorState target = s_processors[PlaceOn(thread)];
            target.Lock.Enter();
            // Only a thread marked blocked or sleeping (it may still be stopping) can be made ready: one made ready twice
            // would run on two processors at once on one stack, and one that exited is being freed. Cheap; names the waker.
            ThreadState before = thread.State;
            if (before != ThreadState.Blocked && before != ThreadState.Sleeping)
                Panic.Fail(before == ThreadState.Exited ? "scheduler: an exited thread was made ready"
                    : before == ThreadState.Ready ? "scheduler: a ready thread was made ready again"
                    : "scheduler: a running thread was made ready (it had not marked itself blocked)");
            thread.State = ThreadState.Ready;
            thread.ReadyTick = SystemClock.Ticks;
            thread.WokenInteractive = interactive;
            thread.WakeStamp = target.Decisions + 1;
            target.Queue.Enqueue(thread, interactive, SystemClock.Ticks);
            Thread running = target.Current;
            bool preempt = Preempts(thread, interactive, running);
            if (preempt)
            {
                // Here, in a system call (interrupts masked): the way back to ring 3 reschedules.
                if (target.Index == Cpu.CurrentProcessor())
                    AskToReschedule(target, running);
                else
                    target.NeedReschedule = true;
            }
            target.Lock.Exit();
            if (preempt && target.Index != Cpu.CurrentProcessor())
                LocalApic.SendInterrupt(Smp.Processors.ApicIdOf(target.Index), RescheduleVector);
            RestoreInterrupts(enabled);
        }

        /// <summary>Should 'thread', made ready ('interactive': its predicted burst is short), run before 'running'?</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]   // every wake-up asks
        private static bool Preempts(Thread thread, bool interactive, Thread running)
            => running.IsIdle || thread.EffectivePriority < running.EffectivePriority
                || (thread.EffectivePriority == running.EffectivePriority && interactive
                    && !BurstPredictor.IsInteractive(running.PredictedBurst, s_interactiveThreshold));

        /// <summary>
        /// Pins the current thread to processor 'cpu' and returns running there (-1 unpins it where it is); false if
        /// 'cpu' does not schedule threads. It moves by a short sleep: the wake-up places it on the pinned
        /// processor, and no other processor steals a pinned thread.
        /// </summary>
        public static bool PinCurrent(int cpu)
        {
            if (cpu >= MaximumProcessors || (cpu >= 0 && !IsActive(cpu)))
                return false;
            bool enabled = Cpu.DisableInterruptsSavingState();   // Local and its Current read on one processor
            Local.Current.Affinity = cpu;
            RestoreInterrupts(enabled);
            while (cpu >= 0 && Cpu.CurrentProcessor() != cpu)
                Sleep(1);
            return true;
        }

        private static bool IsIdleWithNothingQueued(int cpu)
        {
            ProcessorState state = s_processors[cpu];
            return Volatile.Read(ref state.RunningIdle) && state.Queue.Count == 0;
        }

        /// <summary>
        /// Its pinned processor if it has one; else an idle processor with nothing queued if there is one,
        /// else where it last ran. Reads other processors' state without their locks: a hint, never a promise.
        /// </summary>
        private static int PlaceOn(Thread thread)
        {
            if (thread.Affinity >= 0 && IsActive(thread.Affinity))
                return thread.Affinity;
            int last = IsActive(thread.Cpu) ? thread.Cpu : 0;
            if (IsIdleWithNothingQueued(last))
                return last;
            // Only the other active processors' bits: a wake-up is hot, and a scan of every possible processor
            // cost more than the rest of the wake-up on a small machine.
            for (uint others = s_activeProcessors & ~(1u << last); others != 0; others &= others - 1)
            {
                int cpu = System.Numerics.BitOperations.TrailingZeroCount(others);
                if (IsIdleWithNothingQueued(cpu))
                    return cpu;
            }
            return last;
        }

        /// <summary>
        /// A voluntary stop (the caller has set the thread's new state) ends the run burst, which becomes part
        /// of the prediction; then the next thread runs.
        /// </summary>
        private static void StopRunning(ProcessorState local, Thread current, ulong now)
        {
            current.CpuTime += now - current.RunStart;
            current.PredictedBurst = BurstPredictor.Update(current.PredictedBurst, current.BurstSoFar + (now - current.RunStart));
            current.BurstSoFar = 0;
            current.BurstTicksSeen = 0;
            current.RunStart = now;
            Schedule(local, now);
        }

        /// <summary>Preempted mid-burst: the burst goes on when it runs again.</summary>
        private static void PauseBurst(Thread current, ulong now)
        {
            current.CpuTime += now - current.RunStart;
            current.BurstSoFar += now - current.RunStart;
            current.RunStart = now;
        }

        /// <summary>Runs the most urgent thread of this processor's queue, else a stolen one, else idle.</summary>
        private static void Schedule(ProcessorState local, ulong now)
        {
            local.Decisions++;
            Thread next = Unsafe.As<Thread>(local.Queue.PickNext());
            if (next != null && Volatile.Read(ref next.SavedStackPointer) == 0 && !IsStoppedOrSoon(local, next))
            {
                // Made ready while still stopping on another processor, and still not saved: that processor may be
                // waiting for the save of the thread we stop (each picked the other's), so we must not wait without
                // bound. Idle until the tick (it reschedules an idle processor with work queued): ours gets saved.
                local.Queue.Enqueue(next, true, next.ReadySince);
                next = local.Idle;
            }
            else if (next == null)
                next = Steal(local) ?? local.Idle;
            else if (next.WakeStamp != 0)
            {
                next.WakeDecisions = local.Decisions + 1 - next.WakeStamp;
                next.WakeStamp = 0;
            }
            SwitchTo(local, next, now);
        }

        private const int SaveWaitPauses = 4096;

        /// <summary>'next' (about to be picked, not saved when looked at): is it the current thread, or is it saved within a short bounded wait?</summary>
        private static bool IsStoppedOrSoon(ProcessorState local, Thread next)
        {
            if (next == local.Current)
                return true;   // made ready again while stopping here: it simply goes on
            for (int i = 0; i < SaveWaitPauses; i++)
            {
                if (Volatile.Read(ref next.SavedStackPointer) != 0)
                    return true;
                Cpu.Pause();
            }
            return false;
        }

        private static Thread Steal(ProcessorState local)
        {
            ProcessorState victim = null;
            int longest = 0;
            for (uint others = s_activeProcessors & ~(1u << local.Index); others != 0; others &= others - 1)
            {
                int other = System.Numerics.BitOperations.TrailingZeroCount(others);
                int count = s_processors[other].Queue.Count;
                if (count > longest) { longest = count; victim = s_processors[other]; }
            }
            // TryEnter: two processors stealing from each other must never wait for each other.
            if (victim == null || !victim.Lock.TryEnter())
                return null;
            // The most urgent thread there that may run here (pinned threads stay where they are).
            Thread candidate = Unsafe.As<Thread>(victim.Queue.PickNext());
            // Nor one still stopping on its processor (made ready before its save completed): waiting for its save here
            // while that processor waits for ours would never end.
            if (candidate != null && ((candidate.Affinity >= 0 && candidate.Affinity != local.Index)
                || Volatile.Read(ref candidate.SavedStackPointer) == 0))
            {
                victim.Queue.Enqueue(candidate, true, candidate.ReadySince);
                candidate = null;
            }
            if (candidate != null && candidate.WakeStamp != 0)
            {
                candidate.WakeDecisions = 0;   // the victim's decisions did not pick it
                candidate.WakeStamp = 0;
            }
            victim.Lock.Exit();
            if (candidate != null)
                local.Steals++;
            return candidate;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        // 'inheritedSliceEnd': a hand-off's target runs on the rest of its caller's slice (0: a slice of its own).
        private static void SwitchTo(ProcessorState local, Thread next, ulong now, ulong inheritedSliceEnd = 0)
        {
            Thread previous = local.Current;
            local.NeedReschedule = false;
            if (next == previous)
            {
                previous.State = ThreadState.Running;
                return;
            }
            if (next.State == ThreadState.Running && !next.IsIdle)
                Panic.Fail("scheduler: a running thread was picked again (it was queued twice)");
            next.State = ThreadState.Running;
            next.EffectivePriority = next.Priority;
            next.RunStart = now;
            next.Cpu = local.Index;
            next.SliceEnd = inheritedSliceEnd != 0 ? inheritedSliceEnd
                : now + BurstPredictor.TimeSlice(next.PredictedBurst, s_minimumSlice, s_maximumSlice);
            Exo.Runtime.UntracedReference.Store(ref local.Current, next);
            Smp.Processors.SetLocalWord(local.Index, Smp.Processors.CurrentThreadWord, AddressOf(next));
            local.RunningIdle = next.IsIdle;
            local.Switches++;
            if ((previous.User.KernelEntryStack | next.User.KernelEntryStack) != 0)
                UserMode.UserMode.Switch(local.Index, previous, next);
            if (next.PageTableRoot != previous.PageTableRoot)
                Smp.Processors.LoadRoot(local.Index, next.PageTableRoot);   // another process (or back to the kernel's tables)
            // Another processor may still be saving 'next' (it stopped there a moment ago): wait for the save.
            ulong resume;
            while ((resume = Volatile.Read(ref next.SavedStackPointer)) == 0)
                Cpu.Pause();
            next.SavedStackPointer = 0;   // running: no saved stack until it stops again
            ContextSwitch.SwitchStack((ulong*)Unsafe.AsPointer(ref previous.SavedStackPointer), resume);
        }

        public static ulong AddressOf(object value) => *(ulong*)Unsafe.AsPointer(ref value);
    }
}
