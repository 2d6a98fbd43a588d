using Exo.Kernel.Sync;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// The scheduler's state for one processor, reached from that processor through its GS block in one load
    /// (no index, no bounds check) and from the others through the scheduler's table. <see cref="Lock"/>
    /// guards the queue, the current thread and the flags; it is held across a switch on this processor and
    /// released by the thread that resumes.
    /// </summary>
    internal sealed class ProcessorState
    {
        public readonly int Index;
        public readonly RunQueue Queue = new RunQueue();
        public TicketLock Lock;
        public Thread Current;
        public Thread Idle;
        public bool NeedReschedule;
        public bool RunningIdle;       // a hint for placement, read without the lock
        public ulong NextAging;        // tick of this processor's next aging pass
        public ulong Switches, Preemptions, Steals;
        /// <summary>Picks made here (Schedule): the unit a wake-up's wait is counted in (Thread.WakeDecisions).</summary>
        public ulong Decisions;
        public int InFastPath;         // see Scheduler.FastPathFlag

        public ProcessorState(int index)
        {
            Index = index;
            Lock.Rank = LockRank.Processor;
        }
    }
}
