namespace Exo.Audio.Mixing
{
    /// <summary>
    /// Latencies (or lateness) in microseconds, counted in buckets 64 us wide up to 262 ms (the last bucket takes the
    /// rest): percentiles to the bucket's upper edge, no allocation after construction (the counts are inline).
    /// </summary>
    public unsafe struct LatencyHistogram
    {
        public const int Buckets = 4096;
        public const int BucketMicroseconds = 64;
        private fixed uint _counts[Buckets];
        public ulong Count;
        public ulong Maximum;

        public void Add(ulong microseconds)
        {
            ulong bucket = microseconds / BucketMicroseconds;
            _counts[bucket >= Buckets ? Buckets - 1 : (int)bucket]++;
            Count++;
            if (microseconds > Maximum)
                Maximum = microseconds;
        }

        /// <summary>The 'percent'th percentile (1..100) in microseconds: the upper edge of its bucket; 0 with no samples.</summary>
        public ulong Percentile(int percent)
        {
            if (Count == 0)
                return 0;
            ulong rank = (Count * (ulong)percent + 99) / 100;
            ulong seen = 0;
            for (int i = 0; i < Buckets; i++)
            {
                seen += _counts[i];
                if (seen >= rank)
                    return (ulong)(i + 1) * BucketMicroseconds;
            }
            return Maximum;
        }
    }
}
