using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// Segments arriving (RFC 9293 3.10.7, "SEGMENT ARRIVES"): checksum and header checks, the connection or
    /// listener a segment belongs to, then the state machine: LISTEN, SYN-SENT, and the synchronized states'
    /// sequence check, RST and SYN (with RFC 5961's challenge ACKs), ACK, payload and FIN processing.
    /// </summary>
    public sealed unsafe partial class TcpStack
    {
        public void Receive(Ipv4Address source, Ipv4Address destination, byte* payload, int length)
        {
            _now = _clock.NowMilliseconds;
            Statistics.SegmentsReceived++;
            if (payload == null || length < TcpLimits.HeaderLength)
            {
                Statistics.MalformedSegments++;
                return;
            }
            if (!_ip.ReceivingLocal && !TcpSegmentWriter.ChecksumValid(payload, length, source, destination))
            {
                Statistics.BadChecksums++;
                return;
            }
            if (!TcpSegment.Parse(payload, length, out TcpSegment segment))
            {
                Statistics.MalformedSegments++;
                return;
            }
            // RFC 1122 4.2.3.10: nothing to or from a broadcast or multicast address, and port 0 is no one's.
            if (source.IsAny || source.IsLimitedBroadcast || source.IsMulticast || destination.IsLimitedBroadcast
                || destination.IsMulticast || destination.IsAny || segment.SourcePort == 0 || segment.DestinationPort == 0)
            {
                Statistics.BadAddresses++;
                return;
            }
            TcpConnection connection = _table.Find(destination, segment.DestinationPort, source, segment.SourcePort);
            if (connection != null && connection.State == TcpState.TimeWait && segment.Has(TcpFlags.Synchronize)
                && !segment.Has(TcpFlags.Acknowledgment) && !segment.Has(TcpFlags.Reset)
                && TcpSequence.Greater(segment.Sequence, connection.ReceiveNext) && !connection.Owned)
            {
                // RFC 9293 3.10.7.4 / RFC 6191: a new SYN above the old connection's numbers may reopen from TIME-WAIT.
                FreeConnection(connection);
                connection = null;
            }
            if (connection == null)
            {
                TcpConnection listener = _table.FindListener(destination, segment.DestinationPort);
                if (listener != null)
                {
                    ListenInput(listener, in segment, source, destination);
                    return;
                }
                Statistics.NoConnection++;
                SendResetFor(in segment, source, destination);
                return;
            }
            if (connection.State == TcpState.SynSent)
                SynSentInput(connection, in segment);
            else
                SynchronizedInput(connection, in segment);
            Output(connection);
        }

        public void ReceiveError(IcmpErrorKind kind, Ipv4Address quotedSource, Ipv4Address quotedDestination, byte* quotedPayload, int length)
        {
            if (quotedPayload == null || length < 8)
                return;
            _now = _clock.NowMilliseconds;
            Statistics.IcmpErrors++;
            ushort sourcePort = NetworkOrder.ReadUInt16(quotedPayload);
            ushort destinationPort = NetworkOrder.ReadUInt16(quotedPayload + 2);
            uint sequence = NetworkOrder.ReadUInt32(quotedPayload + 4);
            TcpConnection connection = _table.Find(quotedSource, sourcePort, quotedDestination, destinationPort);
            if (connection == null || connection.State == TcpState.Listen)
                return;
            // RFC 5927 4.1: only an error quoting data in flight is believed.
            if (!TcpSequence.InRange(sequence, connection.SendUnacknowledged, connection.SendMaximum + 1))
                return;
            switch (kind)
            {
                case IcmpErrorKind.PortUnreachable:
                case IcmpErrorKind.ProtocolUnreachable:
                    // Hard errors (RFC 1122 4.2.3.9): fatal to a connection attempt; Linux keeps an established one going.
                    if (connection.State == TcpState.SynSent)
                    {
                        Statistics.AttemptFails++;
                        Fail(connection, Error.ConnectionRefused, false);
                    }
                    else
                    {
                        connection.SoftError = Error.ConnectionRefused;
                    }
                    break;
                case IcmpErrorKind.FragmentationNeeded:
                    int segmentSize = _ip.MaximumPayload(connection.RemoteAddress) - TcpLimits.HeaderLength;
                    if (segmentSize >= TcpLimits.MinimumMaximumSegmentSize && segmentSize < connection.SendSegmentSize)
                    {
                        connection.SendSegmentSize = segmentSize;
                        connection.Congestion.SetSegmentSize(segmentSize);
                    }
                    break;
                default:
                    connection.SoftError = Error.HostUnreachable;
                    break;
            }
        }

        // ---- LISTEN ----

        private void ListenInput(TcpConnection listener, in TcpSegment segment, Ipv4Address source, Ipv4Address destination)
        {
            if (segment.Has(TcpFlags.Reset))
                return;
            if (segment.Has(TcpFlags.Acknowledgment))
            {
                if (!segment.Has(TcpFlags.Synchronize) && CookieInput(listener, in segment, source, destination))
                    return;
                SendResetFor(in segment, source, destination);
                return;
            }
            if (!segment.Has(TcpFlags.Synchronize))
                return;
            if (AcceptQueueFull(listener))
            {
                // As Linux: while the owner does not accept, new SYNs are dropped; the clients retry.
                Statistics.ListenOverflows++;
                return;
            }
            if (listener.HalfOpenCount >= TcpLimits.MaximumHalfOpenPerListener || _halfOpenTotal >= TcpLimits.MaximumHalfOpen)
            {
                // Beyond the half-open limits (a SYN flood, or a burst): answer with a SYN cookie and keep nothing.
                Statistics.SynCookiesSent++;
                int ourSegmentSize = _ip.MaximumPayload(source) - TcpLimits.HeaderLength;
                uint cookie = _synCookies.Make(_now, destination, segment.DestinationPort, source, segment.SourcePort, segment.Sequence,
                    segment.MaximumSegmentSize);
                uint window = (uint)listener.ReceiveBufferSize;
                TransmitBare(destination, segment.DestinationPort, source, segment.SourcePort, cookie, segment.Sequence + 1,
                    TcpFlags.Synchronize | TcpFlags.Acknowledgment, (ushort)(window > 0xFFFF ? 0xFFFF : window),
                    ourSegmentSize < TcpLimits.MinimumMaximumSegmentSize ? TcpLimits.MinimumMaximumSegmentSize : ourSegmentSize);
                return;
            }
            TcpConnection child = AllocateConnection();
            if (child == null)
                return;
            _table.Bind(child, destination, segment.DestinationPort);
            child.RemoteAddress = source;
            child.RemotePort = segment.SourcePort;
            child.InheritOptions(listener);
            child.State = TcpState.SynReceived;
            Synchronize(child, in segment);
            StartSend(child);
            _table.Insert(child);
            AddHalfOpen(listener, child);
            Statistics.PassiveOpens++;
            SendSynchronize(child);
            ArmRetransmission(child);
        }

        /// <summary>
        /// An ACK at a listener with no connection: if it completes a SYN cookie handshake, the connection is made now,
        /// ESTABLISHED, straight into the accept queue, and the segment is processed on it. False when it is no cookie's.
        /// </summary>
        private bool CookieInput(TcpConnection listener, in TcpSegment segment, Ipv4Address source, Ipv4Address destination)
        {
            if (Statistics.SynCookiesSent == 0)
                return false;
            if (!_synCookies.Check(_now, destination, segment.DestinationPort, source, segment.SourcePort, segment.Sequence - 1,
                segment.Acknowledgment - 1, out int peerSegmentSize))
            {
                Statistics.SynCookiesRejected++;
                return false;
            }
            if (AcceptQueueFull(listener))
            {
                Statistics.ListenOverflows++;
                return true;   // dropped; the client's data or a later ACK comes again
            }
            TcpConnection child = AllocateConnection();
            if (child == null)
                return true;
            _table.Bind(child, destination, segment.DestinationPort);
            child.RemoteAddress = source;
            child.RemotePort = segment.SourcePort;
            child.InheritOptions(listener);
            if (!AttachBuffers(child))
            {
                _table.Release(child);
                return false;   // answered with a reset by the caller
            }
            uint iss = segment.Acknowledgment - 1;
            child.InitialSendSequence = iss;
            child.SendUnacknowledged = segment.Acknowledgment;
            child.SendNext = child.SendMaximum = segment.Acknowledgment;
            child.InitialReceiveSequence = segment.Sequence - 1;
            child.ReceiveNext = segment.Sequence;
            int ourSegmentSize = _ip.MaximumPayload(source) - TcpLimits.HeaderLength;
            child.AdvertisedSegmentSize = ourSegmentSize < TcpLimits.MinimumMaximumSegmentSize ? TcpLimits.MinimumMaximumSegmentSize : ourSegmentSize;
            child.SendSegmentSize = peerSegmentSize < ourSegmentSize ? peerSegmentSize : ourSegmentSize;
            uint synWindow = (uint)listener.ReceiveBufferSize;
            child.ReceiveAdvertised = child.ReceiveNext + (synWindow > 0xFFFF ? 0xFFFF : synWindow);
            child.RoundTrip.Reset();
            child.LastReceived = _now;
            child.SendWindow = segment.Window;
            child.MaximumSendWindow = segment.Window;
            child.SendWindowSequence = segment.Sequence;
            child.SendWindowAcknowledgment = segment.Acknowledgment;
            child.Congestion.Reset(child.SendSegmentSize, iss);
            child.State = TcpState.SynReceived;
            _table.Insert(child);
            child.Parent = listener.Slot;
            Establish(child);
            MoveToAcceptQueue(listener, child);
            Statistics.SynCookiesAccepted++;
            Statistics.PassiveOpens++;
            SynchronizedInput(child, in segment);
            Output(child);
            return true;
        }

        /// <summary>Our side of the send sequence space from a fresh ISN, and the MSS and window scale we offer.</summary>
        private void StartSend(TcpConnection connection)
        {
            uint iss = _initialSequence.Next(_now, connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort);
            connection.InitialSendSequence = iss;
            connection.SendUnacknowledged = iss;
            connection.SendNext = iss + 1;
            connection.SendMaximum = iss + 1;
            int segmentSize = _ip.MaximumPayload(connection.RemoteAddress) - TcpLimits.HeaderLength;
            if (segmentSize < TcpLimits.MinimumMaximumSegmentSize)
                segmentSize = TcpLimits.MinimumMaximumSegmentSize;
            if (segmentSize > TcpLimits.MaximumSegmentPayload)
                segmentSize = TcpLimits.MaximumSegmentPayload;
            connection.AdvertisedSegmentSize = segmentSize;
            if (connection.State == TcpState.SynSent || connection.WindowScaling)
                connection.ReceiveScale = ScaleFor(connection.ReceiveBufferSize);
            connection.RoundTrip.Reset();
            connection.Timing = true;   // the SYN is timed unless retransmitted (Karn)
            connection.TimedSequence = iss + 1;
            connection.TimedAt = _now;
            connection.LastReceived = _now;
        }

        /// <summary>The smallest shift that lets a 16-bit window field cover 'bufferSize' bytes (RFC 7323 2.3).</summary>
        private static int ScaleFor(int bufferSize)
        {
            int scale = 0;
            while (scale < TcpLimits.MaximumWindowScale && (0xFFFFL << scale) < bufferSize)
                scale++;
            return scale;
        }

        /// <summary>The peer's SYN: its ISN and the options it offered (MSS, window scale, SACK permitted).</summary>
        private void Synchronize(TcpConnection connection, in TcpSegment segment)
        {
            connection.InitialReceiveSequence = segment.Sequence;
            connection.ReceiveNext = segment.Sequence + 1;
            connection.ReceiveAdvertised = connection.ReceiveNext;
            int peerSegmentSize = segment.MaximumSegmentSize == 0 ? TcpLimits.DefaultSendMaximumSegmentSize : segment.MaximumSegmentSize;
            if (peerSegmentSize < TcpLimits.MinimumMaximumSegmentSize)
                peerSegmentSize = TcpLimits.MinimumMaximumSegmentSize;
            int ourLimit = _ip.MaximumPayload(connection.RemoteAddress) - TcpLimits.HeaderLength;
            if (ourLimit >= TcpLimits.MinimumMaximumSegmentSize && peerSegmentSize > ourLimit)
                peerSegmentSize = ourLimit;
            if (peerSegmentSize > TcpLimits.MaximumSegmentPayload)
                peerSegmentSize = TcpLimits.MaximumSegmentPayload;
            connection.SendSegmentSize = peerSegmentSize;
            // Window scaling and SACK hold only when both SYNs carried them (RFC 7323 2.2, RFC 2018 2).
            connection.WindowScaling = segment.WindowScale >= 0;
            connection.SendScale = connection.WindowScaling ? segment.WindowScale : 0;
            if (!connection.WindowScaling)
                connection.ReceiveScale = 0;
            connection.SackPermitted = segment.SackPermitted;
            connection.SendWindow = segment.Window;   // never scaled in a SYN
            connection.MaximumSendWindow = segment.Window;
            connection.SendWindowSequence = segment.Sequence;
            connection.SendWindowAcknowledgment = segment.Acknowledgment;
        }

        // ---- SYN-SENT ----

        private void SynSentInput(TcpConnection connection, in TcpSegment segment)
        {
            bool acknowledgmentAcceptable = false;
            if (segment.Has(TcpFlags.Acknowledgment))
            {
                if (TcpSequence.LessOrEqual(segment.Acknowledgment, connection.InitialSendSequence)
                    || TcpSequence.Greater(segment.Acknowledgment, connection.SendMaximum))
                {
                    if (!segment.Has(TcpFlags.Reset))
                        TransmitBare(connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort,
                            segment.Acknowledgment, 0, TcpFlags.Reset);
                    return;
                }
                acknowledgmentAcceptable = true;
            }
            if (segment.Has(TcpFlags.Reset))
            {
                if (acknowledgmentAcceptable)
                {
                    Statistics.ResetsReceived++;
                    Statistics.AttemptFails++;
                    connection.ResetReceived = true;
                    Fail(connection, Error.ConnectionRefused, false);
                }
                return;
            }
            if (!segment.Has(TcpFlags.Synchronize))
                return;
            connection.LastReceived = _now;
            Synchronize(connection, in segment);
            connection.Congestion.Reset(connection.SendSegmentSize, connection.InitialSendSequence);
            if (acknowledgmentAcceptable)
            {
                connection.SendUnacknowledged = segment.Acknowledgment;
                if (connection.Timing)
                    connection.RoundTrip.Sample((int)(_now - connection.TimedAt));
                connection.Timing = false;
                Establish(connection);
                connection.AcknowledgeNow = true;
                Statistics.ImmediateAcknowledgments++;
                SendAcknowledgment(connection);
            }
            else
            {
                // Simultaneous open (RFC 9293 3.5, figure 8): our SYN crossed theirs; answer with SYN-ACK.
                connection.State = TcpState.SynReceived;
                connection.Timing = false;
                SendSynchronize(connection);
                RestartRetransmission(connection);
            }
        }

        /// <summary>ESTABLISHED: timers for data, keepalive armed, the owner told it can write.</summary>
        private void Establish(TcpConnection connection)
        {
            connection.State = TcpState.Established;
            connection.WasConnected = true;
            connection.Retransmissions = 0;
            connection.RoundTrip.ClearBackoff();
            connection.RetransmitDeadline = TcpConnection.NoDeadline;
            connection.Scoreboard.Reset(connection.SendUnacknowledged);
            ArmKeepAlive(connection);
            if (connection.FinQueued)
                connection.State = TcpState.FinWait1;
            MarkChanged(connection);
        }

        // ---- Synchronized states ----

        private void SynchronizedInput(TcpConnection connection, in TcpSegment segment)
        {
            uint window = TcpSequence.Greater(connection.ReceiveAdvertised, connection.ReceiveNext)
                ? connection.ReceiveAdvertised - connection.ReceiveNext : 0;
            int sequenceLength = segment.SequenceLength;
            if (!Acceptable(segment.Sequence, sequenceLength, connection.ReceiveNext, window))
            {
                Statistics.OutOfWindow++;
                if (!segment.Has(TcpFlags.Reset))
                {
                    if (connection.State == TcpState.TimeWait && segment.Has(TcpFlags.Finish))
                        RestartTimeWait(connection);
                    if (sequenceLength > 0)
                        Statistics.DuplicateSegments++;
                    AcknowledgeInvalid(connection, in segment);
                }
                return;
            }
            connection.LastReceived = _now;
            connection.KeepAliveProbesSent = 0;
            ArmKeepAlive(connection);

            if (segment.Has(TcpFlags.Reset))
            {
                // RFC 5961 3.2: only a reset at exactly RCV.NXT is believed; one elsewhere in the window gets a challenge ACK.
                if (segment.Sequence != connection.ReceiveNext)
                {
                    Statistics.ChallengeAcknowledgments++;
                    AcknowledgeInvalid(connection, in segment);
                    return;
                }
                Statistics.ResetsReceived++;
                ResetArrived(connection);
                return;
            }
            if (segment.Has(TcpFlags.Synchronize))
            {
                if (connection.State == TcpState.SynReceived && segment.Sequence == connection.InitialReceiveSequence && !segment.Has(TcpFlags.Acknowledgment))
                {
                    SendSynchronize(connection);   // our SYN-ACK was lost: the peer sent its SYN again
                    return;
                }
                // RFC 5961 4.2: a SYN in a synchronized state only earns a challenge ACK (never a reset).
                Statistics.ChallengeAcknowledgments++;
                AcknowledgeInvalid(connection, in segment);
                return;
            }
            if (!segment.Has(TcpFlags.Acknowledgment))
                return;

            if (connection.State == TcpState.SynReceived)
            {
                if (!TcpSequence.Greater(segment.Acknowledgment, connection.SendUnacknowledged)
                    || TcpSequence.Greater(segment.Acknowledgment, connection.SendMaximum))
                {
                    TransmitBare(connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort,
                        segment.Acknowledgment, 0, TcpFlags.Reset);
                    return;
                }
                if (!CompleteHandshake(connection, in segment))
                    return;
            }
            if (!ProcessAcknowledgment(connection, in segment))
                return;
            if (!connection.InUse || connection.State == TcpState.Closed)
                return;

            if (segment.PayloadLength > 0)
            {
                if (!ProcessPayload(connection, in segment))
                    return;
            }
            if (segment.Has(TcpFlags.Finish))
                FinArrived(connection, segment.Sequence + (uint)segment.PayloadLength);
            else if (connection.FinPending && connection.ReceiveNext == connection.FinReceivedSequence)
                ApplyFin(connection);
        }

        /// <summary>
        /// Answers an invalid segment with an ACK (RFC 9293 3.10.7.4), at once when it carried data (the sender
        /// needs to learn our RCV.NXT: a lost ACK, a retransmission), else at most once per
        /// InvalidSegmentAcknowledgmentInterval (RFC 5961 10 and Linux's tcp_oow_rate_limited: no ACK storm).
        /// </summary>
        private void AcknowledgeInvalid(TcpConnection connection, in TcpSegment segment)
        {
            if (segment.PayloadLength == 0 || segment.Has(TcpFlags.Synchronize))
            {
                if (connection.LastInvalidAcknowledgment != long.MinValue
                    && _now - connection.LastInvalidAcknowledgment < TcpLimits.InvalidSegmentAcknowledgmentInterval)
                {
                    Statistics.RateLimitedAcknowledgments++;
                    return;
                }
                connection.LastInvalidAcknowledgment = _now;
            }
            connection.AcknowledgeNow = true;
        }

        /// <summary>RFC 9293 3.10.7.4's four cases of segment acceptability.</summary>
        private static bool Acceptable(uint sequence, int length, uint receiveNext, uint window)
        {
            if (length == 0)
                return window == 0 ? sequence == receiveNext : TcpSequence.InRange(sequence, receiveNext, receiveNext + window);
            if (window == 0)
                return false;
            return TcpSequence.InRange(sequence, receiveNext, receiveNext + window)
                || TcpSequence.InRange(sequence + (uint)length - 1, receiveNext, receiveNext + window);
        }

        private void ResetArrived(TcpConnection connection)
        {
            connection.ResetReceived = true;
            switch (connection.State)
            {
                case TcpState.SynReceived:
                    if (connection.ActiveOpen)
                    {
                        Statistics.AttemptFails++;
                        Fail(connection, Error.ConnectionRefused, false);
                    }
                    else
                    {
                        FreeConnection(connection);   // a passive half-open connection just goes (back to LISTEN)
                    }
                    break;
                case TcpState.Established:
                case TcpState.FinWait1:
                case TcpState.FinWait2:
                    Statistics.EstablishedResets++;
                    Fail(connection, Error.ConnectionReset, false);
                    break;
                case TcpState.CloseWait:
                    // The peer had closed already: a write that drew this reset learns EPIPE, as Linux's tcp_reset says.
                    Statistics.EstablishedResets++;
                    Fail(connection, Error.PeerGone, false);
                    break;
                default:
                    // CLOSING, LAST-ACK, TIME-WAIT: the connection was ending anyway.
                    if (connection.Owned && connection.State != TcpState.TimeWait)
                        Fail(connection, Error.ConnectionReset, false);
                    else
                        CloseGracefully(connection);
                    break;
            }
        }

        /// <summary>The ACK of our SYN-ACK: ESTABLISHED, buffers taken, and (passively opened) into the accept queue.</summary>
        private bool CompleteHandshake(TcpConnection connection, in TcpSegment segment)
        {
            TcpConnection listener = connection.Parent != TcpConnection.NoSlot ? _table[connection.Parent] : null;
            if (listener != null && AcceptQueueFull(listener))
            {
                // As Linux: the ACK is dropped; the SYN-ACK is sent again later, and its ACK may find room then.
                Statistics.ListenOverflows++;
                return false;
            }
            if (!AttachBuffers(connection))
            {
                TransmitBare(connection.LocalAddress, connection.LocalPort, connection.RemoteAddress, connection.RemotePort,
                    segment.Acknowledgment, 0, TcpFlags.Reset);
                if (connection.Owned)
                    Fail(connection, Error.NoBufferSpace, false);
                else
                    FreeConnection(connection);
                return false;
            }
            if (connection.Timing)
                connection.RoundTrip.Sample((int)(_now - connection.TimedAt));
            connection.Timing = false;
            connection.SendWindow = (uint)segment.Window << connection.SendScale;
            connection.MaximumSendWindow = connection.SendWindow;
            connection.SendWindowSequence = segment.Sequence;
            connection.SendWindowAcknowledgment = segment.Acknowledgment;
            connection.Congestion.Reset(connection.SendSegmentSize, connection.InitialSendSequence);
            Establish(connection);
            if (listener != null)
                MoveToAcceptQueue(listener, connection);
            return true;
        }

        /// <summary>
        /// The ACK field in a synchronized state: new data acknowledged (RTT sample, congestion window, timers), a
        /// duplicate ACK (fast retransmit), the send window update, and what our FIN's acknowledgment changes.
        /// False when the segment must be dropped.
        /// </summary>
        private bool ProcessAcknowledgment(TcpConnection connection, in TcpSegment segment)
        {
            uint acknowledgment = segment.Acknowledgment;
            if (TcpSequence.Greater(acknowledgment, connection.SendMaximum))
            {
                Statistics.AcknowledgmentsOfUnsent++;
                AcknowledgeInvalid(connection, in segment);
                return false;
            }
            uint newWindow = (uint)segment.Window << connection.SendScale;
            if (segment.SackBlockCount > 0 && connection.SackPermitted)
                NoteSack(connection, in segment);
            if (TcpSequence.Greater(acknowledgment, connection.SendUnacknowledged))
            {
                int acknowledged = (int)(acknowledgment - connection.SendUnacknowledged);
                int dataAcknowledged = acknowledged;
                if (connection.FinSent && TcpSequence.Greater(acknowledgment, connection.FinSequence))
                {
                    connection.FinAcknowledged = true;
                    dataAcknowledged--;
                }
                connection.SendBuffer.Remove(dataAcknowledged);
                if (connection.Timing && TcpSequence.GreaterOrEqual(acknowledgment, connection.TimedSequence))
                {
                    connection.RoundTrip.Sample((int)(_now - connection.TimedAt));
                    connection.Timing = false;
                }
                connection.RoundTrip.ClearBackoff();
                connection.Retransmissions = 0;
                connection.SendUnacknowledged = acknowledgment;
                if (TcpSequence.Less(connection.SendNext, acknowledgment))
                    connection.SendNext = acknowledgment;
                connection.Scoreboard.Acknowledge(acknowledgment);
                bool partial = connection.Congestion.OnNewAcknowledgment(acknowledgment, acknowledged, connection.Flight);
                if (connection.SendUnacknowledged == connection.SendMaximum)
                    connection.RetransmitDeadline = TcpConnection.NoDeadline;
                else
                    RestartRetransmission(connection);
                if (partial)
                {
                    // RFC 6582 3.2 step 5: a partial ACK means the next segment was lost too: resend it at once.
                    Statistics.FastRetransmissions++;
                    RetransmitFirst(connection);
                    connection.Scoreboard.RetransmitNext = connection.SendUnacknowledged + (uint)SegmentPayload(connection);
                }
                MarkChanged(connection);
            }
            else if (acknowledgment == connection.SendUnacknowledged && segment.PayloadLength == 0
                && !segment.Has(TcpFlags.Synchronize) && !segment.Has(TcpFlags.Finish)
                && newWindow == connection.SendWindow && connection.SendMaximum != connection.SendUnacknowledged)
            {
                // RFC 5681 2's duplicate ACK: nothing new, same window, data outstanding.
                Statistics.DuplicateAcknowledgments++;
                if (connection.Congestion.OnDuplicateAcknowledgment(connection.Flight, connection.SendMaximum, acknowledgment))
                {
                    Statistics.FastRetransmissions++;
                    connection.Timing = false;
                    RetransmitFirst(connection);
                    connection.Scoreboard.RetransmitNext = connection.SendUnacknowledged + (uint)SegmentPayload(connection);
                }
                else if (connection.Congestion.InFastRecovery && connection.SackPermitted)
                {
                    RetransmitSackHole(connection);
                }
            }
            // Window update (RFC 9293 3.10.7.4): only from a segment newer than the one that last set it.
            if (TcpSequence.Less(connection.SendWindowSequence, segment.Sequence)
                || (connection.SendWindowSequence == segment.Sequence && TcpSequence.LessOrEqual(connection.SendWindowAcknowledgment, acknowledgment)))
            {
                bool opened = connection.SendWindow == 0 && newWindow > 0;
                connection.SendWindow = newWindow;
                connection.SendWindowSequence = segment.Sequence;
                connection.SendWindowAcknowledgment = acknowledgment;
                if (newWindow > connection.MaximumSendWindow)
                    connection.MaximumSendWindow = newWindow;
                if (opened)
                {
                    connection.PersistDeadline = TcpConnection.NoDeadline;
                    connection.PersistBackoffs = 0;
                    MarkChanged(connection);
                }
            }
            if (connection.FinAcknowledged)
            {
                switch (connection.State)
                {
                    case TcpState.FinWait1:
                        connection.State = TcpState.FinWait2;
                        connection.RetransmitDeadline = TcpConnection.NoDeadline;
                        if (!connection.Owned)
                            connection.FinWait2Deadline = _now + TcpLimits.OrphanFinWait2Timeout;
                        MarkChanged(connection);
                        break;
                    case TcpState.Closing:
                        EnterTimeWait(connection);
                        break;
                    case TcpState.LastAck:
                        CloseGracefully(connection);
                        return false;
                }
            }
            return true;
        }

        private static void NoteSack(TcpConnection connection, in TcpSegment segment)
        {
            for (int b = 0; b < segment.SackBlockCount; b++)
                connection.Scoreboard.Add(segment.SackLeft[b], segment.SackRight[b], connection.SendUnacknowledged, connection.SendMaximum);
        }

        /// <summary>
        /// In fast recovery with SACK, each further duplicate ACK resends the next segment of a hole the peer's SACK
        /// blocks show (below the highest SACKed byte, after what recovery resent already).
        /// </summary>
        private void RetransmitSackHole(TcpConnection connection)
        {
            uint from = TcpSequence.Max(connection.Scoreboard.RetransmitNext, connection.SendUnacknowledged);
            if (!connection.Scoreboard.NextHole(from, connection.SendUnacknowledged, SegmentPayload(connection), out uint start, out int length))
                return;
            int offset = (int)(start - connection.SendUnacknowledged);
            if (offset + length > connection.SendBuffer.Count)
                length = connection.SendBuffer.Count - offset;
            if (length <= 0)
                return;
            Transmit(connection, start, TcpFlags.Acknowledgment, offset, length);
            Statistics.SackRetransmissions++;
            Statistics.Retransmissions++;
            connection.Timing = false;
            connection.Scoreboard.RetransmitNext = start + (uint)length;
        }

        /// <summary>Segment text in ESTABLISHED, FIN-WAIT-1 or FIN-WAIT-2: stored in order or out of order; ACK scheduled.</summary>
        private bool ProcessPayload(TcpConnection connection, in TcpSegment segment)
        {
            if (!connection.CanReceiveData)
                return true;   // CLOSE-WAIT and later: the peer's FIN came first; the text is ignored (RFC 9293 3.10.7.4)
            if (!connection.Owned && connection.Parent == TcpConnection.NoSlot)
            {
                // Linux: new data for a connection its owner closed cannot be read by anyone: reset.
                if (TcpSequence.Greater(segment.Sequence + (uint)segment.PayloadLength, connection.ReceiveNext))
                {
                    Fail(connection, Error.ConnectionReset, true);
                    return false;
                }
                return true;
            }
            if (!connection.ReceiveBuffer.IsAttached)
                return true;
            int offset = (int)(segment.Sequence - connection.ReceiveNext);
            byte* data = segment.Payload;
            int length = segment.PayloadLength;
            if (offset < 0)
            {
                data -= offset;
                length += offset;
                offset = 0;
            }
            if (length <= 0)
            {
                Statistics.DuplicateSegments++;
                connection.AcknowledgeNow = true;
                return true;
            }
            bool hadHoles = connection.ReceiveBuffer.OutOfOrderRanges > 0;
            int advanced = connection.ReceiveBuffer.Insert(offset, data, length);
            if (advanced > 0)
            {
                connection.ReceiveNext += (uint)advanced;
                MarkChanged(connection);
                if (hadHoles)
                {
                    connection.AcknowledgeNow = true;   // RFC 5681 4.2: ACK at once when a hole fills
                }
                else
                {
                    // RFC 1122 4.2.3.2 / RFC 5681 4.2: ACK at least every second full-sized segment, else within the delay.
                    if (length >= connection.AdvertisedSegmentSize || advanced >= connection.AdvertisedSegmentSize)
                        connection.UnacknowledgedSegments++;
                    if (connection.UnacknowledgedSegments >= 2)
                        AcknowledgeSecondSegment(connection);
                    else if (connection.DelayedAcknowledgmentDeadline == TcpConnection.NoDeadline)
                    {
                        connection.DelayedAcknowledgmentDeadline = _now + TcpLimits.DelayedAcknowledgmentTimeout;
                        Statistics.DelayedAcknowledgments++;
                    }
                }
            }
            else if (advanced == 0)
            {
                Statistics.OutOfOrderSegments++;
                connection.AcknowledgeNow = true;   // a duplicate ACK with SACK blocks tells the sender at once
            }
            else
            {
                Statistics.OutOfOrderDropped++;
                connection.AcknowledgeNow = true;
            }
            return true;
        }

        /// <summary>The peer's FIN at 'finSequence': applied now if everything before it arrived, else remembered.</summary>
        private void FinArrived(TcpConnection connection, uint finSequence)
        {
            switch (connection.State)
            {
                case TcpState.CloseWait:
                case TcpState.Closing:
                case TcpState.LastAck:
                    connection.AcknowledgeNow = true;   // a retransmitted FIN: our ACK was lost
                    return;
                case TcpState.TimeWait:
                    connection.AcknowledgeNow = true;
                    RestartTimeWait(connection);   // RFC 9293: restart the 2 MSL timeout
                    Output(connection);
                    return;
            }
            if (finSequence == connection.ReceiveNext)
                ApplyFin(connection);
            else if (TcpSequence.Greater(finSequence, connection.ReceiveNext))
            {
                connection.FinPending = true;
                connection.FinReceivedSequence = finSequence;
                connection.AcknowledgeNow = true;
            }
        }

        private void ApplyFin(TcpConnection connection)
        {
            connection.FinPending = false;
            connection.FinReceived = true;
            connection.ReceiveNext++;
            connection.AcknowledgeNow = true;
            switch (connection.State)
            {
                case TcpState.SynReceived:
                case TcpState.Established:
                    connection.State = TcpState.CloseWait;
                    break;
                case TcpState.FinWait1:
                    if (connection.FinAcknowledged)
                        EnterTimeWait(connection);
                    else
                        connection.State = TcpState.Closing;   // simultaneous close
                    break;
                case TcpState.FinWait2:
                    EnterTimeWait(connection);
                    break;
            }
            MarkChanged(connection);
        }

        private void ArmKeepAlive(TcpConnection connection)
        {
            if (connection.KeepAlive && (connection.State == TcpState.Established || connection.State == TcpState.CloseWait))
                connection.KeepAliveDeadline = connection.LastReceived + (long)connection.KeepAliveIdleSeconds * 1000;
            else
                connection.KeepAliveDeadline = TcpConnection.NoDeadline;
        }
    }
}
