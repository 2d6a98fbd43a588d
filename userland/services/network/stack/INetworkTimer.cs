namespace Exo.Network
{
    /// <summary>
    /// A layer with deadlines on the stack's clock (TCP's retransmission and TIME_WAIT timers plug in here): the stack
    /// calls Tick when the clock passes NextDeadline and sleeps until the earliest one of all.
    /// </summary>
    public interface INetworkTimer
    {
        /// <summary>The earliest time Tick has work to do, or long.MaxValue when none.</summary>
        long NextDeadline { get; }

        void Tick(long now);
    }
}
