using System;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    /// <summary>
    /// A DHCP server as QEMU's user network (slirp's bootp.c) answers: 10.0.2.15/24, router and server 10.0.2.2,
    /// DNS 10.0.2.3, a one-day lease; replies are 548-byte BOOTP messages broadcast to port 68.
    /// </summary>
    public sealed unsafe class FakeDhcpServer : SimulatedSegment.IStation
    {
        public static readonly Ipv4Address Server = new Ipv4Address(10, 0, 2, 2), Offered = new Ipv4Address(10, 0, 2, 15), Dns = new Ipv4Address(10, 0, 2, 3);
        public const int ReplyLength = 548;
        private readonly SimulatedSegment _segment;
        public int Discovers, Requests, RenewRequests;
        public uint LeaseSeconds = 86400;
        public bool Nak;
        public Ipv4Address LastRequestDestination;

        public FakeDhcpServer(SimulatedSegment segment)
        {
            _segment = segment;
            segment.Attach(this);
        }

        public MacAddress Address => new MacAddress(0x52_55_0A_00_02_02);

        public void Deliver(byte* frame, int length)
        {
            // ARP for the router's and the DNS server's addresses (QEMU answers both with one MAC).
            Ipv4Address target = length >= 14 + ArpPacket.Length ? ArpPacket.TargetAddress(frame + 14) : Ipv4Address.Any;
            if (length >= 14 + ArpPacket.Length && NetworkOrder.ReadUInt16(frame + 12) == EthernetFrame.EtherTypeArp
                && ArpPacket.Operation(frame + 14) == ArpPacket.OperationRequest && (target == Server || target == Dns))
            {
                var answer = new byte[ArpPacket.Length];
                fixed (byte* a = answer)
                    ArpPacket.Write(a, ArpPacket.OperationReply, Address, target, ArpPacket.SenderMac(frame + 14), ArpPacket.SenderAddress(frame + 14));
                byte[] arpFrame = Packets.Ethernet(ArpPacket.SenderMac(frame + 14), Address, EthernetFrame.EtherTypeArp, answer);
                fixed (byte* f = arpFrame)
                    _segment.Transmit(this, f, arpFrame.Length);
                return;
            }
            if (length < 14 + 20 + 8 || NetworkOrder.ReadUInt16(frame + 12) != EthernetFrame.EtherTypeIpv4 || frame[14 + 9] != IpProtocol.Udp)
                return;
            byte* udp = frame + 14 + 20;
            if (NetworkOrder.ReadUInt16(udp + 2) == 53 && Ipv4Address.Read(frame + 14 + 16) == Dns)
            {
                AnswerDns(frame, udp, length - 14 - 20 - 8);
                return;
            }
            if (NetworkOrder.ReadUInt16(udp + 2) != DhcpMessage.ServerPort || length < 14 + 20 + 8 + 240)
                return;
            byte* message = udp + 8;
            int messageLength = length - 14 - 20 - 8;
            byte type = 0;
            for (int p = 240; p + 2 <= messageLength && message[p] != 255; p += 2 + message[p + 1])
                if (message[p] == DhcpMessage.OptionMessageType)
                    type = message[p + 2];
            LastRequestDestination = Ipv4Address.Read(frame + 14 + 16);
            byte replyType;
            if (type == DhcpMessage.Discover) { Discovers++; replyType = DhcpMessage.Offer; }
            else if (type == DhcpMessage.Request)
            {
                Requests++;
                if (!Ipv4Address.Read(message + 12).IsAny)
                    RenewRequests++;
                replyType = Nak ? DhcpMessage.NegativeAcknowledge : DhcpMessage.Acknowledge;
            }
            else return;
            byte[] reply = Reply(replyType, NetworkOrder.ReadUInt32(message + 4), MacAddress.Read(message + 28), LeaseSeconds);
            byte[] ethernet = Packets.UdpFrame(MacAddress.Broadcast, Address, Server, Ipv4Address.Broadcast, DhcpMessage.ServerPort, DhcpMessage.ClientPort, reply);
            fixed (byte* f = ethernet)
                _segment.Transmit(this, f, ethernet.Length);
        }

        /// <summary>Any A query is answered with 10.0.2.100 (the question copied, then one compressed answer).</summary>
        public static readonly Ipv4Address ResolvedAddress = new Ipv4Address(10, 0, 2, 100);
        public int DnsQueries;

        private void AnswerDns(byte* frame, byte* udp, int length)
        {
            DnsQueries++;
            var answer = new byte[length + 16];
            for (int i = 0; i < length; i++)
                answer[i] = udp[8 + i];
            answer[2] = 0x81;
            answer[3] = 0x80;
            answer[7] = 1;
            byte[] record = { 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 2, 100 };
            record.CopyTo(answer, length);
            Ipv4Address client = Ipv4Address.Read(frame + 14 + 12);
            byte[] reply = Packets.UdpFrame(MacAddress.Read(frame + 6), Address, Dns, client, 53, NetworkOrder.ReadUInt16(udp), answer);
            fixed (byte* f = reply)
                _segment.Transmit(this, f, reply.Length);
        }

        /// <summary>The BOOTP reply slirp builds: options message type, server id, netmask, router, DNS, lease time, end.</summary>
        public static byte[] Reply(byte type, uint transactionId, MacAddress client, uint leaseSeconds)
        {
            var m = new byte[ReplyLength];
            m[0] = 2; m[1] = 1; m[2] = 6;
            fixed (byte* p = m)
            {
                NetworkOrder.WriteUInt32(p + 4, transactionId);
                if (type != DhcpMessage.NegativeAcknowledge)
                    Offered.Write(p + 16);
                Server.Write(p + 20);
                client.Write(p + 28);
                NetworkOrder.WriteUInt32(p + 236, DhcpMessage.MagicCookie);
                byte* q = p + 240;
                *q++ = 53; *q++ = 1; *q++ = type;
                *q++ = 54; *q++ = 4; Server.Write(q); q += 4;
                if (type != DhcpMessage.NegativeAcknowledge)
                {
                    *q++ = 1; *q++ = 4; *q++ = 255; *q++ = 255; *q++ = 255; *q++ = 0;
                    *q++ = 3; *q++ = 4; Server.Write(q); q += 4;
                    *q++ = 6; *q++ = 4; Dns.Write(q); q += 4;
                    *q++ = 51; *q++ = 4; NetworkOrder.WriteUInt32(q, leaseSeconds); q += 4;
                }
                *q = 255;
            }
            return m;
        }
    }

    public unsafe class DhcpTests
    {
        private static (TestHost Client, FakeDhcpServer Server, SimulatedSegment Segment, ManualClock Clock) Setup()
        {
            var segment = new SimulatedSegment();
            var clock = new ManualClock();
            var client = new TestHost(segment, clock, 0x52_54_00_12_34_56, Ipv4Address.Any);
            return (client, new FakeDhcpServer(segment), segment, clock);
        }

        private static void Elapse(TestHost host, SimulatedSegment segment, ManualClock clock, long milliseconds, long step = 250)
        {
            for (long t = 0; t < milliseconds; t += step)
            {
                clock.Advance(step);
                host.Stack.Poll();
                segment.Run();
            }
        }

        [Fact]
        public void A_real_qemu_ack_parses()
        {
            // Byte for byte the 548-byte DHCPACK slirp sends a client with MAC 52:54:00:12:34:56 (transaction 0x3903f326).
            string hex =
                "0201060039 03f3260000 0000000000 000a00020f 0a00020200 0000005254 0012345600 0000000000 000000".Replace(" ", "");
            byte[] fixedPart = Convert.FromHexString(hex);
            byte[] options = Convert.FromHexString(
                "63825363" + "350105" + "36040a000202" + "0104ffffff00" + "03040a000202" + "06040a000203" + "330400015180" + "ff");
            var ack = new byte[FakeDhcpServer.ReplyLength];
            fixedPart.CopyTo(ack, 0);
            options.CopyTo(ack, 236);
            Assert.Equal(FakeDhcpServer.Reply(DhcpMessage.Acknowledge, 0x3903f326, new MacAddress(0x52_54_00_12_34_56), 86400), ack);
            fixed (byte* p = ack)
            {
                Assert.Equal(Error.None, DhcpMessage.Parse(p, ack.Length, out DhcpMessage message));
                Assert.Equal(DhcpMessage.Acknowledge, message.MessageType);
                Assert.Equal(0x3903f326u, message.TransactionId);
                Assert.Equal(new Ipv4Address(10, 0, 2, 15), message.YourAddress);
                Assert.Equal(24, message.PrefixLength);
                Assert.Equal(new Ipv4Address(10, 0, 2, 2), message.Router);
                Assert.Equal(new Ipv4Address(10, 0, 2, 2), message.ServerIdentifier);
                Assert.Equal(new Ipv4Address(10, 0, 2, 3), message.DnsServer);
                Assert.Equal(86400u, message.LeaseSeconds);
                Assert.Equal(new MacAddress(0x52_54_00_12_34_56), message.ClientHardware);
                // Every truncation is refused or parses without reading past the end.
                for (int length = 0; length < 240 + options.Length; length++)
                    DhcpMessage.Parse(p, length, out _);
                Assert.Equal(Error.Invalid, DhcpMessage.Parse(p, 239, out _));
            }
            // An option whose length runs past the message, and a non-contiguous mask.
            ack[240 + 4 + 1] = 250;
            fixed (byte* p = ack)
                Assert.Equal(Error.Invalid, DhcpMessage.Parse(p, 260, out _));
            Assert.Equal(-1, DhcpMessage.PrefixOf(0xFF00FF00));
            Assert.Equal(24, DhcpMessage.PrefixOf(0xFFFFFF00));
            Assert.Equal(0, DhcpMessage.PrefixOf(0));
        }

        [Fact]
        public void Discover_offer_request_ack_configures_the_interface()
        {
            var (client, server, segment, clock) = Setup();
            Assert.Equal(Error.None, client.Stack.StartDhcp());
            Assert.Equal(Error.AlreadyInProgress, client.Stack.StartDhcp());
            segment.Run();
            Assert.Equal(1, server.Discovers);
            Assert.Equal(1, server.Requests);
            Assert.Equal(DhcpState.Bound, client.Stack.Dhcp.State);
            InterfaceConfiguration configuration = client.Stack.Configuration;
            Assert.Equal(FakeDhcpServer.Offered, configuration.Address);
            Assert.Equal(24, configuration.PrefixLength);
            Assert.Equal(FakeDhcpServer.Server, configuration.Gateway);
            Assert.Equal(FakeDhcpServer.Dns, configuration.DnsServer);
            Assert.Equal(clock.NowMilliseconds + 43_200_000, client.Stack.Dhcp.RenewAt);
            Assert.Equal(clock.NowMilliseconds + 43_200_000, client.Stack.NextDeadline);
            // The DISCOVER left from 0.0.0.0 to the broadcast address with a valid UDP checksum.
            byte[] discover = Packets.DatagramOf(segment.Sent.Find(f => Packets.DatagramOf(f) != null));
            Assert.Equal(0, discover[12] | discover[13] | discover[14] | discover[15]);
            Assert.Equal(0xFF, discover[16] & discover[17] & discover[18] & discover[19]);
            fixed (byte* d = discover)
            {
                ulong sum = InternetChecksum.AddPseudoHeader(0, Ipv4Address.Any, Ipv4Address.Broadcast, IpProtocol.Udp, discover.Length - 20);
                Assert.Equal(0, InternetChecksum.Finish(InternetChecksum.Add(sum, d + 20, discover.Length - 20)));
            }
        }

        [Fact]
        public void After_dhcp_the_stack_resolves_names_with_the_server_it_was_given()
        {
            var (client, server, segment, clock) = Setup();
            client.Stack.StartDhcp();
            segment.Run();
            byte[] name = System.Text.Encoding.ASCII.GetBytes("example.org");
            int query;
            fixed (byte* n = name)
                Assert.Equal(Error.None, client.Stack.Dns.Start(n, name.Length, out query));
            segment.Run();
            Assert.Equal(1, server.DnsQueries);
            Assert.Equal(DnsQueryState.Resolved, client.Stack.Dns.GetResult(query, out Ipv4Address address, out uint ttl, out _));
            Assert.Equal(FakeDhcpServer.ResolvedAddress, address);
            Assert.Equal(30u, ttl);
            // The query left from the leased address to 10.0.2.3, resolved by ARP on the link.
            Assert.True(client.Stack.Arp.TryLookup(FakeDhcpServer.Dns, out MacAddress mac));
            Assert.Equal(server.Address, mac);
        }

        [Fact]
        public void A_lost_offer_is_retried_with_back_off()
        {
            var (client, server, segment, clock) = Setup();
            int offersLost = 0;
            segment.Drop = frame => Packets.DatagramOf(frame) is byte[] d && d.Length > 28 + 242 && d[28 + 242] == DhcpMessage.Offer && offersLost++ < 2;
            client.Stack.StartDhcp();
            segment.Run();
            Assert.Equal(DhcpState.Selecting, client.Stack.Dhcp.State);
            Assert.Equal(1, server.Discovers);
            // The first retransmission comes 3 to 4 s later, the second 7 to 8 s after that.
            Elapse(client, segment, clock, 2_750);
            Assert.Equal(1, server.Discovers);
            Elapse(client, segment, clock, 1_250);
            Assert.Equal(2, server.Discovers);
            Elapse(client, segment, clock, 6_750);
            Assert.Equal(2, server.Discovers);
            Elapse(client, segment, clock, 1_250);
            Assert.Equal(3, server.Discovers);
            Assert.Equal(DhcpState.Bound, client.Stack.Dhcp.State);
            Assert.Equal(FakeDhcpServer.Offered, client.Stack.Configuration.Address);
        }

        [Fact]
        public void The_lease_is_renewed_at_t1_by_unicast_and_lost_at_its_end()
        {
            var (client, server, segment, clock) = Setup();
            server.LeaseSeconds = 600;
            client.Stack.StartDhcp();
            segment.Run();
            Assert.Equal(DhcpState.Bound, client.Stack.Dhcp.State);
            Elapse(client, segment, clock, 299_000, 1_000);
            Assert.Equal(0, server.RenewRequests);
            Elapse(client, segment, clock, 2_000, 1_000);
            Assert.Equal(1, server.RenewRequests);
            Assert.Equal(FakeDhcpServer.Server, server.LastRequestDestination);
            Assert.Equal(DhcpState.Bound, client.Stack.Dhcp.State);

            // The server now refuses: renewing at T1 gets a NAK, and the client starts over without an address.
            server.Nak = true;
            Elapse(client, segment, clock, 300_000, 1_000);
            Assert.True(server.RenewRequests >= 2);
            Assert.Equal(DhcpState.Selecting, client.Stack.Dhcp.State);
            Assert.False(client.Stack.Configuration.IsConfigured);
        }

        [Fact]
        public void Replies_for_another_transaction_or_malformed_are_ignored()
        {
            var (client, server, segment, clock) = Setup();
            segment.Drop = frame => true;   // the server hears nothing
            client.Stack.StartDhcp();
            byte[] stray = FakeDhcpServer.Reply(DhcpMessage.Offer, 0x12345678, client.Link.Address, 86400);
            byte[] frame = Packets.UdpFrame(MacAddress.Broadcast, server.Address, FakeDhcpServer.Server, Ipv4Address.Broadcast, 67, 68, stray);
            segment.Inject(client.Link, frame, frame.Length);
            byte[] shortReply = Packets.UdpFrame(MacAddress.Broadcast, server.Address, FakeDhcpServer.Server, Ipv4Address.Broadcast, 67, 68, new byte[100]);
            segment.Inject(client.Link, shortReply, shortReply.Length);
            Assert.Equal(DhcpState.Selecting, client.Stack.Dhcp.State);
            Assert.Equal(1, client.Stack.Counters[NetworkCounter.DhcpMalformed]);
        }
    }
}
