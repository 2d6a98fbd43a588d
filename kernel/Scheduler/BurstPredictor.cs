namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// "Predictive": each thread's next run burst is predicted as an exponentially weighted average of its
    /// past bursts (weight 1/4 for the newest). The prediction sets the time slice and the placement: a
    /// thread predicted to run briefly is interactive, is queued ahead of batch threads of its priority and
    /// gets a short slice; a long-running one is batch and gets the full slice.
    /// </summary>
    public static class BurstPredictor
    {
        /// <summary>Updates the prediction with a burst that just ended.</summary>
        public static ulong Update(ulong predicted, ulong burst) => predicted - (predicted >> 2) + (burst >> 2);

        public static bool IsInteractive(ulong predicted, ulong interactiveThreshold) => predicted < interactiveThreshold;

        /// <summary>Slice: twice the prediction, between the minimum and the maximum slice.</summary>
        public static ulong TimeSlice(ulong predicted, ulong minimumSlice, ulong maximumSlice)
        {
            ulong slice = predicted * 2;
            return slice < minimumSlice ? minimumSlice : slice > maximumSlice ? maximumSlice : slice;
        }
    }
}
