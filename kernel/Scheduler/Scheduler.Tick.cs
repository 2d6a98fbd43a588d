using Exo.Kernel.Arch.X64;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>The scheduler's side of the timer and of reschedule interrupts (interrupts disabled).</summary>
    public static unsafe partial class Scheduler
    {
        /// <summary>
        /// Every tick, on every processor: any wakes the sleepers whose time has come; each ages its own queue every aging
        /// interval and asks for a reschedule when the running thread's slice is over.
        /// </summary>
        public static void OnTick()
        {
            if (!IsReady)
                return;
            ProcessorState local = Local;
            ulong now = Cpu.ReadTimeStampCounter();
            if (SleeperDue(now))
                WakeSleepers(now);
            ulong ticks = SystemClock.Ticks;
            if (ticks >= local.NextAging)
            {
                local.Lock.Enter();
                local.Queue.Age(ticks, AgingIntervalTicks);
                local.NextAging = ticks + AgingIntervalTicks;
                local.Lock.Exit();
                if (local.Index == 0)
                    s_agingPasses++;
            }
            // Unlocked reads: only this processor changes its current thread, and interrupts are off here;
            // a queue count that changes under us only moves the reschedule by a tick.
            Thread current = local.Current;
            DemoteTimeCriticalHog(local, current, now);
            if (local.Queue.Count > 0 && (current.IsIdle || now >= current.SliceEnd))
                local.NeedReschedule = true;
            else if (current.IsIdle && local.Queue.Count == 0 && AnyQueueHasSurplus(local.Index))
                local.NeedReschedule = true;   // an idle processor looks for work to steal
        }

        /// <summary>
        /// TSC ticks processor 'cpu' has spent in its idle thread (/proc/uptime, /proc/stat), the stretch it may be in
        /// now included; 0 for a processor that does not schedule. Read without its lock: a figure, not a decision.
        /// </summary>
        public static ulong IdleTime(int cpu)
        {
            if ((uint)cpu >= MaximumProcessors || !IsActive(cpu))
                return 0;
            ProcessorState state = s_processors[cpu];
            Thread idle = state.Idle;
            if (idle == null)
                return 0;
            ulong time = System.Threading.Volatile.Read(ref idle.CpuTime);
            ulong start = System.Threading.Volatile.Read(ref idle.RunStart);
            ulong now = Cpu.ReadTimeStampCounter();
            if (state.Current == idle && now > start)
                time += now - start;
            return time;
        }

        /// <summary>
        /// TSC ticks 'thread' has run, the stretch it is in now included (CpuTime alone is brought up to date only when
        /// it stops or is preempted: a lone spinning thread would seem not to run). A figure for clock_gettime's CPU
        /// clocks and getrusage; read without locks.
        /// </summary>
        public static ulong RunTimeOf(Thread thread)
        {
            ulong time = System.Threading.Volatile.Read(ref thread.CpuTime);
            ulong start = System.Threading.Volatile.Read(ref thread.RunStart);
            ulong now = Cpu.ReadTimeStampCounter();
            if (thread.State == ThreadState.Running && now > start)
                time += now - start;
            return time;
        }

        private static ulong s_agingPasses;
        public static ulong AgingPasses => s_agingPasses;

        private static bool AnyQueueHasSurplus(int cpu)
        {
            for (uint others = s_activeProcessors & ~(1u << cpu); others != 0; others &= others - 1)
                if (s_processors[System.Numerics.BitOperations.TrailingZeroCount(others)].Queue.Count > 0)
                    return true;
            return false;
        }

        /// <summary>Called by the interrupt dispatcher after the end-of-interrupt when a reschedule is due.</summary>
        public static void Preempt()
        {
            ProcessorState local = Local;
            local.Lock.Enter();
            Thread current = local.Current;
            local.NeedReschedule = false;
            ulong now = Cpu.ReadTimeStampCounter();
            if (!current.IsIdle)
            {
                PauseBurst(current, now);
                current.State = ThreadState.Ready;
                local.Queue.Enqueue(current, false, SystemClock.Ticks);
            }
            else
            {
                // The idle thread leaves its processor only here: count its time (the processor's idle time).
                current.CpuTime += now - current.RunStart;
                current.RunStart = now;
            }
            local.Preemptions++;
            Schedule(local, now);
            Local.Lock.Exit();   // it may resume on another processor
        }
    }
}
