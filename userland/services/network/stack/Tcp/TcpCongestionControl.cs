namespace Exo.Network
{
    /// <summary>
    /// NewReno congestion control (RFC 5681 slow start and congestion avoidance, fast retransmit; RFC 6582 fast
    /// recovery with partial acknowledgments), in bytes. The connection reports acknowledgments, duplicate ACKs and
    /// timeouts and asks for the congestion window; this decides when to retransmit fast and how the window moves.
    /// </summary>
    public struct TcpCongestionControl
    {
        public int CongestionWindow;
        public int SlowStartThreshold;
        public int DuplicateAcknowledgments;
        /// <summary>
        /// RFC 3042 limited transmit: the first and second duplicate ACKs each let one new segment go beyond the
        /// congestion window, so that a small window still produces the third duplicate ACK fast retransmit needs.
        /// </summary>
        public int LimitedTransmitSegments => InFastRecovery || DuplicateAcknowledgments >= TcpLimits.DuplicateAcknowledgmentThreshold ? 0 : DuplicateAcknowledgments;

        /// <summary>The window the sender may fill: the congestion window plus what limited transmit allows.</summary>
        public int SendableWindow => CongestionWindow + LimitedTransmitSegments * _segmentSize;
        public bool InFastRecovery;
        /// <summary>RFC 6582's "recover": the highest sequence sent when loss was detected.</summary>
        public uint Recover;
        private int _segmentSize;
        /// <summary>Bytes acknowledged during congestion avoidance, counted toward the next whole-segment increase (RFC 5681 3.1 "appropriate byte counting").</summary>
        private int _acknowledgedInAvoidance;

        public void Reset(int segmentSize, uint initialSequence)
        {
            _segmentSize = segmentSize;
            CongestionWindow = TcpLimits.InitialWindowSegments * segmentSize;
            SlowStartThreshold = int.MaxValue;   // RFC 5681 3.1: arbitrarily high at first
            DuplicateAcknowledgments = 0;
            InFastRecovery = false;
            Recover = initialSequence;
            _acknowledgedInAvoidance = 0;
        }

        public void SetSegmentSize(int segmentSize)
        {
            _segmentSize = segmentSize;
            if (CongestionWindow < segmentSize)
                CongestionWindow = segmentSize;
        }

        private static int Half(int flight, int segmentSize)
        {
            int half = flight / 2;
            return half > 2 * segmentSize ? half : 2 * segmentSize;   // RFC 5681 (4)
        }

        /// <summary>
        /// New data was acknowledged ('acknowledged' bytes; 'flight' is what remains outstanding). Returns true when
        /// this was a partial acknowledgment in fast recovery: the caller resends the first unacknowledged segment.
        /// </summary>
        public bool OnNewAcknowledgment(uint acknowledgment, int acknowledged, int flight)
        {
            DuplicateAcknowledgments = 0;
            if (InFastRecovery)
            {
                if (TcpSequence.GreaterOrEqual(acknowledgment, Recover))
                {
                    // RFC 6582 3.2 step 3, full acknowledgment: deflate to min(ssthresh, flight + SMSS).
                    int deflated = flight + _segmentSize;
                    CongestionWindow = SlowStartThreshold < deflated ? SlowStartThreshold : deflated;
                    InFastRecovery = false;
                    return false;
                }
                // Partial acknowledgment: deflate by what was acknowledged, add back one segment if that was at least one.
                CongestionWindow -= acknowledged;
                if (acknowledged >= _segmentSize)
                    CongestionWindow += _segmentSize;
                if (CongestionWindow < _segmentSize)
                    CongestionWindow = _segmentSize;
                return true;
            }
            if (CongestionWindow < SlowStartThreshold)
            {
                // Slow start: grow by what was acknowledged, at most one segment per ACK (RFC 5681 (2)).
                CongestionWindow += acknowledged < _segmentSize ? acknowledged : _segmentSize;
            }
            else
            {
                // Congestion avoidance: one segment per window's worth of acknowledged bytes.
                _acknowledgedInAvoidance += acknowledged;
                if (_acknowledgedInAvoidance >= CongestionWindow)
                {
                    _acknowledgedInAvoidance -= CongestionWindow;
                    CongestionWindow += _segmentSize;
                }
            }
            if (CongestionWindow > TcpLimits.MaximumBufferSize * 2)
                CongestionWindow = TcpLimits.MaximumBufferSize * 2;   // no use beyond any window we could see
            return false;
        }

        /// <summary>
        /// A duplicate ACK arrived with 'flight' bytes outstanding and 'highestSent' the highest sequence sent. Returns
        /// true when the caller must retransmit the first unacknowledged segment now (the third duplicate).
        /// </summary>
        public bool OnDuplicateAcknowledgment(int flight, uint highestSent, uint acknowledgment)
        {
            DuplicateAcknowledgments++;
            if (InFastRecovery)
            {
                CongestionWindow += _segmentSize;   // RFC 6582 3.2 step 4: inflate for each segment that left the network
                return false;
            }
            if (DuplicateAcknowledgments != TcpLimits.DuplicateAcknowledgmentThreshold)
                return false;
            // RFC 6582 3.2 step 2: only when the ACK covers more than 'recover' (not a loss already handled by a timeout).
            if (!TcpSequence.Greater(acknowledgment, Recover))
                return false;
            SlowStartThreshold = Half(flight, _segmentSize);
            CongestionWindow = SlowStartThreshold + TcpLimits.DuplicateAcknowledgmentThreshold * _segmentSize;
            Recover = highestSent;
            InFastRecovery = true;
            return true;
        }

        /// <summary>The retransmission timer expired (RFC 5681 (4) and 3.1): one segment, half the flight as threshold.</summary>
        public void OnTimeout(int flight, uint highestSent)
        {
            SlowStartThreshold = Half(flight, _segmentSize);
            CongestionWindow = _segmentSize;
            DuplicateAcknowledgments = 0;
            InFastRecovery = false;
            Recover = highestSent;
            _acknowledgedInAvoidance = 0;
        }
    }
}
