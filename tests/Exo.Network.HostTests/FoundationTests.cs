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
        public void Checksum_of_odd_length_pads_with_zero()
        {
            byte[] odd = { 0x12, 0x34, 0x56 };
            byte[] even = { 0x12, 0x34, 0x56, 0x00 };
            fixed (byte* a = odd)
            fixed (byte* b = even)
                Assert.Equal(InternetChecksum.Compute(b, 4), InternetChecksum.Compute(a, 3));
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
