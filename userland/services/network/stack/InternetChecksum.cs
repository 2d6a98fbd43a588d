namespace Exo.Network
{
    /// <summary>
    /// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. Sums are
    /// kept unfolded in a 64-bit accumulator so that pieces (a pseudo-header, a header, a payload) can be added
    /// separately and folded once. A piece of odd length is padded with a zero byte, so only the last piece may be odd.
    /// </summary>
    public static unsafe class InternetChecksum
    {
        // The service's faster sum of the same meaning as LittleEndianSum (netstack: an add-with-carry chain in
        // assembly, Exo.Std.Net.OnesComplement); null in the host tests, which run the portable loop.
        private static delegate*<byte*, int, ulong> s_accelerated;
        private const int AcceleratedMinimumLength = 128;

        /// <summary>Sums with 'sum' from now on: it must give what <see cref="LittleEndianSum"/> gives for every input.
        /// Set once, before the stack runs.</summary>
        public static void Accelerate(delegate*<byte*, int, ulong> sum) => s_accelerated = sum;

        /// <summary>Adds 'length' bytes to 'sum' as big-endian 16-bit words.</summary>
        /// <remarks>
        /// The ones' complement sum commutes with a byte swap (RFC 1071 section 2(B)), so the bytes are summed in the
        /// machine's order and the folded sum is swapped once; a fold of a nonzero sum is never zero, so the result is
        /// the same as adding big-endian words one by one.
        /// </remarks>
        public static ulong Add(ulong sum, byte* bytes, int length)
        {
            // Headers alone (an IP header, an ACK) cost less in the loop than the call to the accelerated sum.
            var accelerated = s_accelerated;
            ulong native = accelerated != null && length >= AcceleratedMinimumLength ? accelerated(bytes, length) : LittleEndianSum(bytes, length);
            return sum + (ushort)(native << 8 | native >> 8);
        }

        /// <summary>
        /// The portable sum of 'length' bytes as little-endian 16-bit words (a lone last byte as a low byte), folded to
        /// 16 bits. Every payload byte passes through here once on receive and once on send, so it reads eight bytes
        /// at a time: each 32-bit half of a load goes into a 64-bit accumulator, which cannot overflow below 4 GiB.
        /// </summary>
        public static ulong LittleEndianSum(byte* bytes, int length)
        {
            ulong native = 0;
            int i = 0;
            for (; i + 32 <= length; i += 32)
            {
                ulong a = *(ulong*)(bytes + i), b = *(ulong*)(bytes + i + 8);
                ulong c = *(ulong*)(bytes + i + 16), d = *(ulong*)(bytes + i + 24);
                native += (uint)a + (a >> 32) + (uint)b + (b >> 32) + (uint)c + (c >> 32) + (uint)d + (d >> 32);
            }
            for (; i + 8 <= length; i += 8)
            {
                ulong a = *(ulong*)(bytes + i);
                native += (uint)a + (a >> 32);
            }
            if (i + 4 <= length)
            {
                native += *(uint*)(bytes + i);
                i += 4;
            }
            if (i + 2 <= length)
            {
                native += *(ushort*)(bytes + i);
                i += 2;
            }
            if (i < length)
                native += bytes[i];   // a lone last byte is the high byte of its big-endian word: the low byte here
            while (native >> 16 != 0)
                native = (native & 0xFFFF) + (native >> 16);
            return native;
        }

        /// <summary>Adds the IPv4 pseudo-header TCP and UDP checksums cover (RFC 793, RFC 768).</summary>
        public static ulong AddPseudoHeader(ulong sum, Ipv4Address source, Ipv4Address destination, byte protocol, int transportLength) =>
            sum + (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF)
                + protocol + (uint)transportLength;

        /// <summary>The checksum field's value for a sum: folded to 16 bits and complemented.</summary>
        public static ushort Finish(ulong sum)
        {
            while (sum >> 16 != 0)
                sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }

        /// <summary>The checksum of one buffer. A buffer that includes a correct checksum field gives 0.</summary>
        public static ushort Compute(byte* bytes, int length) => Finish(Add(0, bytes, length));

        /// <summary>
        /// <see cref="Compute"/> of a 20-byte IPv4 header (no options), the common case, in straight-line code: every
        /// datagram's header is summed once when sent and once when received, and the general loop cost three times this.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ushort ComputeMinimumHeader(byte* header)
        {
            ulong a = *(ulong*)header, b = *(ulong*)(header + 8);
            ulong native = (uint)a + (a >> 32) + (uint)b + (b >> 32) + *(uint*)(header + 16);   // below 2^35
            native = (native & 0xFFFF) + (native >> 16);   // below 2^20
            native = (native & 0xFFFF) + (native >> 16);   // at most 0xFFFF + 0xF
            native = (native & 0xFFFF) + (native >> 16);   // 16 bits
            return (ushort)~(ushort)(native << 8 | native >> 8);
        }
    }
}
