using System.Runtime.InteropServices;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    /// <summary>TCP over the stack's own loopback (IP layer and all): segments that stay in the host carry no checksum, as on Linux.</summary>
    public unsafe class TcpLoopbackTests
    {
        private static TcpStack AddTcp(TestHost host)
        {
            ulong bytes = TcpStack.WorkspaceBytes(64, 4 << 20);
            byte* workspace = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
            Assert.Equal(Error.None, TcpStack.Create(host.Stack.Transmitter, host.Clock, 1, 2, 64, workspace, bytes, out TcpStack tcp));
            Assert.Equal(Error.None, host.Stack.RegisterProtocol(tcp));
            Assert.Equal(Error.None, host.Stack.RegisterTimer(tcp));
            return tcp;
        }

        [Theory]
        [InlineData(127, 0, 0, 1)]
        [InlineData(10, 0, 0, 1)]   // the host's own address is local too
        public void A_connection_to_this_host_carries_data_without_checksums(byte a, byte b, byte c, byte d)
        {
            var hosts = new TwoHosts();
            TcpStack tcp = AddTcp(hosts.A);
            var to = new Ipv4Address(a, b, c, d);
            Assert.True(hosts.A.Stack.Transmitter.IsLocal(to));
            Assert.False(hosts.A.Stack.Transmitter.IsLocal(TwoHosts.AddressB));
            int listener = TcpTestSockets.Listen(tcp, 8080);
            Assert.Equal(Error.None, tcp.Open(out int client));
            Assert.Equal(Error.InProgress, tcp.Connect(client, to, 8080));
            int server = -1;
            for (int turn = 0; turn < 20 && server < 0; turn++)
            {
                hosts.A.Stack.Poll();
                tcp.Accept(listener, out server, out _, out _);
            }
            Assert.True(server >= 0, "the loopback connection was not accepted");
            byte[] data = TcpTestSockets.Pattern(5000, 7);
            Assert.Equal(5000, TcpTestSockets.Write(tcp, client, data, 0, 5000));
            var got = new byte[5000];
            int have = 0;
            for (int turn = 0; turn < 200 && have < got.Length; turn++)
            {
                hosts.Clock.NowMilliseconds += 10;   // delayed ACKs fall due
                hosts.A.Stack.Poll();
                int n = TcpTestSockets.Read(tcp, server, got, have);
                if (n > 0)
                    have += n;
            }
            Assert.Equal(data, got);
            Assert.Equal(0, tcp.Statistics.BadChecksums);
        }

        [Fact]
        public void A_segment_from_the_wire_with_no_checksum_is_still_refused()
        {
            var hosts = new TwoHosts();
            TcpStack tcp = AddTcp(hosts.B);
            TcpTestSockets.Listen(tcp, 80);
            // A SYN from A's address to B with its checksum field zero: only the loopback queue may skip the check.
            byte[] segment = TcpTestSockets.BuildSegment(TwoHosts.AddressA, TwoHosts.AddressB, 40000, 80, 1000, 0, TcpFlags.Synchronize, 65535);
            segment[16] = 0;
            segment[17] = 0;
            var udp = hosts.A.Stack.Transmitter;
            fixed (byte* p = segment)
                Assert.Equal(Error.None, udp.Send(IpProtocol.Tcp, TwoHosts.AddressA, TwoHosts.AddressB, p, segment.Length));
            hosts.Run();
            Assert.Equal(1, tcp.Statistics.BadChecksums);
            Assert.Equal(0, tcp.Statistics.SynCookiesSent + tcp.Statistics.PassiveOpens);
        }
    }
}
