namespace Exo.Network
{
    /// <summary>
    /// Sequence number arithmetic modulo 2^32 (RFC 9293 3.4): 'a' is before 'b' when the signed 32-bit difference is
    /// negative, which is right as long as the two are less than 2^31 apart (windows are at most 2^30).
    /// </summary>
    public static class TcpSequence
    {
        public static bool Less(uint a, uint b) => (int)(a - b) < 0;
        public static bool LessOrEqual(uint a, uint b) => (int)(a - b) <= 0;
        public static bool Greater(uint a, uint b) => (int)(a - b) > 0;
        public static bool GreaterOrEqual(uint a, uint b) => (int)(a - b) >= 0;

        /// <summary>low &lt;= value &lt; high, modulo 2^32.</summary>
        public static bool InRange(uint value, uint low, uint high) => value - low < high - low;

        public static uint Max(uint a, uint b) => Greater(a, b) ? a : b;
        public static uint Min(uint a, uint b) => Less(a, b) ? a : b;
    }
}
