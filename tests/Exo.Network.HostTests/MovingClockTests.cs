using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    /// <summary>
    /// The scenarios again with a clock that moves a millisecond every time it is read, as a real one does: a deadline
    /// computed from one reading and compared with another must still fire (the guest self-test found one that did not).
    /// </summary>
    public unsafe class MovingClockTests
    {
        private static TwoHosts Hosts()
        {
            var hosts = new TwoHosts();
            hosts.Clock.StepPerRead = 1;
            return hosts;
        }

        [Fact]
        public void Loopback_ping_and_udp()
        {
            var hosts = Hosts();
            byte[] data = Packets.Pattern(56);
            fixed (byte* p = data)
                Assert.Equal(Error.None, hosts.A.Stack.Icmp.SendEcho(Ipv4Address.Loopback, 1, 1, p, data.Length));
            int server = hosts.A.OpenUdp(7);
            int client = hosts.A.OpenUdp(0);
            hosts.A.SendTo(client, Packets.Pattern(20_000), TwoHosts.AddressA, 7);
            hosts.A.Stack.Poll();
            hosts.A.Stack.Poll();
            Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(1, out _));
            Assert.Equal(Error.None, hosts.A.Receive(server, out byte[] got, out _, out _));
            Assert.Equal(Packets.Pattern(20_000), got);
        }

        [Fact]
        public void Arp_give_up_and_reassembly_timeout_still_fire()
        {
            var hosts = Hosts();
            fixed (byte* p = new byte[8])
                hosts.A.Stack.Icmp.SendEcho(new Ipv4Address(10, 0, 0, 99), 2, 1, p, 8);
            hosts.Elapse(3_500);
            Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(2, out IcmpEchoReply reply));
            Assert.Equal(IcmpEchoOutcome.Unreachable, reply.Outcome);

            int server = hosts.B.OpenUdp(7);
            int client = hosts.A.OpenUdp(0);
            hosts.Segment.Drop = frame => Packets.DatagramOf(frame) is byte[] d && d[9] == IpProtocol.Udp && (d[6] & 0x20) == 0;   // the last fragment lost
            hosts.A.SendTo(client, Packets.Pattern(5_000), TwoHosts.AddressB, 7);
            hosts.Run();
            Assert.Equal(1, hosts.B.Stack.Reassembly.ActiveDatagrams);
            hosts.Elapse(FragmentReassembly.TimeoutMilliseconds + 500, 500);
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(server, out _, out _, out _));
        }

        [Fact]
        public void Dhcp_binds_and_renews()
        {
            var segment = new SimulatedSegment();
            var clock = new ManualClock { StepPerRead = 1 };
            var client = new TestHost(segment, clock, 0x52_54_00_12_34_56, Ipv4Address.Any);
            var server = new FakeDhcpServer(segment) { LeaseSeconds = 120 };
            segment.Drop = frame => Packets.DatagramOf(frame) is byte[] d && d.Length > 28 + 242 && d[28 + 242] == DhcpMessage.Offer && server.Discovers == 1;
            client.Stack.StartDhcp();
            for (int i = 0; i < 200 && client.Stack.Dhcp.State != DhcpState.Bound; i++)
            {
                clock.Advance(100);
                client.Stack.Poll();
                segment.Run();
            }
            Assert.Equal(DhcpState.Bound, client.Stack.Dhcp.State);
            Assert.Equal(2, server.Discovers);
            for (int i = 0; i < 70; i++)
            {
                clock.Advance(1_000);
                client.Stack.Poll();
                segment.Run();
            }
            Assert.Equal(1, server.RenewRequests);
            Assert.Equal(DhcpState.Bound, client.Stack.Dhcp.State);
        }
    }
}
