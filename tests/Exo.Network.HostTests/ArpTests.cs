using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class ArpTests
    {
        [Fact]
        public void Datagrams_wait_for_resolution_then_leave_in_order()
        {
            var hosts = new TwoHosts();
            int a = hosts.A.OpenUdp(5000), b = hosts.B.OpenUdp(6000);
            for (int i = 0; i < 3; i++)
                Assert.Equal(Error.None, hosts.A.SendTo(a, new byte[] { (byte)i }, TwoHosts.AddressB, 6000));
            Assert.Equal(3, hosts.A.Stack.Arp.QueuedDatagrams);
            Assert.False(hosts.A.Stack.Arp.TryLookup(TwoHosts.AddressB, out _));
            hosts.Run();
            Assert.Equal(0, hosts.A.Stack.Arp.QueuedDatagrams);
            Assert.True(hosts.A.Stack.Arp.TryLookup(TwoHosts.AddressB, out MacAddress mac));
            Assert.Equal(hosts.B.Link.Address, mac);
            // B learned A from the request it answered.
            Assert.True(hosts.B.Stack.Arp.TryLookup(TwoHosts.AddressA, out mac));
            Assert.Equal(hosts.A.Link.Address, mac);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(Error.None, hosts.B.Receive(b, out byte[] data, out Ipv4Address source, out ushort port));
                Assert.Equal((byte)i, data[0]);
                Assert.Equal(TwoHosts.AddressA, source);
                Assert.Equal(5000, port);
            }
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.ArpRequestsSent]);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.ArpRepliesSent]);
        }

        [Fact]
        public void An_address_nobody_has_is_asked_three_times_then_its_datagrams_are_dropped_and_the_sender_told()
        {
            var hosts = new TwoHosts();
            var nobody = new Ipv4Address(10, 0, 0, 99);
            int socket = hosts.A.OpenUdp(5000);
            Assert.Equal(Error.None, hosts.A.Udp.Connect(socket, nobody, 7));
            Assert.Equal(Error.None, hosts.A.Udp.Send(socket, null, 0));
            Assert.Equal(Error.None, hosts.A.Udp.Send(socket, null, 0));
            hosts.Run();
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.ArpRequestsSent]);
            hosts.Elapse(2_500);
            Assert.Equal(3, hosts.A.Stack.Counters[NetworkCounter.ArpRequestsSent]);
            Assert.Equal(2, hosts.A.Stack.Arp.QueuedDatagrams);
            hosts.Elapse(600);
            Assert.Equal(3, hosts.A.Stack.Counters[NetworkCounter.ArpRequestsSent]);
            Assert.Equal(0, hosts.A.Stack.Arp.QueuedDatagrams);
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.ArpResolutionFailures]);
            Assert.Equal(2, hosts.A.Stack.Counters[NetworkCounter.ArpQueuedDropped]);
            // The connected socket's next call reports it once.
            Assert.Equal(Error.HostUnreachable, hosts.A.Udp.Send(socket, null, 0));
            // The next datagram starts resolution over.
            Assert.Equal(Error.None, hosts.A.Udp.Send(socket, null, 0));
            Assert.Equal(1, hosts.A.Stack.Arp.QueuedDatagrams);
        }

        [Fact]
        public void Entries_expire_after_a_minute()
        {
            var hosts = new TwoHosts();
            int a = hosts.A.OpenUdp(5000);
            hosts.B.OpenUdp(6000);
            hosts.A.SendTo(a, new byte[1], TwoHosts.AddressB, 6000);
            hosts.Run();
            Assert.True(hosts.A.Stack.Arp.TryLookup(TwoHosts.AddressB, out _));
            hosts.Clock.Advance(ArpCache.ReachableMilliseconds - 10);
            hosts.Run();
            Assert.True(hosts.A.Stack.Arp.TryLookup(TwoHosts.AddressB, out _));
            hosts.Clock.Advance(20);
            hosts.Run();
            Assert.False(hosts.A.Stack.Arp.TryLookup(TwoHosts.AddressB, out _));
            Assert.Equal(long.MaxValue, hosts.A.Stack.Arp.NextDeadline);
        }

        [Fact]
        public void The_wait_queue_is_bounded()
        {
            var hosts = new TwoHosts();
            int a = hosts.A.OpenUdp(5000);
            for (int i = 0; i < ArpCache.QueueCapacity; i++)
                Assert.Equal(Error.None, hosts.A.SendTo(a, new byte[4], TwoHosts.AddressB, 6000));
            Assert.Equal(Error.NoBufferSpace, hosts.A.SendTo(a, new byte[4], TwoHosts.AddressB, 6000));
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.ArpQueueOverflow]);
        }

        [Fact]
        public void Gratuitous_arp_moves_a_cached_address_and_malformed_packets_are_counted()
        {
            var hosts = new TwoHosts();
            int a = hosts.A.OpenUdp(5000);
            hosts.B.OpenUdp(6000);
            hosts.A.SendTo(a, new byte[1], TwoHosts.AddressB, 6000);
            hosts.Run();
            var newMac = new MacAddress(0x02_00_00_00_00_77);
            var packet = new byte[ArpPacket.Length];
            fixed (byte* p = packet)
                ArpPacket.Write(p, ArpPacket.OperationRequest, newMac, TwoHosts.AddressB, MacAddress.Zero, TwoHosts.AddressB);
            hosts.Segment.Inject(hosts.A.Link, Packets.Ethernet(MacAddress.Broadcast, newMac, EthernetFrame.EtherTypeArp, packet), 14 + packet.Length);
            Assert.True(hosts.A.Stack.Arp.TryLookup(TwoHosts.AddressB, out MacAddress mac));
            Assert.Equal(newMac, mac);

            // Gratuitous ARP from a host A never talked to does not fill the cache.
            var stranger = new Ipv4Address(10, 0, 0, 50);
            fixed (byte* p = packet)
                ArpPacket.Write(p, ArpPacket.OperationRequest, newMac, stranger, MacAddress.Zero, stranger);
            hosts.Segment.Inject(hosts.A.Link, Packets.Ethernet(MacAddress.Broadcast, newMac, EthernetFrame.EtherTypeArp, packet), 14 + packet.Length);
            Assert.False(hosts.A.Stack.Arp.TryLookup(stranger, out _));

            packet[4] = 8;   // a hardware address length other than Ethernet's
            hosts.Segment.Inject(hosts.A.Link, Packets.Ethernet(MacAddress.Broadcast, newMac, EthernetFrame.EtherTypeArp, packet), 14 + packet.Length);
            hosts.Segment.Inject(hosts.A.Link, Packets.Ethernet(MacAddress.Broadcast, newMac, EthernetFrame.EtherTypeArp, new byte[10]), 24);
            Assert.Equal(2, hosts.A.Stack.Counters[NetworkCounter.ArpMalformed]);
        }

        [Fact]
        public void Unknown_ethertypes_and_frames_for_other_macs_are_dropped_and_counted()
        {
            var hosts = new TwoHosts();
            var ipv6 = Packets.Ethernet(hosts.A.Link.Address, new MacAddress(5), 0x86DD, new byte[40]);
            hosts.Segment.Inject(hosts.A.Link, ipv6, ipv6.Length);
            var other = Packets.Ethernet(new MacAddress(0x02_99), new MacAddress(5), EthernetFrame.EtherTypeIpv4, new byte[40]);
            hosts.Segment.Inject(hosts.A.Link, other, other.Length);
            hosts.Segment.Inject(hosts.A.Link, new byte[10], 10);
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.DropUnknownEtherType]);
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.DropNotOurMac]);
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.DropShortFrame]);
            Assert.Equal(3, hosts.A.Stack.Counters[NetworkCounter.FramesReceived]);
        }
    }
}
