namespace Exo.Network
{
    /// <summary>
    /// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. Sums are
    /// kept unfolded in a 64-bit accumulator so that pieces (a pseudo-header, a header, a payload) can be added
    /// separately and folded once. A piece of odd length is padded with a zero byte, so only the last piece may be odd.
    /// </summary>
    public static unsafe class InternetChecksum
    {
        /// <summary>Adds 'length' bytes to 'sum' as big-endian 16-bit words.</summary>
        public static ulong Add(ulong sum, byte* bytes, int length)
        {
            int i = 0;
            for (; i + 1 < length; i += 2)
                sum += (uint)(bytes[i] << 8 | bytes[i + 1]);
            if (i < length)
                sum += (uint)bytes[i] << 8;
            return sum;
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
    }
}
