using System.Runtime.CompilerServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Time;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// Scheduling classes (ThreadSchedulingClass): a thread's priority chosen by the thread itself. Time-critical threads
    /// (priority 8) run before every normal one (16) as soon as they are ready, which aging cannot undo before 80 ms of
    /// waiting: an audio mixer woken every millisecond, and the client writing into its 5 ms queue, then wait for no
    /// CPU hog's or Fusion call chain's slice. As Linux's RLIMIT_RTTIME bounds a real-time thread, one that runs
    /// <see cref="Exo.Abi.Constants.TimeCriticalBurstMicroseconds"/> without stopping is put back in the normal class
    /// by the tick (<see cref="DemoteTimeCriticalHog"/>), so the class cannot take the processor for good. Background
    /// threads (24) run when nothing normal is ready, aging aside. A thread is in a class by its priority alone (no flag).
    /// </summary>
    public static unsafe partial class Scheduler
    {
        public const int TimeCriticalPriority = 8;
        public const int BackgroundPriority = 24;

        // The limit in ticks, as Linux's RLIMIT_RTTIME counts a real-time thread's run (2 at 1000 Hz).
        private const int TimeCriticalBurstTicks = (int)((ulong)Exo.Abi.Constants.TimeCriticalBurstMicroseconds * SystemClock.TickHertz / 1_000_000);
        private static ulong s_timeCriticalDemotions;

        /// <summary>Time-critical threads put back in the normal class for running too long without stopping (for tests).</summary>
        public static ulong TimeCriticalDemotions => s_timeCriticalDemotions;

        /// <summary>The calling thread's scheduling class (an Exo.Abi.Constants.SchedulingClass* value); Invalid for another.</summary>
        public static Error SetCurrentSchedulingClass(ulong schedulingClass)
        {
            int priority;
            if (schedulingClass == Exo.Abi.Constants.SchedulingClassNormal) priority = DefaultPriority;
            else if (schedulingClass == Exo.Abi.Constants.SchedulingClassTimeCritical) priority = TimeCriticalPriority;
            else if (schedulingClass == Exo.Abi.Constants.SchedulingClassBackground) priority = BackgroundPriority;
            else return Error.Invalid;
            bool enabled = Cpu.DisableInterruptsSavingState();
            ProcessorState local = Local;
            local.Lock.Enter();
            Thread current = local.Current;
            // A new class starts a new burst: the watchdog counts from here.
            PauseBurst(current, Cpu.ReadTimeStampCounter());
            current.BurstSoFar = 0;
            current.BurstTicksSeen = 0;
            bool lessUrgent = priority > current.Priority;
            current.Priority = priority;
            current.EffectivePriority = priority;
            if (lessUrgent && local.Queue.Count > 0)
                AskToReschedule(local, current);
            local.Lock.Exit();
            RestoreInterrupts(enabled);
            return Error.None;
        }

        /// <summary>
        /// From the tick (interrupts off): a time-critical thread that has run past the limit without stopping goes back to
        /// the normal class, and the processor reschedules if others wait. The run is counted in ticks that found the
        /// thread running, as Linux's RLIMIT_RTTIME counts it, not in time: under a hypervisor (or TCG on a busy host) the
        /// processor itself can stop for milliseconds while a thread runs a few instructions between two sleeps, and
        /// the late tick after such a stop counts once, where the time stretched by it would take a well-behaved
        /// thread out of its class.
        /// </summary>
        private static void DemoteTimeCriticalHog(ProcessorState local, Thread current, ulong now)
        {
            if (current.Priority != TimeCriticalPriority)
                return;
            // The emulator can deliver a stalled processor's missed ticks in a burst (SystemClock.OnTick): those count once.
            if (current.BurstTicksSeen != 0 && now - current.BurstLastTickSeen < SystemClock.TickPeriod / 2)
                return;
            current.BurstTicksSeen++;
            current.BurstLastTickSeen = now;
            if (current.BurstTicksSeen <= TimeCriticalBurstTicks)
                return;
            local.Lock.Enter();
            current.Priority = DefaultPriority;
            current.EffectivePriority = DefaultPriority;
            s_timeCriticalDemotions++;
            if (local.Queue.Count > 0)
                local.NeedReschedule = true;
            local.Lock.Exit();
        }

        // The local lock held: the running thread gives the processor up on its way out of the kernel.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]   // every wake-up that preempts here
        private static void AskToReschedule(ProcessorState local, Thread running)
        {
            local.NeedReschedule = true;
            if (running.User.KernelEntryStack != 0)
                System.Threading.Interlocked.Or(ref running.User.PendingWork, (int)UserMode.UserWork.Reschedule);
        }
    }
}
