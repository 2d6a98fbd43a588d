using System;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class IcmpTests
    {
        private static Error Ping(TestHost host, Ipv4Address to, ushort id, ushort sequence, int length = 56)
        {
            byte[] data = Packets.Pattern(length);
            fixed (byte* p = data)
                return host.Stack.Icmp.SendEcho(to, id, sequence, p, length);
        }

        [Fact]
        public void Ping_between_two_stacks()
        {
            var hosts = new TwoHosts();
            for (ushort sequence = 1; sequence <= 3; sequence++)
            {
                Assert.Equal(Error.None, Ping(hosts.A, TwoHosts.AddressB, 0x1234, sequence));
                hosts.Run();
                Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(0x1234, out IcmpEchoReply reply));
                Assert.Equal(IcmpEchoOutcome.Reply, reply.Outcome);
                Assert.Equal(TwoHosts.AddressB, reply.Source);
                Assert.Equal(sequence, reply.Sequence);
                Assert.Equal(56, reply.DataLength);
                Assert.False(hosts.A.Stack.Icmp.TryReceiveEcho(0x1234, out _));
            }
            Assert.Equal(3, hosts.B.Stack.Counters[NetworkCounter.IcmpEchoRepliesSent]);
            // Another identifier's replies are not this ping's.
            Ping(hosts.B, TwoHosts.AddressA, 7, 1);
            hosts.Run();
            Assert.False(hosts.B.Stack.Icmp.TryReceiveEcho(8, out _));
            Assert.True(hosts.B.Stack.Icmp.TryReceiveEcho(7, out _));
        }

        [Fact]
        public void A_ping_socket_gets_its_identifier_and_checksum_written_and_only_its_replies()
        {
            var hosts = new TwoHosts();
            PingSockets ping = hosts.A.Stack.Icmp.PingSockets;
            Assert.Equal(Error.None, ping.Open(out int socket));
            Assert.Equal(Error.None, ping.Open(out int other));
            Assert.Equal(Error.None, ping.Bind(socket, Ipv4Address.Any, 0x1234));
            Assert.Equal(Error.AddressInUse, ping.Bind(other, Ipv4Address.Any, 0x1234));
            Assert.Equal(Error.Invalid, ping.Bind(socket, Ipv4Address.Any, 0x99));
            byte[] request = { 8, 0, 0xDE, 0xAD, 0xBE, 0xEF, 0, 5, (byte)'h', (byte)'i' };
            byte[] reply = new byte[64];
            fixed (byte* r = request)
            fixed (byte* p = reply)
            {
                Assert.Equal(Error.None, ping.SendTo(socket, r, request.Length, TwoHosts.AddressB));
                hosts.Run();
                Assert.False(ping.IsReadable(other));
                Assert.Equal(Error.None, ping.ReceiveFrom(socket, p, reply.Length, false, out int length, out int whole, out Ipv4Address source));
                Assert.Equal((10, 10, TwoHosts.AddressB), (length, whole, source));
                Assert.Equal(new byte[] { 0, 0, 0x12, 0x34, 0, 5, (byte)'h', (byte)'i' }, new[] { reply[0], reply[1], reply[4], reply[5], reply[6], reply[7], reply[8], reply[9] });
                Assert.Equal(0, InternetChecksum.Compute(p, length));
                Assert.Equal(Error.WouldBlock, ping.ReceiveFrom(socket, p, reply.Length, false, out _, out _, out _));
                // Only echo requests of code 0 and at least a header; an unbound socket gets an identifier at its first send.
                r[0] = 0;
                Assert.Equal(Error.Invalid, ping.SendTo(other, r, request.Length, TwoHosts.AddressB));
                Assert.Equal(Error.None, ping.GetLocal(other, out _, out ushort chosen));
                Assert.NotEqual(0, chosen);
                r[0] = 8;
                Assert.Equal(Error.Invalid, ping.SendTo(other, r, 7, TwoHosts.AddressB));
                Assert.Equal(Error.DestinationRequired, ping.SendTo(other, r, request.Length, Ipv4Address.Any));
                Assert.Equal(Error.None, ping.SendTo(other, r, request.Length, TwoHosts.AddressB));
                hosts.Run();
                Assert.False(ping.IsReadable(socket));
                Assert.True(ping.IsReadable(other));
            }
        }

        [Fact]
        public void Routes_added_by_hand_and_the_interface_taken_down_and_up()
        {
            var hosts = new TwoHosts();
            NetworkStack a = hosts.A.Stack;
            var network = new Ipv4Address(192, 168, 7, 0);
            Assert.Equal(Error.NetworkUnreachable, a.AddRoute(network, 24, new Ipv4Address(172, 16, 0, 1)));
            Assert.Equal(Error.Invalid, a.AddRoute(new Ipv4Address(192, 168, 7, 1), 24, TwoHosts.AddressB));
            Assert.Equal(Error.None, a.AddRoute(network, 24, TwoHosts.AddressB));
            Assert.Equal(Error.AlreadyExists, a.AddRoute(network, 24, TwoHosts.AddressB));
            // Through the route: the echo request goes to B's MAC (B answers nothing for an address not its own).
            long sentBefore = a.Counters[NetworkCounter.FramesSent];
            Assert.Equal(Error.None, Ping(hosts.A, new Ipv4Address(192, 168, 7, 9), 3, 1));
            hosts.Run();
            Assert.True(a.Counters[NetworkCounter.FramesSent] > sentBefore);
            Assert.Equal(Error.NetworkUnreachable, Ping(hosts.A, new Ipv4Address(192, 168, 8, 9), 3, 2));   // no default route
            Assert.Equal(Error.None, a.DeleteRoute(network, 24, Ipv4Address.Any));
            Assert.Equal(Error.NoSuchProcess, a.DeleteRoute(network, 24, Ipv4Address.Any));
            Assert.Equal(Error.NetworkUnreachable, Ping(hosts.A, new Ipv4Address(192, 168, 7, 9), 3, 3));

            // Down: nothing leaves, what arrives is dropped; up: B answers again.
            a.Ip.SetInterfaceUp(false);
            Assert.Equal(Error.NetworkUnreachable, Ping(hosts.A, TwoHosts.AddressB, 4, 1));
            Assert.Equal(Error.NetworkDown, a.AddRoute(network, 24, TwoHosts.AddressB));
            Assert.Equal(Error.None, Ping(hosts.B, TwoHosts.AddressA, 5, 1));
            hosts.Run();
            Assert.True(a.Counters[NetworkCounter.DropInterfaceDown] > 0);
            Assert.False(hosts.B.Stack.Icmp.TryReceiveEcho(5, out _));
            a.Ip.SetInterfaceUp(true);
            Assert.Equal(Error.None, Ping(hosts.A, TwoHosts.AddressB, 4, 2));
            hosts.Run();
            Assert.True(a.Icmp.TryReceiveEcho(4, out IcmpEchoReply reply));
            Assert.Equal(IcmpEchoOutcome.Reply, reply.Outcome);

            // A new address by hand: the prefix changes, routes through a gateway now off the subnet go.
            Assert.Equal(Error.None, a.AddRoute(network, 24, TwoHosts.AddressB));
            Assert.Equal(Error.Invalid, a.SetAddress(new Ipv4Address(224, 0, 0, 1), 24));
            Assert.Equal(Error.None, a.SetAddress(new Ipv4Address(10, 9, 0, 1), 24));
            Assert.Equal(0, a.Ip.Routes.Count);
            Assert.Equal((new Ipv4Address(10, 9, 0, 1), 24), (a.Configuration.Address, a.Configuration.PrefixLength));
        }

        [Fact]
        public void A_large_ping_is_fragmented_and_answered()
        {
            var hosts = new TwoHosts();
            Assert.Equal(Error.None, Ping(hosts.A, TwoHosts.AddressB, 1, 1, 5000));
            hosts.Run();
            Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(1, out IcmpEchoReply reply));
            Assert.Equal(5000, reply.DataLength);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpReassembled]);
        }

        [Fact]
        public void A_ping_to_an_address_nobody_has_gives_up_as_unreachable()
        {
            var hosts = new TwoHosts();
            var nobody = new Ipv4Address(10, 0, 0, 77);
            Assert.Equal(Error.None, Ping(hosts.A, nobody, 9, 1));
            hosts.Elapse(2_900);
            Assert.False(hosts.A.Stack.Icmp.TryReceiveEcho(9, out _));
            hosts.Elapse(200);
            Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(9, out IcmpEchoReply reply));
            Assert.Equal(IcmpEchoOutcome.Unreachable, reply.Outcome);
            Assert.Equal(nobody, reply.Source);
            Assert.Equal(1, reply.Sequence);
        }

        [Fact]
        public void Ping_to_loopback_and_to_our_own_address_is_answered_on_poll()
        {
            var hosts = new TwoHosts();
            Assert.Equal(Error.None, Ping(hosts.A, new Ipv4Address(127, 0, 0, 1), 3, 1));
            Assert.Equal(Error.None, Ping(hosts.A, TwoHosts.AddressA, 3, 2));
            Assert.Equal(0, hosts.A.Stack.NextDeadline);   // at once
            hosts.A.Stack.Poll();
            hosts.A.Stack.Poll();
            Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(3, out IcmpEchoReply first));
            Assert.True(hosts.A.Stack.Icmp.TryReceiveEcho(3, out IcmpEchoReply second));
            Assert.Equal(new Ipv4Address(127, 0, 0, 1), first.Source);
            Assert.Equal(TwoHosts.AddressA, second.Source);
            Assert.DoesNotContain(hosts.Segment.Sent, frame => Packets.DatagramOf(frame) != null);
        }

        [Fact]
        public void No_route_off_the_subnet_without_a_gateway()
        {
            var hosts = new TwoHosts();
            Assert.Equal(Error.NetworkUnreachable, Ping(hosts.A, new Ipv4Address(8, 8, 8, 8), 1, 1));
            hosts.A.Link.IsUp = false;
            Assert.Equal(Error.NetworkDown, Ping(hosts.A, TwoHosts.AddressB, 1, 1));
        }

        [Fact]
        public void Udp_to_a_closed_port_gets_port_unreachable_within_the_rate_limit()
        {
            var hosts = new TwoHosts();
            int a = hosts.A.OpenUdp(5000);
            hosts.B.OpenUdp(9998);
            hosts.A.SendTo(a, new byte[] { 1 }, TwoHosts.AddressB, 9998);   // resolves B's MAC first
            hosts.Run();
            for (int i = 0; i < 30; i++)
                Assert.Equal(Error.None, hosts.A.SendTo(a, new byte[] { 1 }, TwoHosts.AddressB, 9999));
            hosts.Run();
            Assert.Equal(30, hosts.B.Stack.Counters[NetworkCounter.UdpDropNoSocket]);
            Assert.Equal(IcmpProtocol.ErrorBurst, hosts.B.Stack.Counters[NetworkCounter.IcmpErrorsSent]);
            Assert.Equal(30 - IcmpProtocol.ErrorBurst, hosts.B.Stack.Counters[NetworkCounter.IcmpErrorsRateLimited]);
            Assert.Equal(IcmpProtocol.ErrorBurst, hosts.A.Stack.Counters[NetworkCounter.IcmpErrorsReceived]);
            // A second later the bucket is full again.
            hosts.Clock.Advance(1_000);
            hosts.A.SendTo(a, new byte[] { 1 }, TwoHosts.AddressB, 9999);
            hosts.Run();
            Assert.Equal(IcmpProtocol.ErrorBurst + 1, hosts.B.Stack.Counters[NetworkCounter.IcmpErrorsSent]);
        }

        [Fact]
        public void An_unknown_protocol_gets_protocol_unreachable()
        {
            var hosts = new TwoHosts();
            hosts.A.OpenUdp(5000);
            hosts.A.SendTo(hosts.A.OpenUdp(5001), new byte[1], TwoHosts.AddressB, 1);   // resolves B's MAC
            hosts.Run();
            int before = (int)hosts.A.Stack.Counters[NetworkCounter.IcmpErrorsReceived];
            byte[] frame = Packets.Ethernet(hosts.B.Link.Address, hosts.A.Link.Address, EthernetFrame.EtherTypeIpv4,
                Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, 200, new byte[16]));
            hosts.Segment.Inject(hosts.B.Link, frame, frame.Length);
            hosts.Run();
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpDropUnknownProtocol]);
            Assert.Equal(before + 1, hosts.A.Stack.Counters[NetworkCounter.IcmpErrorsReceived]);
        }

        [Fact]
        public void Icmp_errors_reach_the_quoted_transport()
        {
            var hosts = new TwoHosts();
            var handler = new RecordingHandler(99);
            Assert.Equal(Error.None, hosts.A.Stack.RegisterProtocol(handler));
            Assert.Equal(Error.AlreadyExists, hosts.A.Stack.RegisterProtocol(new RecordingHandler(99)));
            // B says protocol 99's datagram from A to B:1234 was unreachable (host code).
            byte[] quoted = Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, 99, new byte[] { 0x30, 0x39, 0x04, 0xD2, 0, 0, 0, 0 });
            byte[] icmp = new byte[8 + quoted.Length];
            icmp[0] = IcmpProtocol.TypeDestinationUnreachable;
            icmp[1] = IcmpProtocol.CodeHostUnreachable;
            quoted.CopyTo(icmp, 8);
            fixed (byte* p = icmp)
                NetworkOrder.WriteUInt16(p + 2, InternetChecksum.Compute(p, icmp.Length));
            byte[] frame = Packets.Ethernet(hosts.A.Link.Address, hosts.B.Link.Address, EthernetFrame.EtherTypeIpv4,
                Packets.Ipv4(TwoHosts.AddressB, TwoHosts.AddressA, IpProtocol.Icmp, icmp));
            hosts.Segment.Inject(hosts.A.Link, frame, frame.Length);
            Assert.Equal(1, handler.Errors);
            Assert.Equal(IcmpErrorKind.HostUnreachable, handler.LastKind);
            Assert.Equal(TwoHosts.AddressB, handler.LastDestination);
            Assert.Equal(12345, handler.LastSourcePort);

            // A corrupted checksum is dropped before anything reads the quote.
            icmp[9] ^= 0xFF;
            frame = Packets.Ethernet(hosts.A.Link.Address, hosts.B.Link.Address, EthernetFrame.EtherTypeIpv4,
                Packets.Ipv4(TwoHosts.AddressB, TwoHosts.AddressA, IpProtocol.Icmp, icmp));
            hosts.Segment.Inject(hosts.A.Link, frame, frame.Length);
            Assert.Equal(1, handler.Errors);
            Assert.Equal(1, hosts.A.Stack.Counters[NetworkCounter.IcmpDropChecksum]);
        }

        // An echo request as ping builds it: type 8, its checksum, identifier and sequence, then the data.
        private static byte[] EchoRequest(ushort identifier, ushort sequence, int dataLength)
        {
            byte[] message = new byte[IcmpProtocol.HeaderLength + dataLength];
            message[0] = IcmpProtocol.TypeEchoRequest;
            for (int i = 0; i < dataLength; i++)
                message[IcmpProtocol.HeaderLength + i] = (byte)(i * 7);
            fixed (byte* p = message)
            {
                NetworkOrder.WriteUInt16(p + 4, identifier);
                NetworkOrder.WriteUInt16(p + 6, sequence);
                NetworkOrder.WriteUInt16(p + 2, InternetChecksum.Compute(p, message.Length));
            }
            return message;
        }

        private static Error RawSend(TestHost host, int socket, byte[] message, Ipv4Address to)
        {
            fixed (byte* p = message)
                return host.Stack.Icmp.RawSockets.SendTo(socket, p, message.Length, to);
        }

        private static byte[] RawReceive(TestHost host, int socket, out Ipv4Address source, int capacity = 2048)
        {
            byte[] buffer = new byte[capacity];
            Error error;
            int length;
            fixed (byte* p = buffer)
                error = host.Stack.Icmp.RawSockets.ReceiveFrom(socket, p, capacity, false, out length, out _, out source);
            return error == Error.None ? buffer.AsSpan(0, length).ToArray() : null;
        }

        [Fact]
        public void A_raw_socket_sends_ping_s_message_and_receives_the_reply_with_its_ip_header()
        {
            var hosts = new TwoHosts();
            RawIcmpSockets raw = hosts.A.Stack.Icmp.RawSockets;
            Assert.Equal(Error.None, raw.Open(out int socket));
            Assert.Equal(Error.DestinationRequired, RawSend(hosts.A, socket, EchoRequest(0x4242, 1, 56), Ipv4Address.Any));
            byte[] request = EchoRequest(0x4242, 1, 56);
            Assert.Equal(Error.None, RawSend(hosts.A, socket, request, TwoHosts.AddressB));
            hosts.Run();
            byte[] reply = RawReceive(hosts.A, socket, out Ipv4Address source);
            Assert.NotNull(reply);
            Assert.Equal(TwoHosts.AddressB, source);
            Assert.Equal(20 + request.Length, reply.Length);
            Assert.Equal(0x45, reply[0]);
            Assert.Equal(reply.Length, reply[2] << 8 | reply[3]);
            Assert.Equal(IpProtocol.Icmp, reply[9]);
            Assert.Equal(IcmpProtocol.TypeEchoReply, reply[20]);
            Assert.Equal(request.AsSpan(4).ToArray(), reply.AsSpan(24).ToArray());   // identifier, sequence and data come back
            fixed (byte* p = reply)
            {
                Assert.Equal(0, InternetChecksum.Compute(p, 20));
                Assert.Equal(0, InternetChecksum.Compute(p + 20, reply.Length - 20));
            }
            Assert.Null(RawReceive(hosts.A, socket, out _));
            Assert.Equal(Error.None, raw.Close(socket));
            Assert.Equal(Error.BadHandle, raw.Close(socket));
        }

        [Fact]
        public void A_raw_socket_sees_loopback_s_request_and_reply_and_a_connected_one_only_its_peer()
        {
            var hosts = new TwoHosts();
            RawIcmpSockets raw = hosts.A.Stack.Icmp.RawSockets;
            Assert.Equal(Error.None, raw.Open(out int all));
            Assert.Equal(Error.None, raw.Open(out int connected));
            Assert.Equal(Error.None, raw.Connect(connected, TwoHosts.AddressB));
            Assert.Equal(Error.AddressNotAvailable, raw.Bind(all, new Ipv4Address(10, 0, 0, 99)));
            var loopback = new Ipv4Address(127, 0, 0, 1);
            Assert.Equal(Error.None, RawSend(hosts.A, all, EchoRequest(7, 1, 8), loopback));
            hosts.A.Stack.Poll();
            hosts.A.Stack.Poll();
            // As on Linux, the request looped back is seen too, then the reply.
            Assert.Equal(IcmpProtocol.TypeEchoRequest, RawReceive(hosts.A, all, out Ipv4Address first)[20]);
            Assert.Equal(IcmpProtocol.TypeEchoReply, RawReceive(hosts.A, all, out _)[20]);
            Assert.Equal(loopback, first);
            Assert.Null(RawReceive(hosts.A, connected, out _));
            // A short buffer takes the datagram's start; the rest is gone (recvfrom's truncation).
            Assert.Equal(Error.None, RawSend(hosts.A, connected, EchoRequest(7, 2, 100), Ipv4Address.Any));
            hosts.Run();
            Assert.Equal(10, RawReceive(hosts.A, connected, out _, 10).Length);
            Assert.Null(RawReceive(hosts.A, connected, out _));
            Assert.Equal(IcmpProtocol.TypeEchoReply, RawReceive(hosts.A, all, out _)[20]);
        }

        [Fact]
        public void A_raw_socket_s_full_queue_drops_and_counts()
        {
            var hosts = new TwoHosts();
            RawIcmpSockets raw = hosts.A.Stack.Icmp.RawSockets;
            Assert.Equal(Error.None, raw.Open(out int socket));
            int fits = RawIcmpSockets.ReceiveBufferBytes / (UdpSocket.RecordHeaderLength + 20 + 1008);
            for (int i = 0; i < fits + 3; i++)
            {
                Assert.Equal(Error.None, RawSend(hosts.A, socket, EchoRequest(1, (ushort)i, 1000), TwoHosts.AddressB));
                hosts.Run();
            }
            Assert.Equal(3, hosts.A.Stack.Counters[NetworkCounter.IcmpRawDropQueueFull]);
            for (int i = 0; i < fits; i++)
                Assert.NotNull(RawReceive(hosts.A, socket, out _));
            Assert.Null(RawReceive(hosts.A, socket, out _));
        }

        internal sealed class RecordingHandler : IIpProtocolHandler
        {
            public RecordingHandler(byte protocol) { Protocol = protocol; }
            public byte Protocol { get; }
            public int Received, Errors, LastLength, LastSourcePort;
            public IcmpErrorKind LastKind;
            public Ipv4Address LastSource, LastDestination;
            public void Receive(Ipv4Address source, Ipv4Address destination, byte* payload, int length)
            {
                Received++;
                LastSource = source;
                LastDestination = destination;
                LastLength = length;
            }
            public void ReceiveError(IcmpErrorKind kind, Ipv4Address quotedSource, Ipv4Address quotedDestination, byte* quotedPayload, int length)
            {
                Errors++;
                LastKind = kind;
                LastSource = quotedSource;
                LastDestination = quotedDestination;
                LastSourcePort = length >= 2 ? NetworkOrder.ReadUInt16(quotedPayload) : -1;
            }
        }
    }
}
