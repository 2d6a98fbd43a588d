namespace Exo.Network
{
    /// <summary>
    /// SYN cookies (RFC 4987 3.6): when a listener's half-open limits are reached, the SYN-ACK's sequence number
    /// carries what the connection needs, so that no state is kept until the final ACK proves the client real:
    /// bits 31-27 a 64-second time counter, bits 26-24 an MSS index, bits 23-0 a keyed hash of the four values, the
    /// counter and the client's ISN. The final ACK is believed for two counter periods. What a cookie cannot carry
    /// (window scaling, SACK) is off for such a connection, as with Linux's cookies without timestamps.
    /// </summary>
    public readonly struct TcpSynCookies
    {
        /// <summary>The counter advances every 64 s; a cookie is good in the current and the previous period.</summary>
        public const int PeriodMilliseconds = 64_000;
        private const int CounterBits = 5, CounterShift = 27, IndexShift = 24;
        private const uint HashMask = 0xFF_FFFF;

        private const int SegmentSizeCount = 8;

        /// <summary>The MSS values a cookie can name (3 bits), ascending: the largest not above the client's is used.</summary>
        private static int SegmentSizeAt(uint index)
        {
            switch (index)
            {
                case 0: return 216;
                case 1: return 536;
                case 2: return 1024;
                case 3: return 1220;
                case 4: return 1360;
                case 5: return 1440;
                case 6: return 1460;
                default: return 8960;
            }
        }

        private readonly TcpInitialSequence _hash;

        public TcpSynCookies(TcpInitialSequence hash) { _hash = hash; }

        private static uint Counter(long nowMilliseconds) => (uint)(nowMilliseconds / PeriodMilliseconds) & ((1u << CounterBits) - 1);

        private uint Hash(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, uint counter, uint clientSequence) =>
            (_hash.Hash(local, localPort, remote, remotePort) ^ _hash.Hash(new Ipv4Address(clientSequence), (ushort)counter, remote, (ushort)(counter >> 16))) & HashMask;

        /// <summary>The cookie (our ISN) for a SYN with ISN 'clientSequence' offering 'segmentSize' (0: none offered).</summary>
        public uint Make(long nowMilliseconds, Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, uint clientSequence, int segmentSize)
        {
            if (segmentSize == 0)
                segmentSize = TcpLimits.DefaultSendMaximumSegmentSize;
            uint index = 0;
            for (uint i = 0; i < SegmentSizeCount; i++)
                if (SegmentSizeAt(i) <= segmentSize)
                    index = i;
            uint counter = Counter(nowMilliseconds);
            return counter << CounterShift | index << IndexShift | Hash(local, localPort, remote, remotePort, counter, clientSequence);
        }

        /// <summary>
        /// Checks the ACK completing a cookie handshake: 'cookie' is SEG.ACK - 1 and 'clientSequence' SEG.SEQ - 1.
        /// Gives the MSS the cookie named when it is genuine and recent.
        /// </summary>
        public bool Check(long nowMilliseconds, Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, uint clientSequence,
            uint cookie, out int segmentSize)
        {
            segmentSize = 0;
            uint counter = cookie >> CounterShift;
            uint current = Counter(nowMilliseconds);
            uint age = (current - counter) & ((1u << CounterBits) - 1);
            if (age > 1)
                return false;
            if ((cookie & HashMask) != Hash(local, localPort, remote, remotePort, counter, clientSequence))
                return false;
            segmentSize = SegmentSizeAt((cookie >> IndexShift) & (SegmentSizeCount - 1));
            return true;
        }
    }
}
