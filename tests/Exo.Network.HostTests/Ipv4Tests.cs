using System.Runtime.InteropServices;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class Ipv4Tests
    {
        private static byte[] UdpTo(TwoHosts hosts, byte[] datagram) =>
            Packets.Ethernet(hosts.B.Link.Address, hosts.A.Link.Address, EthernetFrame.EtherTypeIpv4, datagram);

        private static byte[] ValidUdp(ushort port = 7) =>
            Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, IpProtocol.Udp, Packets.Udp(TwoHosts.AddressA, TwoHosts.AddressB, 1000, port, new byte[] { 9, 8, 7 }));

        private static void Recompute(byte[] datagram)
        {
            datagram[10] = datagram[11] = 0;
            int headerLength = (datagram[0] & 0xF) * 4;
            fixed (byte* d = datagram)
                NetworkOrder.WriteUInt16(d + 10, InternetChecksum.Compute(d, headerLength));
        }

        [Fact]
        public void Header_validation_drops_and_counts_each_fault()
        {
            var hosts = new TwoHosts();
            int socket = hosts.B.OpenUdp(7);
            NetworkCounters counters = hosts.B.Stack.Counters;

            byte[] badVersion = ValidUdp();
            badVersion[0] = 0x65;
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, badVersion), 14 + badVersion.Length);
            byte[] shortHeader = ValidUdp();
            shortHeader[0] = 0x44;
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, shortHeader), 14 + shortHeader.Length);
            Assert.Equal(2, counters[NetworkCounter.IpDropHeader]);

            byte[] badChecksum = ValidUdp();
            badChecksum[10] ^= 1;
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, badChecksum), 14 + badChecksum.Length);
            Assert.Equal(1, counters[NetworkCounter.IpDropChecksum]);

            // A total length past the frame (a truncated frame), or shorter than the header.
            byte[] tooLong = ValidUdp();
            tooLong[3] += 1;
            Recompute(tooLong);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, tooLong), 14 + tooLong.Length);
            byte[] tooShort = ValidUdp();
            tooShort[2] = 0;
            tooShort[3] = 12;
            Recompute(tooShort);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, tooShort), 14 + tooShort.Length);
            Assert.Equal(2, counters[NetworkCounter.IpDropLength]);

            byte[] ttlZero = Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, IpProtocol.Udp,
                Packets.Udp(TwoHosts.AddressA, TwoHosts.AddressB, 1000, 7, new byte[1]), ttl: 0);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, ttlZero), 14 + ttlZero.Length);
            Assert.Equal(1, counters[NetworkCounter.IpDropTimeToLive]);

            byte[] otherHost = Packets.Ipv4(TwoHosts.AddressA, new Ipv4Address(10, 0, 0, 3), IpProtocol.Udp, new byte[8]);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, otherHost), 14 + otherHost.Length);
            Assert.Equal(1, counters[NetworkCounter.IpDropNotForUs]);

            byte[] loopbackSource = Packets.Ipv4(new Ipv4Address(127, 0, 0, 1), TwoHosts.AddressB, IpProtocol.Udp, new byte[8]);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, loopbackSource), 14 + loopbackSource.Length);
            Assert.Equal(1, counters[NetworkCounter.IpDropMartianSource]);
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(socket, out _, out _, out _));
            Assert.Equal(0, counters[NetworkCounter.IpDelivered]);
        }

        [Fact]
        public void Our_own_source_from_the_wire_is_a_martian_and_unconfigured_hosts_send_no_errors()
        {
            var hosts = new TwoHosts();
            byte[] spoofed = Packets.Ipv4(TwoHosts.AddressB, TwoHosts.AddressB, IpProtocol.Udp, Packets.Udp(TwoHosts.AddressB, TwoHosts.AddressB, 1, 9, new byte[1]));
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, spoofed), 14 + spoofed.Length);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpDropMartianSource]);

            // Unconfigured (waiting for DHCP), B takes in datagrams for any address but answers none with an error.
            Assert.Equal(Error.None, hosts.B.Stack.Configure(default));
            byte[] closedPort = ValidUdp(9);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, closedPort), 14 + closedPort.Length);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.UdpDropNoSocket]);
            Assert.Equal(0, hosts.B.Stack.Counters[NetworkCounter.IcmpErrorsSent]);
            // Nor are echo requests answered for an address that is not ours.
            byte[] echo = new byte[16];
            echo[0] = IcmpProtocol.TypeEchoRequest;
            fixed (byte* e = echo)
                NetworkOrder.WriteUInt16(e + 2, InternetChecksum.Compute(e, echo.Length));
            byte[] ping = Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, IpProtocol.Icmp, echo);
            hosts.Segment.Inject(hosts.B.Link, UdpTo(hosts, ping), 14 + ping.Length);
            Assert.Equal(0, hosts.B.Stack.Counters[NetworkCounter.IcmpEchoRepliesSent]);
        }

        [Fact]
        public void Options_are_skipped_and_ethernet_padding_ignored()
        {
            var hosts = new TwoHosts();
            int socket = hosts.B.OpenUdp(7);
            byte[] udp = Packets.Udp(TwoHosts.AddressA, TwoHosts.AddressB, 1000, 7, new byte[] { 1, 2, 3 });
            // A 28-byte header: record route (7, length 7, pointer 4, one empty slot) and end of options.
            var datagram = new byte[28 + udp.Length];
            datagram[0] = 0x47;
            datagram[3] = (byte)datagram.Length;
            datagram[8] = 64;
            datagram[9] = IpProtocol.Udp;
            fixed (byte* d = datagram)
            {
                TwoHosts.AddressA.Write(d + 12);
                TwoHosts.AddressB.Write(d + 16);
            }
            datagram[20] = 7; datagram[21] = 7; datagram[22] = 4;
            udp.CopyTo(datagram, 28);
            Recompute(datagram);
            byte[] frame = UdpTo(hosts, datagram);
            hosts.Segment.Inject(hosts.B.Link, frame, frame.Length);
            Assert.Equal(Error.None, hosts.B.Receive(socket, out byte[] got, out _, out _));
            Assert.Equal(new byte[] { 1, 2, 3 }, got);

            // The minimum Ethernet frame pads a small datagram to 46 bytes: the padding is not data.
            byte[] small = ValidUdp();
            byte[] padded = new byte[60];
            UdpTo(hosts, small).CopyTo(padded, 0);
            hosts.Segment.Inject(hosts.B.Link, padded, padded.Length);
            Assert.Equal(Error.None, hosts.B.Receive(socket, out got, out _, out _));
            Assert.Equal(3, got.Length);
        }

        [Fact]
        public void Routing_uses_the_gateway_off_the_subnet()
        {
            var segment = new SimulatedSegment();
            var clock = new ManualClock();
            var router = new Ipv4Address(10, 0, 0, 254);
            var host = new TestHost(segment, clock, 0x02_00_00_00_00_01, new Ipv4Address(10, 0, 0, 1), 24, router);
            var gateway = new TestHost(segment, clock, 0x02_00_00_00_00_FE, router);
            Assert.Equal(new Ipv4Address(10, 0, 0, 1), host.Stack.Transmitter.SourceFor(new Ipv4Address(8, 8, 8, 8)));
            Assert.Equal(Ipv4Address.Loopback, host.Stack.Transmitter.SourceFor(new Ipv4Address(127, 0, 0, 5)));
            int socket = host.OpenUdp(0);
            Assert.Equal(Error.None, host.SendTo(socket, new byte[4], new Ipv4Address(8, 8, 8, 8), 53));
            segment.Run();
            // The frame went to the router's MAC with 8.8.8.8 inside; the router (a plain host) drops it as not its own.
            byte[] last = segment.Sent.FindLast(frame => Packets.DatagramOf(frame) != null);
            fixed (byte* f = last)
            {
                Assert.Equal(gateway.Link.Address, EthernetFrame.Destination(f));
                Assert.Equal(new Ipv4Address(8, 8, 8, 8), Ipv4Header.Destination(f + 14));
            }
            Assert.Equal(1, gateway.Stack.Counters[NetworkCounter.IpDropNotForUs]);
            // A gateway off the subnet is refused; unconfigured, only broadcast leaves.
            Assert.Equal(Error.Invalid, host.Stack.Configure(new InterfaceConfiguration(new Ipv4Address(10, 0, 0, 1), 24, new Ipv4Address(10, 0, 1, 1), default)));
            Assert.Equal(Error.None, host.Stack.Configure(default));
            Assert.Equal(Error.NetworkUnreachable, host.SendTo(socket, new byte[4], new Ipv4Address(10, 0, 0, 254), 53));
        }

        [Fact]
        public void The_stack_checks_its_workspace_and_plugs_in_timers_and_protocols()
        {
            var link = new SegmentLink(new SimulatedSegment(), new MacAddress(0x02_00_00_00_00_09));
            var clock = new ManualClock();
            ulong bytes = NetworkStack.WorkspaceBytes;
            byte* workspace = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
            try
            {
                Assert.Equal(Error.OutOfMemory, NetworkStack.Create(link, clock, workspace, bytes - 1, out NetworkStack none));
                Assert.Null(none);
                Assert.Equal(Error.None, NetworkStack.Create(link, clock, workspace, bytes, out NetworkStack stack));
                Assert.Equal(long.MaxValue, stack.NextDeadline);
                var timer = new FakeTimer { NextDeadline = clock.NowMilliseconds + 500 };
                Assert.Equal(Error.None, stack.RegisterTimer(timer));
                Assert.Equal(clock.NowMilliseconds + 500, stack.NextDeadline);
                stack.Poll();
                Assert.Equal(0, timer.Ticks);
                clock.Advance(500);
                stack.Poll();
                Assert.Equal(1, timer.Ticks);
                var tcp = new IcmpTests.RecordingHandler(IpProtocol.Tcp);
                Assert.Equal(Error.None, stack.RegisterProtocol(tcp));
                Assert.Same(tcp, stack.Ip.HandlerFor(IpProtocol.Tcp));
                Assert.Equal("ip_drop_checksum", NetworkCounters.Name(NetworkCounter.IpDropChecksum));
                for (var c = (NetworkCounter)0; c < NetworkCounter.Count; c++)
                    Assert.NotEqual("unknown", NetworkCounters.Name(c));
                byte* shortFrame = stackalloc byte[3];
                stack.ReceiveFrame(shortFrame, 3);   // counted as short
                var text = new byte[4096];
                int length;
                fixed (byte* t = text)
                    length = stack.Counters.Format(t, text.Length);
                string[] lines = System.Text.Encoding.ASCII.GetString(text, 0, length).Split('\n', System.StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal((int)NetworkCounter.Count, lines.Length);
                Assert.Contains("frames_received 1", lines);
                Assert.Contains("drop_short_frame 1", lines);
                fixed (byte* t = text)
                    Assert.Equal("frames_received 1\n".Length, stack.Counters.Format(t, "frames_received 1\n".Length + 5));
            }
            finally
            {
                NativeMemory.Free(workspace);
            }
        }

        private sealed class FakeTimer : INetworkTimer
        {
            public long NextDeadline { get; set; }
            public int Ticks;
            public void Tick(long now)
            {
                Ticks++;
                NextDeadline = long.MaxValue;
            }
        }
    }
}
