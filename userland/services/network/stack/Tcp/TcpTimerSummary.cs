namespace Exo.Network
{
    /// <summary>
    /// The earliest deadline any connection may have: every deadline set is noted here, and Tick, which looks at
    /// every slot anyway, replaces it with the exact earliest. A deadline cleared or moved later leaves it early, so
    /// it is a lower bound: the service may call Tick once for nothing, never too late. NextDeadline is then O(1)
    /// instead of a scan of the table after every event.
    /// </summary>
    public sealed class TcpTimerSummary
    {
        public long Earliest = TcpConnection.NoDeadline;

        public void Note(long deadline)
        {
            if (deadline < Earliest)
                Earliest = deadline;
        }
    }
}
