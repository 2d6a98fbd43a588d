namespace Exo.Network
{
    /// <summary>
    /// The retransmission timeout of RFC 6298: SRTT and RTTVAR from RTT samples (alpha 1/8, beta 1/4, K = 4),
    /// RTO = SRTT + max(G, 4 RTTVAR) bounded by TcpLimits' floor and ceiling, and the exponential back-off a timeout
    /// applies until a new sample (5.5, 5.7). Karn's rule (samples only from segments sent once) is the caller's:
    /// it times one segment at a time and forgets it when anything is retransmitted.
    /// </summary>
    public struct TcpRoundTripEstimator
    {
        /// <summary>Smoothed RTT and its variation in milliseconds; SRTT is 0 until the first sample.</summary>
        public int SmoothedRoundTrip, RoundTripVariation;
        private int _baseTimeout;
        private int _backoffShift;

        public bool HasSample => SmoothedRoundTrip != 0 || RoundTripVariation != 0;
        /// <summary>Consecutive back-offs since the last sample or new acknowledgment.</summary>
        public int Backoffs => _backoffShift;

        public void Reset()
        {
            SmoothedRoundTrip = 0;
            RoundTripVariation = 0;
            _baseTimeout = TcpLimits.InitialRetransmissionTimeout;
            _backoffShift = 0;
        }

        /// <summary>The current RTO with its back-off applied.</summary>
        public int Timeout
        {
            get
            {
                long timeout = (long)(_baseTimeout == 0 ? TcpLimits.InitialRetransmissionTimeout : _baseTimeout) << _backoffShift;
                return timeout > TcpLimits.MaximumRetransmissionTimeout ? TcpLimits.MaximumRetransmissionTimeout : (int)timeout;
            }
        }

        /// <summary>Takes one RTT measurement (milliseconds).</summary>
        public void Sample(int roundTrip)
        {
            if (roundTrip < 0)
                return;
            if (!HasSample)
            {
                // 2.2: SRTT = R, RTTVAR = R/2 (a sample of 0 ms counts as 1 so that "no sample" stays distinguishable).
                SmoothedRoundTrip = roundTrip == 0 ? 1 : roundTrip;
                RoundTripVariation = roundTrip / 2;
            }
            else
            {
                // 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT = 7/8 SRTT + 1/8 R'.
                int difference = SmoothedRoundTrip - roundTrip;
                if (difference < 0)
                    difference = -difference;
                RoundTripVariation = (3 * RoundTripVariation + difference) / 4;
                SmoothedRoundTrip = (7 * SmoothedRoundTrip + roundTrip) / 8;
                if (SmoothedRoundTrip == 0)
                    SmoothedRoundTrip = 1;
            }
            int variation = 4 * RoundTripVariation;
            long timeout = (long)SmoothedRoundTrip + (variation > TcpLimits.ClockGranularity ? variation : TcpLimits.ClockGranularity);
            if (timeout < TcpLimits.MinimumRetransmissionTimeout)
                timeout = TcpLimits.MinimumRetransmissionTimeout;
            if (timeout > TcpLimits.MaximumRetransmissionTimeout)
                timeout = TcpLimits.MaximumRetransmissionTimeout;
            _baseTimeout = (int)timeout;
            _backoffShift = 0;
        }

        /// <summary>5.5: the timer expired; the next RTO is twice as long (up to the ceiling).</summary>
        public void BackOff()
        {
            if (Timeout < TcpLimits.MaximumRetransmissionTimeout)
                _backoffShift++;
        }

        /// <summary>New data was acknowledged: the back-off ends (Linux does this too, not waiting for a sample).</summary>
        public void ClearBackoff() => _backoffShift = 0;
    }
}
