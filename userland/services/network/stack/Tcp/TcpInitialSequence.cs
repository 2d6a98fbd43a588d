namespace Exo.Network
{
    /// <summary>
    /// Initial sequence numbers as RFC 6528 asks: ISN = M + F(local address, local port, remote address, remote port,
    /// secret), M a 4-microsecond timer and F a keyed hash, so that an off-path attacker cannot guess a connection's
    /// ISN while a new incarnation of the same connection still starts above the old one's numbers. F here is a
    /// 64-bit multiply-xorshift mixer keyed with the stack's 128-bit secret (not cryptographic; the RFC suggests MD5
    /// at least, and a stronger keyed hash can replace Mix without changing anything else).
    /// </summary>
    public readonly struct TcpInitialSequence
    {
        private readonly ulong _key0, _key1;

        public TcpInitialSequence(ulong key0, ulong key1)
        {
            _key0 = key0;
            _key1 = key1;
        }

        public uint Next(long nowMilliseconds, Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort)
        {
            uint timer = (uint)(nowMilliseconds * TcpLimits.InitialSequenceTicksPerMillisecond);
            return timer + Hash(local, localPort, remote, remotePort);
        }

        /// <summary>The keyed hash of a connection's four values (also usable to pick an ephemeral port's starting point).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]   // every segment's lookup
        public uint Hash(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort)
        {
            ulong value = Mix(_key0 ^ ((ulong)local.Value << 32 | remote.Value));
            value = Mix(value ^ _key1 ^ ((ulong)localPort << 16 | remotePort));
            return (uint)(value ^ value >> 32);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong Mix(ulong value)
        {
            // SplitMix64's finalizer: every input bit affects every output bit.
            value ^= value >> 30;
            value *= 0xBF58476D1CE4E5B9UL;
            value ^= value >> 27;
            value *= 0x94D049BB133111EBUL;
            return value ^ value >> 31;
        }
    }
}
