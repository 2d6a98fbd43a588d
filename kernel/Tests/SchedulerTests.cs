using Exo.Kernel.Arch.X64;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Semaphore = Exo.Kernel.Sync.Semaphore;
using Exo.Kernel.Time;
using System.Threading;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>Threads, the predictive scheduler and the context switch, in the booted kernel.</summary>
    public static unsafe class SchedulerTests
    {
        public static void Run()
        {
            s_lock.Rank = LockRank.Test;
            Test("thousand_threads_create_run_join", &ThousandThreads);
            Test("sleep_accuracy", &SleepAccuracy);
            Test("preemption_spinner_does_not_stop_others", &Preemption);
            Test("starvation_bound_low_priority_runs", &StarvationBound);
            Test("interactive_wakeup_latency_with_batch_spinners", &InteractiveWakeup);
            Test("shared_counter_under_lock", &SharedCounter);
            Test("semaphore_ping_pong", &SemaphorePingPong);
            Test("mixed_stress_no_deadlock", &MixedStress);
            Test("stack_guard_page_unmapped", &StackGuard);
            Test("threads_run_on_every_processor", &ThreadsRunOnEveryProcessor);
            Test("time_critical_class_bounded", &TimeCriticalClassBounded);
        }

        private static bool s_sleeperStayedTimeCritical, s_spinnerWasDemoted;

        // Time-critical for 20 periods of 1 ms sleeps and short work: still time-critical at the end. Once, the
        // processor looks stalled for 3 ms between two sleeps (interrupts masked: no tick, then a late one, 3 ms after
        // the burst began), as when the host stops the emulator's thread: that alone must not demote it.
        private static void TimeCriticalSleeper(ulong unused)
        {
            Scheduler.Scheduler.SetCurrentSchedulingClass(Exo.Abi.Constants.SchedulingClassTimeCritical);
            for (int i = 0; i < 20; i++)
            {
                if (i == 10)
                {
                    Cpu.DisableInterrupts();
                    SpinFor(3);
                    Cpu.EnableInterrupts();
                }
                Scheduler.Scheduler.Sleep(1);
            }
            Thread self = Scheduler.Scheduler.Current;
            s_sleeperStayedTimeCritical = self.Priority == Scheduler.Scheduler.TimeCriticalPriority;
            Scheduler.Scheduler.SetCurrentSchedulingClass(Exo.Abi.Constants.SchedulingClassNormal);
        }

        // Time-critical, then spinning without stopping: the tick puts it back in the normal class. It spins until then,
        // or 1 s at most: the limit is counted in ticks that find it running, which a host that stalls the emulator
        // delivers fewer of in a given time.
        private static void TimeCriticalSpinner(ulong unused)
        {
            Scheduler.Scheduler.SetCurrentSchedulingClass(Exo.Abi.Constants.SchedulingClassTimeCritical);
            Thread self = Scheduler.Scheduler.Current;
            ulong end = Cpu.ReadTimeStampCounter() + SystemClock.TscFrequency;
            while (System.Threading.Volatile.Read(ref self.Priority) == Scheduler.Scheduler.TimeCriticalPriority && Cpu.ReadTimeStampCounter() < end)
                Cpu.Pause();
            s_spinnerWasDemoted = self.Priority == Scheduler.Scheduler.DefaultPriority;
        }

        private static void TimeCriticalClassBounded()
        {
            Check(Scheduler.Scheduler.SetCurrentSchedulingClass(3) == Error.Invalid, "an unknown class is refused");
            ulong demotionsBefore = Scheduler.Scheduler.TimeCriticalDemotions;
            Scheduler.Scheduler.Join(Scheduler.Scheduler.Create("critical-sleeper", &TimeCriticalSleeper, 0, affinity: 0));
            Check(s_sleeperStayedTimeCritical, "a time-critical thread that stops every millisecond stays in its class");
            Scheduler.Scheduler.Join(Scheduler.Scheduler.Create("critical-spinner", &TimeCriticalSpinner, 0, affinity: 0));
            Check(s_spinnerWasDemoted, "a time-critical thread that spins is put back in the normal class");
            Check(Scheduler.Scheduler.TimeCriticalDemotions > demotionsBefore, "the demotion was counted");
        }

        private static SpinLock s_lock;
        private static long s_counter;
        private static volatile bool s_stop;

        private static ulong Milliseconds(ulong tsc) => tsc * 1000 / SystemClock.TscFrequency;

        private static void Increment(ulong times)
        {
            for (ulong i = 0; i < times; i++)
            {
                s_lock.Enter();
                s_counter++;
                s_lock.Exit();
            }
        }

        private static void ThousandThreads()
        {
            s_counter = 0;
            int stacksBefore = KernelStacks.InUse;
            ulong* handles = stackalloc ulong[1000];
            for (int i = 0; i < 1000; i++)
            {
                Thread thread = Scheduler.Scheduler.Create("worker", &Increment, 1);
                if (!Check(thread != null, "thread created", (ulong)i)) return;
                handles[i] = Scheduler.Scheduler.AddressOf(thread);
            }
            for (int i = 0; i < 1000; i++)
                Scheduler.Scheduler.Join(System.Runtime.CompilerServices.Unsafe.AsRef<Thread>(&handles[i]));
            Equal(1000, (ulong)s_counter, "every thread ran once");
            Equal((ulong)stacksBefore, (ulong)KernelStacks.InUse, "every stack freed after join");
        }

        private static void SleepAccuracy()
        {
            for (ulong milliseconds = 5; milliseconds <= 40; milliseconds *= 2)
            {
                ulong start = Cpu.ReadTimeStampCounter();
                Scheduler.Scheduler.Sleep(milliseconds);
                ulong slept = Milliseconds(Cpu.ReadTimeStampCounter() - start);
                // Never early; woken by a tick (no hang). How late is guest time under TCG, which follows the
                // host's load: reported by the benchmarks' method, not asserted here.
                Check(slept >= milliseconds, "slept at least as long as asked", slept);
                Check(slept <= milliseconds + 2000, "woke up (within 2 s)", slept);
            }
        }

        private static void Spin(ulong unused)
        {
            while (!s_stop)
                Cpu.Pause();
        }

        private static ulong s_yieldMilliseconds;

        // Sleeps, then yields 50 times to a spinner on the same processor: each yield comes back only if the tick
        // preempts the spinner (it never yields).
        private static void SleepThenYield(ulong unused)
        {
            Scheduler.Scheduler.Sleep(20);
            ulong start = Cpu.ReadTimeStampCounter();
            for (int i = 0; i < 50; i++)
                Scheduler.Scheduler.Yield();
            s_yieldMilliseconds = Milliseconds(Cpu.ReadTimeStampCounter() - start);
        }

        private static void Preemption()
        {
            s_stop = false;
            s_yieldMilliseconds = ulong.MaxValue;
            ulong preemptionsBefore = Scheduler.Scheduler.Preemptions;
            // Both on processor 0: with several processors an unpinned spinner runs on another one, and the
            // yields come back without any preemption. The spinner never yields; the other thread must still get
            // the CPU back, both after sleeping and while staying ready (its slice ends and the tick preempts
            // the spinner).
            Thread spinner = Scheduler.Scheduler.Create("spinner", &Spin, 0, affinity: 0);
            Thread yielder = Scheduler.Scheduler.Create("yielder", &SleepThenYield, 0, affinity: 0);
            Scheduler.Scheduler.Join(yielder);
            s_stop = true;
            Scheduler.Scheduler.Join(spinner);
            Check(s_yieldMilliseconds < 2000, "yields on the spinner's processor came back (within 2 s)", s_yieldMilliseconds);
            Check(Scheduler.Scheduler.Preemptions > preemptionsBefore, "the tick preempted the spinner");
        }

        private static ulong s_lowFirstRun;
        private static ulong s_lowFirstRunAgingPasses;
        private static int s_spinnersStarted;
        private static int s_spinnersStartedAtLowRun;
        private static ulong s_starvationStart;
        private static volatile bool s_spinnerGaveUp;
        // The low thread (its address) and the aging pass at which a spinner first saw that it had been given the CPU.
        private static ulong s_lowThread;
        private static ulong s_lowSeenRunningAgingPasses;

        private static void RecordFirstRun(ulong unused)
        {
            s_lowFirstRunAgingPasses = Scheduler.Scheduler.AgingPasses;
            s_spinnersStartedAtLowRun = Volatile.Read(ref s_spinnersStarted);
            Volatile.Write(ref s_lowFirstRun, Cpu.ReadTimeStampCounter());
        }

        private static void SpinFor(ulong milliseconds)
        {
            ulong end = Cpu.ReadTimeStampCounter() + milliseconds * (SystemClock.TscFrequency / 1000);
            while (Cpu.ReadTimeStampCounter() < end)
                Cpu.Pause();
        }

        // Spins until the low-priority thread has run, so only aging can let it run; gives up after 100 aging passes
        // (over four times the bound), counted like the bound, not in time, which the emulator's host stretches.
        // The first spinner to see the low thread's RunStart set notes the pass: the scheduler gave it the CPU by then, even
        // if a host stall let its slice run out before its first instruction (then it starts again from level 20, and
        // its first instruction comes a whole bound later: 42 passes were counted, twice in 30 boots on a loaded host).
        private static void SpinUntilLowRan(ulong unused)
        {
            Interlocked.Increment(ref s_spinnersStarted);
            ulong lowAddress = s_lowThread;
            Thread low = System.Runtime.CompilerServices.Unsafe.AsRef<Thread>(&lowAddress);
            while (Volatile.Read(ref s_lowFirstRun) == 0 && Scheduler.Scheduler.AgingPasses - s_starvationStart < 100)
            {
                if (Volatile.Read(ref s_lowSeenRunningAgingPasses) == 0 && Volatile.Read(ref low.RunStart) != 0)
                    Interlocked.CompareExchange(ref s_lowSeenRunningAgingPasses, Scheduler.Scheduler.AgingPasses, 0);
                Cpu.Pause();
            }
            if (Volatile.Read(ref s_lowFirstRun) == 0)
                s_spinnerGaveUp = true;
        }

        private static void StarvationBound()
        {
            // Two priority-0 threads spin until a priority-20 thread has run: only aging (one level per
            // interval) can get it the CPU. All three on processor 0: with more processors than spinners an
            // unpinned low thread would run at once on a free one, and the bound would hold without aging.
            // This thread makes them on processor 0 too, the low one first: it is more urgent than the low thread,
            // so that one waits, and from its creation on nothing this thread does counts. The other way round, the
            // spinners could preempt this thread before it made the low one (a host stall at the wrong instruction
            // is enough), and the low thread's wait would start 16 aging passes late: 38 passes were counted.
            s_lowFirstRun = 0;
            s_spinnersStarted = 0;
            s_spinnerGaveUp = false;
            s_lowSeenRunningAgingPasses = 0;
            int home = Scheduler.Scheduler.Current.Affinity;
            Scheduler.Scheduler.PinCurrent(0);
            s_starvationStart = Scheduler.Scheduler.AgingPasses;
            Thread low = Scheduler.Scheduler.Create("low", &RecordFirstRun, 0, 20, affinity: 0);
            s_lowThread = Scheduler.Scheduler.AddressOf(low);   // before the spinners exist: they read it
            Thread high1 = Scheduler.Scheduler.Create("high", &SpinUntilLowRan, 0, 0, affinity: 0);
            Thread high2 = Scheduler.Scheduler.Create("high", &SpinUntilLowRan, 0, 0, affinity: 0);
            Scheduler.Scheduler.Join(low);
            Scheduler.Scheduler.Join(high1);
            Scheduler.Scheduler.Join(high2);
            Scheduler.Scheduler.PinCurrent(home);
            // The bound counts aging passes (one per interval), so host load on the emulator cannot break it:
            // a thread at level 20 runs after at most 21 passes, plus one for the pass already under way.
            ulong ranAt = s_lowSeenRunningAgingPasses != 0 && s_lowSeenRunningAgingPasses < s_lowFirstRunAgingPasses
                ? s_lowSeenRunningAgingPasses : s_lowFirstRunAgingPasses;
            ulong passes = ranAt - s_starvationStart;
            Equal(2, (ulong)s_spinnersStartedAtLowRun, "both spinners were running before the low-priority thread first ran");
            Check(!s_spinnerGaveUp, "the low-priority thread ran while the spinners still spun (before their 100 passes)");
            Check(passes <= 22, "it ran within 21 aging passes (the starvation bound)", passes);
        }

        private const ulong InteractiveWakeUps = 10;
        private static ulong s_worstLatency;
        private static ulong s_worstDecisions;
        private static ulong s_interactiveWakeUps;
        private static ulong s_batchWakeUps;

        // Sleeps 3 ms at a time until InteractiveWakeUps wake-ups found it predicted interactive. A wake-up that found
        // it batch does not count (under the emulator, the host can stop its processor in one of its short bursts and
        // the TSC counts the stop as running); at most 50 times as many rounds.
        private static void Interactive(ulong unused)
        {
            Thread self = Scheduler.Scheduler.Current;
            for (ulong round = 0; s_interactiveWakeUps < InteractiveWakeUps && round < 50 * InteractiveWakeUps; round++)
            {
                ulong deadline = Cpu.ReadTimeStampCounter() + 3 * (SystemClock.TscFrequency / 1000);
                Scheduler.Scheduler.Sleep(3);
                ulong late = Cpu.ReadTimeStampCounter() - deadline;
                if (!self.WokenInteractive)
                {
                    s_batchWakeUps++;
                    continue;
                }
                s_interactiveWakeUps++;
                if (self.WakeDecisions > s_worstDecisions) s_worstDecisions = self.WakeDecisions;
                if (late > s_worstLatency) s_worstLatency = late;
            }
        }

        private static void InteractiveWakeup()
        {
            s_stop = false;
            s_worstLatency = 0;
            s_worstDecisions = 0;
            s_interactiveWakeUps = 0;
            s_batchWakeUps = 0;
            // All three on processor 0: the property is about one processor's queue, and with several vCPUs
            // the emulator may not run another processor promptly (host threads on two cores). All three at level 0:
            // aging cannot raise a waiting batch thread above it, so the interactive rule alone orders them.
            Thread batch1 = Scheduler.Scheduler.Create("batch", &Spin, 0, 0, affinity: 0);
            Thread batch2 = Scheduler.Scheduler.Create("batch", &Spin, 0, 0, affinity: 0);
            Thread interactive = Scheduler.Scheduler.Create("interactive", &Interactive, 0, 0, affinity: 0);
            Scheduler.Scheduler.Join(interactive);
            s_stop = true;
            Scheduler.Scheduler.Join(batch1);
            Scheduler.Scheduler.Join(batch2);
            // Scheduling order, counted in processor 0's decisions, not time (guest time under TCG passes while the
            // host runs something else, between any two instructions): the interactive thread, made ready by the
            // tick while a batch thread runs, is queued ahead of both batch threads and preempts the one running,
            // so processor 0's next decision picks it. The time it took is reported, not asserted.
            Equal(InteractiveWakeUps, s_interactiveWakeUps, "the sleeping thread was woken predicted interactive (its bursts are short)");
            Equal(1, s_worstDecisions, "each time, its processor's next scheduling decision picked it, ahead of the batch threads");
            ulong worstMicroseconds = s_worstLatency * 1_000_000 / SystemClock.TscFrequency;
            Console.KernelConsole.Write("interactive wake-up: worst ");
            Console.KernelConsole.WriteDecimal(worstMicroseconds);
            Console.KernelConsole.Write(" us after the deadline (guest time); wake-ups that found it batch: ");
            Console.KernelConsole.WriteDecimal(s_batchWakeUps);
            Console.KernelConsole.WriteLine();
        }

        private static void SharedCounter()
        {
            s_counter = 0;
            Thread a = Scheduler.Scheduler.Create("counter", &Increment, 10000);
            Thread b = Scheduler.Scheduler.Create("counter", &Increment, 10000);
            Thread c = Scheduler.Scheduler.Create("counter", &Increment, 10000);
            Increment(10000);
            Scheduler.Scheduler.Join(a);
            Scheduler.Scheduler.Join(b);
            Scheduler.Scheduler.Join(c);
            Equal(40000, (ulong)s_counter, "no lost update");
        }

        private static Semaphore s_ping, s_pong;
        private static long s_volleys;

        private static void Ponger(ulong rounds)
        {
            for (ulong i = 0; i < rounds; i++)
            {
                s_ping.Wait();
                s_volleys++;
                s_pong.Release();
            }
        }

        private static void SemaphorePingPong()
        {
            s_ping = new Semaphore(0);
            s_pong = new Semaphore(0);
            s_volleys = 0;
            Thread ponger = Scheduler.Scheduler.Create("ponger", &Ponger, 1000);
            for (int i = 0; i < 1000; i++)
            {
                s_ping.Release();
                s_pong.Wait();
                if (!Equal((ulong)i + 1, (ulong)s_volleys, "each ping answered before the next")) break;
            }
            Scheduler.Scheduler.Join(ponger);
            Equal(1000, (ulong)s_volleys, "every ping answered");
        }

        private static void Mixed(ulong seed)
        {
            ulong state = seed * 0x9E3779B97F4A7C15 | 1;
            for (int i = 0; i < 300; i++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                switch (state % 4)
                {
                    case 0: Scheduler.Scheduler.Yield(); break;
                    case 1: Scheduler.Scheduler.Sleep(state % 3); break;
                    case 2: Increment(10); break;
                    default: SpinFor(0); break;
                }
            }
        }

        private static void MixedStress()
        {
            s_counter = 0;
            ulong before = (ulong)Scheduler.Scheduler.ThreadCount;   // main, idle threads, the process reaper
            ulong* handles = stackalloc ulong[40];
            for (int i = 0; i < 40; i++)
                handles[i] = Scheduler.Scheduler.AddressOf(Scheduler.Scheduler.Create("mixed", &Mixed, (ulong)i + 1, 8 + i % 16));
            for (int i = 0; i < 40; i++)
                Scheduler.Scheduler.Join(System.Runtime.CompilerServices.Unsafe.AsRef<Thread>(&handles[i]));
            Check(s_counter % 10 == 0, "increments are whole", (ulong)s_counter);
            Equal(before, (ulong)Scheduler.Scheduler.ThreadCount, "every thread it started is gone, no other thread went");
        }

        private static ulong s_processorsSeen;

        private static void RecordProcessor(ulong milliseconds)
        {
            Interlocked.Or(ref s_processorsSeen, 1UL << Cpu.CurrentProcessor());
            SpinFor(milliseconds);
            Interlocked.Or(ref s_processorsSeen, 1UL << Cpu.CurrentProcessor());
        }

        private static void ThreadsRunOnEveryProcessor()
        {
            if (Smp.Processors.Online < 2)
            {
                Skip("one processor: every thread runs on it");
                return;
            }
            s_processorsSeen = 0;
            int count = 2 * Smp.Processors.Online;
            ulong* handles = stackalloc ulong[32];
            for (int i = 0; i < count && i < 32; i++)
                handles[i] = Scheduler.Scheduler.AddressOf(Scheduler.Scheduler.Create("spread", &RecordProcessor, 30));
            for (int i = 0; i < count && i < 32; i++)
                Scheduler.Scheduler.Join(System.Runtime.CompilerServices.Unsafe.AsRef<Thread>(&handles[i]));
            ulong expected = (1UL << Smp.Processors.Online) - 1;
            Equal(expected, s_processorsSeen, "threads ran on every online processor (bit per processor)");
        }

        private static void StackGuard()
        {
            Thread thread = Scheduler.Scheduler.Create("guarded", &Spin, 0, 31);
            s_stop = true;
            ulong guard = KernelStacks.GuardPage(thread.StackSlot);
            Check(!Memory.KernelPageTables.TryTranslate(guard, out _, out _), "the page under a thread stack is unmapped", guard);
            Check(Memory.KernelPageTables.TryTranslate(thread.StackTop - 8, out _, out _), "the stack itself is mapped");
            ulong value;
            Equal(15, FaultFixups.ProbeRead(guard + 128, &value), "touching the guard page faults");
            Scheduler.Scheduler.Join(thread);
        }
    }
}
