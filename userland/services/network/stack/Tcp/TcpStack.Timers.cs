using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The timers the service drives: retransmission (RFC 6298 with back-off and give-up), delayed ACK, persist
    /// (zero-window probes), keepalive, TIME-WAIT and an orphan's FIN-WAIT-2 limit. <see cref="Tick"/> runs every
    /// timer due at 'now'; <see cref="NextDeadline"/> says when to call it next.
    /// </summary>
    public sealed unsafe partial class TcpStack
    {
        /// <summary>
        /// When to call Tick next (long.MaxValue when no timer runs). Never later than the earliest timer, possibly
        /// earlier (a timer stopped since): a Tick then does nothing and the next NextDeadline is exact.
        /// </summary>
        public long NextDeadline => _timers.Earliest;

        /// <summary>Runs every timer due at 'now' (milliseconds on the stack's clock).</summary>
        public void Tick(long now)
        {
            _now = now;
            if (now < _timers.Earliest)
                return;
            for (int slot = 0; slot < _table.Extent; slot++)
            {
                TcpConnection connection = _table[slot];
                if (!connection.InUse || connection.NextDeadline > now)
                    continue;
                if (connection.TimeWaitDeadline <= now)
                {
                    connection.TimeWaitDeadline = TcpConnection.NoDeadline;
                    CloseGracefully(connection);
                    continue;
                }
                if (connection.FinWait2Deadline <= now)
                {
                    connection.FinWait2Deadline = TcpConnection.NoDeadline;
                    CloseGracefully(connection);
                    continue;
                }
                if (connection.RetransmitDeadline <= now)
                {
                    connection.RetransmitDeadline = TcpConnection.NoDeadline;
                    RetransmissionTimeout(connection);
                    if (!connection.InUse || connection.State == TcpState.Closed)
                        continue;
                }
                if (connection.PersistDeadline <= now)
                {
                    connection.PersistDeadline = TcpConnection.NoDeadline;
                    PersistTimeout(connection);
                }
                if (connection.KeepAliveDeadline <= now)
                {
                    connection.KeepAliveDeadline = TcpConnection.NoDeadline;
                    KeepAliveTimeout(connection);
                    if (!connection.InUse || connection.State == TcpState.Closed)
                        continue;
                }
                if (connection.DelayedAcknowledgmentDeadline <= now)
                {
                    connection.DelayedAcknowledgmentDeadline = TcpConnection.NoDeadline;
                    if (connection.Synchronized)
                        SendAcknowledgment(connection);
                }
            }
            // The exact earliest, now that every due timer ran (those it set are all later than 'now').
            long earliest = TcpConnection.NoDeadline;
            for (int slot = 0; slot < _table.Extent; slot++)
            {
                TcpConnection connection = _table[slot];
                if (connection.InUse && connection.NextDeadline < earliest)
                    earliest = connection.NextDeadline;
            }
            _timers.Earliest = earliest;
        }

        private void RetransmissionTimeout(TcpConnection connection)
        {
            Statistics.RetransmissionTimeouts++;
            switch (connection.State)
            {
                case TcpState.SynSent:
                case TcpState.SynReceived:
                    bool passive = connection.State == TcpState.SynReceived && !connection.ActiveOpen;
                    int limit = passive ? TcpLimits.MaximumSynAckRetransmissions : TcpLimits.MaximumSynRetransmissions;
                    if (connection.Retransmissions >= limit)
                    {
                        Statistics.Timeouts++;
                        if (passive)
                        {
                            FreeConnection(connection);   // a half-open connection that never completed goes silently
                            return;
                        }
                        Statistics.AttemptFails++;
                        Fail(connection, connection.SoftError != Error.None ? connection.SoftError : Error.TimedOut, false);
                        return;
                    }
                    connection.Retransmissions++;
                    connection.RoundTrip.BackOff();
                    connection.Timing = false;
                    Statistics.Retransmissions++;
                    SendSynchronize(connection);
                    RestartRetransmission(connection);
                    return;
                case TcpState.Closed:
                case TcpState.Listen:
                case TcpState.TimeWait:
                    return;
            }
            if (connection.SendUnacknowledged == connection.SendMaximum)
                return;   // nothing outstanding
            int retries = connection.Owned ? TcpLimits.MaximumDataRetransmissions : TcpLimits.MaximumOrphanRetries;
            if (connection.Retransmissions >= retries)
            {
                Statistics.Timeouts++;
                Fail(connection, connection.SoftError != Error.None ? connection.SoftError : Error.TimedOut, true);
                return;
            }
            connection.Retransmissions++;
            // RFC 5681 (4) and RFC 6298 5.5-5.6: collapse the window, back off, go back to SND.UNA.
            connection.Congestion.OnTimeout(connection.Flight, connection.SendMaximum);
            connection.RoundTrip.BackOff();
            connection.Timing = false;
            connection.Scoreboard.Reset(connection.SendUnacknowledged);
            connection.SendNext = connection.SendUnacknowledged;
            RetransmitFirst(connection);
            RestartRetransmission(connection);
        }

        /// <summary>Data waits and nothing is in flight. The peer's window is zero: probe it, backing off to MaximumPersistInterval, forever (RFC 1122 4.2.2.17).</summary>
        private void PersistTimeout(TcpConnection connection)
        {
            if (!connection.Synchronized)
                return;
            if (connection.SendWindow != 0)
            {
                // A window too small for silly-window avoidance, and nothing in flight: send what fits now.
                _overrideSillyWindow = true;
                Output(connection);
                _overrideSillyWindow = false;
                return;
            }
            if (!connection.Owned && connection.PersistBackoffs >= TcpLimits.MaximumOrphanRetries)
            {
                Statistics.Timeouts++;
                Fail(connection, Error.TimedOut, true);   // an orphan facing a window that never opens
                return;
            }
            Statistics.PersistProbes++;
            SendProbe(connection);
            if (connection.PersistBackoffs < 30)
                connection.PersistBackoffs++;
            connection.PersistDeadline = _now + PersistInterval(connection);
        }

        /// <summary>The connection was idle for the keepalive time: probe, and give up after KeepAliveCount unanswered probes.</summary>
        private void KeepAliveTimeout(TcpConnection connection)
        {
            if (!connection.KeepAlive || !(connection.State == TcpState.Established || connection.State == TcpState.CloseWait))
                return;
            if (connection.Flight > 0 || connection.SendWindow == 0 && connection.SendBuffer.Count > 0)
            {
                // Retransmission or persist is already watching the peer; look again after an idle period.
                connection.KeepAliveDeadline = _now + (long)connection.KeepAliveIdleSeconds * 1000;
                return;
            }
            if (connection.KeepAliveProbesSent >= connection.KeepAliveCount)
            {
                Statistics.Timeouts++;
                Fail(connection, Error.TimedOut, true);
                return;
            }
            connection.KeepAliveProbesSent++;
            Statistics.KeepAliveProbes++;
            SendProbe(connection);
            connection.KeepAliveDeadline = _now + (long)connection.KeepAliveIntervalSeconds * 1000;
        }
    }
}
