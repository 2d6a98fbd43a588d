using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class UdpTests
    {
        [Fact]
        public void Echo_both_ways()
        {
            var hosts = new TwoHosts();
            int server = hosts.B.OpenUdp(7);
            int client = hosts.A.OpenUdp(0);
            Assert.Equal(Error.None, hosts.A.Udp.GetLocal(client, out _, out ushort clientPort));
            Assert.InRange(clientPort, UdpProtocol.EphemeralFirst, UdpProtocol.EphemeralLast);
            byte[] message = Packets.Pattern(1000);
            Assert.Equal(Error.None, hosts.A.SendTo(client, message, TwoHosts.AddressB, 7));
            hosts.Run();
            Assert.Equal(1UL << server, hosts.B.Udp.TakeWokenSockets());
            Assert.Equal(0UL, hosts.B.Udp.TakeWokenSockets());
            Assert.Equal(Error.None, hosts.B.Receive(server, out byte[] got, out Ipv4Address from, out ushort fromPort));
            Assert.Equal(message, got);
            Assert.Equal(TwoHosts.AddressA, from);
            Assert.Equal(clientPort, fromPort);
            Assert.Equal(Error.None, hosts.B.SendTo(server, got, from, fromPort));
            hosts.Run();
            Assert.Equal(Error.None, hosts.A.Receive(client, out byte[] echoed, out from, out fromPort));
            Assert.Equal(message, echoed);
            Assert.Equal(TwoHosts.AddressB, from);
            Assert.Equal(7, fromPort);
            Assert.Equal(Error.WouldBlock, hosts.A.Receive(client, out _, out _, out _));
        }

        [Fact]
        public void Connected_sockets_send_and_hear_only_their_peer_and_truncate_like_recvfrom()
        {
            var hosts = new TwoHosts();
            int server = hosts.B.OpenUdp(7);
            int other = hosts.A.OpenUdp(0);
            int client = hosts.A.OpenUdp(4000);
            Assert.Equal(Error.DestinationRequired, hosts.A.Udp.Send(client, null, 0));
            Assert.Equal(Error.None, hosts.A.Udp.Connect(client, TwoHosts.AddressB, 7));
            byte[] data = { 1, 2, 3, 4, 5 };
            fixed (byte* p = data)
                Assert.Equal(Error.None, hosts.A.Udp.Send(client, p, data.Length));
            hosts.Run();
            Assert.Equal(Error.None, hosts.B.Receive(server, out _, out _, out _));
            // From another port of B's: not for the connected socket, so nobody listens: dropped.
            int stray = hosts.B.OpenUdp(8);
            hosts.B.SendTo(stray, data, TwoHosts.AddressA, 4000);
            hosts.B.SendTo(server, data, TwoHosts.AddressA, 4000);
            hosts.Run();
            var buffer = new byte[2];
            fixed (byte* p = buffer)
            {
                Assert.Equal(Error.None, hosts.A.Udp.ReceiveFrom(client, p, 2, out int length, out int whole, out _, out ushort port));
                Assert.Equal(2, length);
                Assert.Equal(5, whole);
                Assert.Equal(7, port);
                Assert.Equal(Error.WouldBlock, hosts.A.Udp.ReceiveFrom(client, p, 2, out _, out _, out _, out _));
            }
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.UdpDropNoSocket]);
            Assert.Equal(-1, hosts.A.Udp.NextDatagramLength(other));
        }

        [Fact]
        public void Port_unreachable_makes_a_connected_socket_fail_with_econnrefused_once()
        {
            var hosts = new TwoHosts();
            int client = hosts.A.OpenUdp(0);
            Assert.Equal(Error.None, hosts.A.Udp.Connect(client, TwoHosts.AddressB, 9));
            Assert.Equal(Error.None, hosts.A.Udp.Send(client, null, 0));
            hosts.Run();
            Assert.True(hosts.A.Udp.IsReadable(client));
            Assert.Equal(1UL << client, hosts.A.Udp.TakeWokenSockets());
            Assert.Equal(Error.ConnectionRefused, hosts.A.Receive(client, out _, out _, out _));
            Assert.Equal(Error.WouldBlock, hosts.A.Receive(client, out _, out _, out _));
            Assert.Equal(Error.None, hosts.A.Udp.Send(client, null, 0));
            hosts.Run();
            Assert.Equal(Error.ConnectionRefused, hosts.A.Udp.Send(client, null, 0));
            // An unconnected socket is not told.
            int loose = hosts.A.OpenUdp(0);
            hosts.Clock.Advance(1_000);
            hosts.A.SendTo(loose, new byte[1], TwoHosts.AddressB, 9);
            hosts.Run();
            Assert.Equal(Error.WouldBlock, hosts.A.Receive(loose, out _, out _, out _));
        }

        [Fact]
        public void Broadcast_needs_permission_and_reaches_every_host()
        {
            var hosts = new TwoHosts();
            int sender = hosts.A.OpenUdp(0);
            int listener = hosts.B.OpenUdp(3000);
            Assert.Equal(Error.AccessDenied, hosts.A.SendTo(sender, new byte[1], Ipv4Address.Broadcast, 3000));
            Assert.Equal(Error.None, hosts.A.Udp.SetBroadcast(sender, true));
            Assert.Equal(Error.None, hosts.A.SendTo(sender, new byte[] { 1 }, Ipv4Address.Broadcast, 3000));
            Assert.Equal(Error.None, hosts.A.SendTo(sender, new byte[] { 2 }, new Ipv4Address(10, 0, 0, 255), 3000));
            hosts.Run();
            Assert.Equal(Error.None, hosts.B.Receive(listener, out byte[] first, out Ipv4Address from, out _));
            Assert.Equal(Error.None, hosts.B.Receive(listener, out byte[] second, out _, out _));
            Assert.Equal(1, first[0]);
            Assert.Equal(2, second[0]);
            Assert.Equal(TwoHosts.AddressA, from);
            // No ARP was needed, and a broadcast to a closed port draws no ICMP error.
            Assert.Equal(0, hosts.A.Stack.Counters[NetworkCounter.ArpRequestsSent]);
            hosts.A.SendTo(sender, new byte[1], Ipv4Address.Broadcast, 3001);
            hosts.Run();
            Assert.Equal(0, hosts.B.Stack.Counters[NetworkCounter.IcmpErrorsSent]);
        }

        [Fact]
        public void A_full_receive_queue_drops_and_counts()
        {
            var hosts = new TwoHosts();
            int sender = hosts.A.OpenUdp(0);
            int receiver = hosts.B.OpenUdp(5000);
            byte[] data = new byte[1000];
            int fits = UdpProtocol.ReceiveBufferBytes / (1000 + UdpSocket.RecordHeaderLength);
            for (int i = 0; i < fits + 5; i++)
            {
                Assert.Equal(Error.None, hosts.A.SendTo(sender, data, TwoHosts.AddressB, 5000));
                hosts.Run();
            }
            Assert.Equal(5, hosts.B.Stack.Counters[NetworkCounter.UdpDropQueueFull]);
            Assert.Equal(5, hosts.B.Udp.DroppedDatagrams(receiver));
            for (int i = 0; i < fits; i++)
                Assert.Equal(Error.None, hosts.B.Receive(receiver, out _, out _, out _));
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(receiver, out _, out _, out _));
            // Room again: the ring wraps and still gives whole datagrams.
            for (int round = 0; round < 3 * fits; round++)
            {
                byte[] pattern = Packets.Pattern(777, round);
                hosts.A.SendTo(sender, pattern, TwoHosts.AddressB, 5000);
                hosts.Run();
                Assert.Equal(Error.None, hosts.B.Receive(receiver, out byte[] got, out _, out _));
                Assert.Equal(pattern, got);
            }
        }

        [Fact]
        public void Bind_rules_address_in_use_and_bad_checksums()
        {
            var hosts = new TwoHosts();
            int first = hosts.A.OpenUdp(53);
            Assert.Equal(Error.None, hosts.A.Udp.Open(out int second));
            Assert.Equal(Error.AddressInUse, hosts.A.Udp.Bind(second, Ipv4Address.Any, 53));
            Assert.Equal(Error.AddressInUse, hosts.A.Udp.Bind(second, TwoHosts.AddressA, 53));
            Assert.Equal(Error.AddressNotAvailable, hosts.A.Udp.Bind(second, new Ipv4Address(10, 0, 0, 3), 54));
            Assert.Equal(Error.None, hosts.A.Udp.Bind(second, TwoHosts.AddressA, 54));
            Assert.Equal(Error.Invalid, hosts.A.Udp.Bind(second, TwoHosts.AddressA, 55));
            Assert.Equal(Error.None, hosts.A.Udp.Close(first));
            Assert.Equal(Error.BadHandle, hosts.A.Udp.Close(first));
            Assert.Equal(Error.BadHandle, hosts.A.Udp.Bind(99, Ipv4Address.Any, 1));
            int again = hosts.A.OpenUdp(53);

            // A corrupted payload fails the checksum; a zero checksum means none and is accepted.
            byte[] frame = Packets.UdpFrame(hosts.A.Link.Address, hosts.B.Link.Address, TwoHosts.AddressB, TwoHosts.AddressA, 1000, 53, new byte[] { 1, 2, 3, 4 });
            frame[14 + 20 + 8] ^= 0x40;
            hosts.Segment.Inject(hosts.A.Link, frame, frame.Length);
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.UdpDropChecksum]);
            frame[14 + 20 + 6] = 0;
            frame[14 + 20 + 7] = 0;
            hosts.Segment.Inject(hosts.A.Link, frame, frame.Length);
            Assert.Equal(Error.None, hosts.A.Receive(again, out byte[] got, out _, out _));
            Assert.Equal(4, got.Length);

            // Every socket of the table taken: EMFILE.
            int open = 0;
            while (hosts.A.Udp.Open(out _) == Error.None)
                open++;
            Assert.Equal(UdpProtocol.MaximumSockets - 2, open);
        }

        [Fact]
        public void Loopback_delivers_to_ourselves()
        {
            var hosts = new TwoHosts();
            int a = hosts.A.OpenUdp(1111);
            int b = hosts.A.OpenUdp(0);
            Assert.Equal(Error.None, hosts.A.SendTo(b, new byte[] { 42 }, Ipv4Address.Loopback, 1111));
            Assert.Equal(Error.None, hosts.A.SendTo(b, Packets.Pattern(9000), TwoHosts.AddressA, 1111));
            hosts.A.Stack.Poll();
            Assert.Equal(Error.None, hosts.A.Receive(a, out byte[] got, out Ipv4Address from, out _));
            Assert.Equal(42, got[0]);
            Assert.Equal(Ipv4Address.Loopback, from);
            Assert.Equal(Error.None, hosts.A.Receive(a, out got, out from, out _));
            Assert.Equal(Packets.Pattern(9000), got);
            Assert.Equal(TwoHosts.AddressA, from);
        }
    }
}
