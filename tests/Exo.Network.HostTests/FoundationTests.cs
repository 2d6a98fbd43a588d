using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class FoundationTests
    {
        [Fact]
        public void Checksum_of_rfc1071_example_and_a_verified_header()
        {
            // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (folded); the checksum is its complement.
            byte[] data = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
            fixed (byte* p = data)
                Assert.Equal(unchecked((ushort)~0xddf2), InternetChecksum.Compute(p, data.Length));

            // A real IPv4 header (checksum 0xb861 in place) verifies to zero.
            byte[] header = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
            fixed (byte* p = header)
                Assert.Equal(0, InternetChecksum.Compute(p, header.Length));
        }

        [Fact]
        public void Minimum_header_checksum_equals_the_general_one()
        {
            // The straight-line 20-byte sum against the general loop: random headers, and the extremes (all zeros, all ones).
            var random = new System.Random(20261206);
            byte[] header = new byte[20];
            fixed (byte* p = header)
            {
                for (int round = 0; round < 20000; round++)
                {
                    byte fill = round == 0 ? (byte)0 : (byte)0xFF;
                    if (round < 2)
                        System.Array.Fill(header, fill);
                    else
                        random.NextBytes(header);
                    Assert.Equal(InternetChecksum.Compute(p, header.Length), InternetChecksum.ComputeMinimumHeader(p));
                }
            }
        }

        [Fact]
        public void Checksum_of_odd_length_pads_with_zero()
        {
            byte[] odd = { 0x12, 0x34, 0x56 };
            byte[] even = { 0x12, 0x34, 0x56, 0x00 };
            fixed (byte* a = odd)
            fixed (byte* b = even)
                Assert.Equal(InternetChecksum.Compute(b, 4), InternetChecksum.Compute(a, 3));
        }

        // RFC 1071's definition, one big-endian word at a time: what the eight-bytes-a-turn sum must agree with.
        private static ushort WordByWordChecksum(byte[] data, int offset, int length, ulong sum = 0)
        {
            int i = 0;
            for (; i + 1 < length; i += 2)
                sum += (uint)(data[offset + i] << 8 | data[offset + i + 1]);
            if (i < length)
                sum += (uint)data[offset + i] << 8;
            while (sum >> 16 != 0)
                sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }

        [Fact]
        public void Checksum_agrees_with_the_word_by_word_sum_at_every_length_and_alignment()
        {
            var random = new System.Random(1071);
            var data = new byte[70000];
            foreach (byte fill in new byte[] { 0x00, 0xFF })
            {
                System.Array.Fill(data, fill);   // all zeros (sum 0) and all ones (sum 0xFFFF: never folded to 0)
                fixed (byte* p = data)
                    foreach (int length in new[] { 0, 1, 2, 3, 7, 8, 9, 31, 32, 33, 1500, 65535 })
                        Assert.Equal(WordByWordChecksum(data, 0, length), InternetChecksum.Compute(p, length));
            }
            random.NextBytes(data);
            fixed (byte* p = data)
            {
                for (int length = 0; length <= 300; length++)
                    for (int offset = 0; offset < 8; offset++)
                        Assert.Equal(WordByWordChecksum(data, offset, length), InternetChecksum.Compute(p + offset, length));
                foreach (int length in new[] { 1460, 1480, 8192, 65535, 65536 })
                    Assert.Equal(WordByWordChecksum(data, 3, length), InternetChecksum.Compute(p + 3, length));
                // Pieces added one after another (a pseudo-header's sum, then even pieces, then an odd last one).
                for (int trial = 0; trial < 200; trial++)
                {
                    int first = random.Next(0, 100) * 2, second = random.Next(0, 1600);
                    ulong start = (ulong)random.Next();
                    ulong pieces = InternetChecksum.Add(InternetChecksum.Add(start, p, first), p + first, second);
                    Assert.Equal(WordByWordChecksum(data, 0, first + second, start), InternetChecksum.Finish(pieces));
                }
            }
        }

        [Fact]
        public void Addresses_read_and_write_in_network_order()
        {
            byte* bytes = stackalloc byte[6];
            var address = new Ipv4Address(10, 0, 2, 15);
            Assert.Equal(0x0A00020Fu, address.Value);
            address.Write(bytes);
            Assert.Equal(10, bytes[0]);
            Assert.Equal(15, bytes[3]);
            Assert.True(Ipv4Address.Read(bytes) == address);
            Assert.True(address.SameNetwork(new Ipv4Address(10, 0, 2, 2), 24));
            Assert.False(address.SameNetwork(new Ipv4Address(10, 0, 3, 2), 24));
            Assert.Equal(0xFFFFFF00u, Ipv4Address.PrefixMask(24));
            Assert.Equal(0u, Ipv4Address.PrefixMask(0));

            var mac = new MacAddress(0x5254_0012_3456);
            mac.Write(bytes);
            Assert.Equal(0x52, bytes[0]);
            Assert.Equal(0x56, bytes[5]);
            Assert.True(MacAddress.Read(bytes) == mac);
            Assert.False(mac.IsMulticast);
            Assert.True(MacAddress.Broadcast.IsMulticast);
        }
    }
}
