using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// Segments leaving: what a connection may send now (the peer's window, the congestion window, Nagle and
    /// silly-window avoidance), the windows we advertise, retransmissions, and the bare control segments (ACK,
    /// RST, probes). Every segment is built in the stack's one transmit buffer and handed to IP at once.
    /// </summary>
    public sealed unsafe partial class TcpStack
    {
        /// <summary>Set while the persist timer forces out what fits in a small window.</summary>
        private bool _overrideSillyWindow;

        /// <summary>The largest window a connection can announce with its scale.</summary>
        private static uint MaximumWindow(TcpConnection connection) => 0xFFFFu << connection.ReceiveScale;

        /// <summary>
        /// The window field to send, moving the advertised right edge only when it opens by at least
        /// min(half the buffer, one MSS) (receiver-side silly-window avoidance, RFC 9293 3.8.6.2.2) and never left.
        /// </summary>
        private static ushort WindowField(TcpConnection connection, bool synchronize)
        {
            uint space = (uint)(connection.ReceiveBuffer.IsAttached ? connection.ReceiveBuffer.Space : connection.ReceiveBufferSize);
            if (synchronize)
            {
                // RFC 7323 2.2: the window of a SYN is never scaled.
                uint synWindow = space > 0xFFFF ? 0xFFFF : space;
                connection.ReceiveAdvertised = connection.ReceiveNext + synWindow;
                return (ushort)synWindow;
            }
            if (connection.ReadShutdown && connection.ReceiveBuffer.Readable == 0 && !connection.Owned)
                space = 0;
            uint maximum = MaximumWindow(connection);
            if (space > maximum)
                space = maximum;
            uint current = TcpSequence.Greater(connection.ReceiveAdvertised, connection.ReceiveNext)
                ? connection.ReceiveAdvertised - connection.ReceiveNext : 0;
            uint threshold = (uint)connection.ReceiveBuffer.Capacity / 2;
            if (threshold > (uint)connection.AdvertisedSegmentSize)
                threshold = (uint)connection.AdvertisedSegmentSize;
            uint window = current;
            // While a hole holds RCV.NXT back, every ACK is a duplicate ACK to the sender, and a Reno sender without SACK
            // (4.4BSD's tcp_input, as in QEMU's slirp) counts one only if its window is the last one's (RFC 5681 2):
            // opening the window as the application reads would reset its count and leave every loss to the RTO.
            bool holeHeld = connection.ReceiveBuffer.OutOfOrderRanges > 0;
            if (!holeHeld && (space >= current + threshold || (space > current && space == (uint)connection.ReceiveBuffer.Capacity)))
                window = space & ~((1u << connection.ReceiveScale) - 1);
            if (window < current)
                window = current;
            connection.ReceiveAdvertised = connection.ReceiveNext + window;
            uint field = window >> connection.ReceiveScale;
            return (ushort)(field > 0xFFFF ? 0xFFFF : field);
        }

        /// <summary>
        /// Builds and sends one segment of 'connection': 'length' bytes of the send buffer from 'dataOffset' (bytes
        /// after SND.UNA). SACK blocks ride on every ACK while out-of-order data waits. Any ACK cancels a delayed one.
        /// </summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the SACK arrays are read only as far as SackBlocks filled them
        private Error Transmit(TcpConnection connection, uint sequence, byte flags, int dataOffset, int length)
        {
            bool synchronize = (flags & TcpFlags.Synchronize) != 0;
            uint* sackLeft = stackalloc uint[TcpLimits.SentSackBlocks];
            uint* sackRight = stackalloc uint[TcpLimits.SentSackBlocks];
            int sackBlocks = 0;
            if (!synchronize && connection.SackPermitted && (flags & TcpFlags.Acknowledgment) != 0 && connection.ReceiveBuffer.IsAttached)
                sackBlocks = connection.ReceiveBuffer.SackBlocks(connection.ReceiveNext, sackLeft, sackRight, TcpLimits.SentSackBlocks);
            ushort window = (flags & TcpFlags.Reset) != 0 ? (ushort)0 : WindowField(connection, synchronize);
            bool offerScale = synchronize && (connection.State == TcpState.SynSent || connection.WindowScaling);
            bool offerSack = synchronize && (connection.State == TcpState.SynSent || connection.SackPermitted);
            uint acknowledgment = (flags & TcpFlags.Acknowledgment) != 0 ? connection.ReceiveNext : 0;
            int headerLength = TcpSegmentWriter.WriteHeader(_transmit, connection.LocalPort, connection.RemotePort, sequence, acknowledgment,
                flags, window, synchronize ? connection.AdvertisedSegmentSize : 0, offerScale ? connection.ReceiveScale : -1, offerSack,
                sackLeft, sackRight, sackBlocks);
            if (length > 0)
                connection.SendBuffer.CopyOut(dataOffset, _transmit + headerLength, length);
            TcpSegmentWriter.WriteChecksum(_transmit, headerLength + length, connection.LocalAddress, connection.RemoteAddress, _ip.IsLocal(connection.RemoteAddress));
            Statistics.SegmentsSent++;
            if ((flags & TcpFlags.Reset) != 0)
                Statistics.ResetsSent++;
            if ((flags & TcpFlags.Acknowledgment) != 0)
            {
                connection.DelayedAcknowledgmentDeadline = TcpConnection.NoDeadline;
                connection.UnacknowledgedSegments = 0;
                connection.AcknowledgeNow = false;
            }
            return _ip.Send(IpProtocol.Tcp, connection.LocalAddress, connection.RemoteAddress, _transmit, headerLength + length);
        }

        /// <summary>A control segment for no connection (a reset answering a stray segment, a SYN cookie's SYN-ACK with its window and MSS).</summary>
        private void TransmitBare(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort,
            uint sequence, uint acknowledgment, byte flags, ushort window = 0, int maximumSegmentSize = 0)
        {
            int headerLength = TcpSegmentWriter.WriteHeader(_transmit, sourcePort, destinationPort, sequence, acknowledgment, flags, window,
                maximumSegmentSize, -1, false, null, null, 0);
            TcpSegmentWriter.WriteChecksum(_transmit, headerLength, source, destination, _ip.IsLocal(destination));
            Statistics.SegmentsSent++;
            if ((flags & TcpFlags.Reset) != 0)
                Statistics.ResetsSent++;
            _ip.Send(IpProtocol.Tcp, source, destination, _transmit, headerLength);
        }

        /// <summary>
        /// RFC 9293 3.10.7.1: the reset answering a segment that belongs to no connection: SEQ = SEG.ACK when it
        /// carried an ACK, else SEQ = 0 with ACK = SEG.SEQ + SEG.LEN. A reset is never answered.
        /// </summary>
        private void SendResetFor(in TcpSegment segment, Ipv4Address source, Ipv4Address destination)
        {
            if (segment.Has(TcpFlags.Reset))
                return;
            if (segment.Has(TcpFlags.Acknowledgment))
                TransmitBare(destination, segment.DestinationPort, source, segment.SourcePort, segment.Acknowledgment, 0, TcpFlags.Reset);
            else
                TransmitBare(destination, segment.DestinationPort, source, segment.SourcePort, 0,
                    segment.Sequence + (uint)segment.SequenceLength, TcpFlags.Reset | TcpFlags.Acknowledgment);
        }

        /// <summary>
        /// The sequence number of a bare ACK or reset: one the peer finds in its window (Linux's tcp_acceptable_seq):
        /// SND.MAX, not SND.NXT, since after a timeout SND.NXT went back and the peer (RCV.NXT possibly at SND.MAX)
        /// would find a lower number old and ignore the segment (as BSD does); but never past the right edge of the
        /// peer's window (SND.UNA + SND.WND), where a segment sent into a window that then closed would put it.
        /// </summary>
        private static uint AcceptableSequence(TcpConnection connection)
        {
            uint rightEdge = connection.SendUnacknowledged + connection.SendWindow;
            return TcpSequence.Greater(connection.SendMaximum, rightEdge) ? rightEdge : connection.SendMaximum;
        }

        /// <summary>An abortive reset of a synchronized connection (close with unread data, abort, give-up).</summary>
        private void SendReset(TcpConnection connection) =>
            Transmit(connection, AcceptableSequence(connection), TcpFlags.Reset | TcpFlags.Acknowledgment, 0, 0);

        private void SendAcknowledgment(TcpConnection connection) =>
            Transmit(connection, AcceptableSequence(connection), TcpFlags.Acknowledgment, 0, 0);

        /// <summary>SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED) with our options, at the ISS.</summary>
        private void SendSynchronize(TcpConnection connection)
        {
            byte flags = connection.State == TcpState.SynSent ? TcpFlags.Synchronize : (byte)(TcpFlags.Synchronize | TcpFlags.Acknowledgment);
            Transmit(connection, connection.InitialSendSequence, flags, 0, 0);
        }

        /// <summary>
        /// A segment one below SND.UNA with no data: the peer finds it old and answers with an ACK carrying its
        /// window, which is all a keepalive or a zero-window probe needs (Linux's tcp_xmit_probe_skb).
        /// </summary>
        private void SendProbe(TcpConnection connection) =>
            Transmit(connection, connection.SendUnacknowledged - 1, TcpFlags.Acknowledgment, 0, 0);

        private void ArmRetransmission(TcpConnection connection)
        {
            if (connection.RetransmitDeadline == TcpConnection.NoDeadline)
                connection.RetransmitDeadline = _now + connection.RoundTrip.Timeout;
        }

        private void RestartRetransmission(TcpConnection connection) =>
            connection.RetransmitDeadline = _now + connection.RoundTrip.Timeout;

        /// <summary>The payload a segment carries at most: the send MSS less the SACK option it may carry.</summary>
        private static int SegmentPayload(TcpConnection connection)
        {
            int size = connection.SendSegmentSize;
            if (connection.SackPermitted && connection.ReceiveBuffer.OutOfOrderRanges > 0)
                size -= TcpSegmentWriter.SackOptionLength(TcpLimits.SentSackBlocks);
            return size;
        }

        /// <summary>Sends whatever the windows, Nagle and the FIN allow now, then a bare ACK if one is still owed.</summary>
        private void Output(TcpConnection connection)
        {
            if (!connection.InUse)
                return;
            if (connection.State < TcpState.Established || connection.State == TcpState.TimeWait)
            {
                // TIME-WAIT answers a retransmitted FIN; SYN-RECEIVED answers an unacceptable segment (in a
                // simultaneous open the other SYN-ACK is one: its ACK completes both handshakes, RFC 9293 figure 8).
                if (connection.AcknowledgeNow && (connection.State == TcpState.TimeWait || connection.State == TcpState.SynReceived))
                    SendAcknowledgment(connection);
                return;
            }
            bool sent = false;
            int segmentLimit = 64;   // bounds the work one call does; the next ACK or tick continues
            while (segmentLimit-- > 0 && connection.SendBuffer.IsAttached)
            {
                int offset = (int)(connection.SendNext - connection.SendUnacknowledged);
                int available = connection.SendBuffer.Count - offset;
                if (available < 0)
                    available = 0;
                uint window = connection.SendWindow;
                if ((uint)connection.Congestion.SendableWindow < window)
                    window = (uint)connection.Congestion.SendableWindow;
                long usable = (long)window - connection.Flight;
                int maximum = SegmentPayload(connection);
                int length = available;
                if (length > maximum)
                    length = maximum;
                if (length > usable)
                    length = usable > 0 ? (int)usable : 0;
                bool finAllowed = connection.FinQueued && length == available
                    && (!connection.FinSent || TcpSequence.LessOrEqual(connection.SendNext, connection.FinSequence));
                if (length == 0 && !finAllowed)
                    break;
                if (length > 0 && length < maximum && !finAllowed && !_overrideSillyWindow)
                {
                    // Sender-side silly-window avoidance (RFC 9293 3.8.6.2.1) and Nagle (RFC 896): a short segment goes
                    // only when it is all there is and nothing is outstanding (or NoDelay), or it fills half the largest window.
                    bool allQueued = length == available;
                    bool nagleAllows = connection.NoDelay || connection.Flight == 0;
                    bool halfWindow = length >= (int)(connection.MaximumSendWindow / 2) && connection.MaximumSendWindow > 0;
                    if (!((allQueued && nagleAllows) || (halfWindow && nagleAllows)))
                        break;
                }
                byte flags = TcpFlags.Acknowledgment;
                if (length > 0 && length == available)
                    flags |= TcpFlags.Push;
                if (finAllowed)
                    flags |= TcpFlags.Finish;
                uint sequence = connection.SendNext;
                bool retransmission = TcpSequence.Less(sequence, connection.SendMaximum);
                Transmit(connection, sequence, flags, offset, length);
                sent = true;
                uint end = sequence + (uint)length;
                if (finAllowed)
                {
                    connection.FinSent = true;
                    connection.FinSequence = end;
                    end++;
                }
                if (retransmission)
                {
                    Statistics.Retransmissions++;
                    connection.Timing = false;   // Karn: nothing sent twice is timed
                }
                else if (!connection.Timing)
                {
                    connection.Timing = true;
                    connection.TimedSequence = end;
                    connection.TimedAt = _now;
                }
                connection.SendNext = end;
                if (TcpSequence.Greater(end, connection.SendMaximum))
                    connection.SendMaximum = end;
                ArmRetransmission(connection);
                if (finAllowed)
                    break;
            }
            // Data waiting and nothing in flight: no ACK will come to clock more out, so the persist timer must (a zero
            // window to probe, or a small one silly-window avoidance declined to fill: RFC 9293 3.8.6.2.1's override).
            int waiting = connection.SendBuffer.Count - (int)(connection.SendNext - connection.SendUnacknowledged);
            if (waiting > 0 && connection.Flight == 0)
            {
                if (connection.PersistDeadline == TcpConnection.NoDeadline)
                {
                    connection.PersistBackoffs = 0;
                    connection.PersistDeadline = _now + PersistInterval(connection);
                }
            }
            else
            {
                connection.PersistDeadline = TcpConnection.NoDeadline;
            }
            if (!sent && connection.AcknowledgeNow)
            {
                Statistics.ImmediateAcknowledgments++;
                SendAcknowledgment(connection);
            }
        }

        private static int PersistInterval(TcpConnection connection)
        {
            long interval = (long)connection.RoundTrip.Timeout << (connection.PersistBackoffs > 16 ? 16 : connection.PersistBackoffs);
            if (interval < TcpLimits.MinimumPersistInterval)
                interval = TcpLimits.MinimumPersistInterval;
            return interval > TcpLimits.MaximumPersistInterval ? TcpLimits.MaximumPersistInterval : (int)interval;
        }

        /// <summary>
        /// Sends the first unacknowledged segment again (fast retransmit, a partial ACK, a timeout), whatever the
        /// windows say, without moving SND.NXT backward.
        /// </summary>
        private void RetransmitFirst(TcpConnection connection)
        {
            int length = connection.SendBuffer.Count;
            int maximum = SegmentPayload(connection);
            if (length > maximum)
                length = maximum;
            byte flags = TcpFlags.Acknowledgment;
            bool fin = connection.FinSent && length == connection.SendBuffer.Count && !connection.FinAcknowledged;
            if (fin)
                flags |= TcpFlags.Finish;
            if (length == 0 && !fin)
                return;
            Transmit(connection, connection.SendUnacknowledged, flags, 0, length);
            Statistics.Retransmissions++;
            connection.Timing = false;
            uint end = connection.SendUnacknowledged + (uint)length + (fin ? 1u : 0u);
            if (TcpSequence.Greater(end, connection.SendNext))
                connection.SendNext = end;
            if (TcpSequence.Greater(end, connection.SendMaximum))
                connection.SendMaximum = end;   // the segment may reach past what was sent before (more data queued since)
            RestartRetransmission(connection);
        }
    }
}
