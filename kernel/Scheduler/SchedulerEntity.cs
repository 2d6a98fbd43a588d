namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// What the run queue and the predictor know of a thread: priority, links and burst history.
    /// Kept apart from <see cref="Thread"/> (stacks, CPU state) so that the scheduling logic runs in host tests.
    /// </summary>
    public class SchedulerEntity
    {
        public const int PriorityLevels = 32;   // 0 is the most urgent

        public int Priority;                    // the priority it was given
        public int EffectivePriority;           // raised by aging while it waits; back to Priority when it runs
        public SchedulerEntity Next, Previous;  // run queue or wait queue links (intrusive: no allocation)
        public RunQueue Queue;                  // the run queue it is in, or null
        public bool Queued => Queue != null;
        public ulong PredictedBurst;            // exponentially weighted run burst, in TSC ticks
        public ulong ReadySince;                // the tick when it became ready, for the starvation bound
        public ulong Waits;                     // times it became ready

        public SchedulerEntity(int priority, ulong initialPrediction)
        {
            Priority = priority;
            EffectivePriority = priority;
            PredictedBurst = initialPrediction;
        }
    }
}
