namespace Exo.Network
{
    /// <summary>
    /// Unpredictable-enough numbers for DHCP transaction ids, DNS query ids and the first ephemeral port (xorshift64*,
    /// seeded from the MAC address and the clock): not cryptographic, but a DNS id an off-path guesser must search for.
    /// </summary>
    public sealed class NetworkRandom
    {
        private ulong _state;

        public NetworkRandom(ulong seed) { _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed; }

        /// <summary>Mixes more entropy in (a receive time, a frame's checksum).</summary>
        public void Stir(ulong value) { _state ^= value * 0x9E3779B97F4A7C15UL; if (_state == 0) _state = 1; }

        public ulong Next()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }
    }
}
