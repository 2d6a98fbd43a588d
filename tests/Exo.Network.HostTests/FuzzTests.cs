using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    /// <summary>
    /// Thousands of random and mutated frames fed to ReceiveFrame, each placed against a guard page so that any read
    /// past its length kills the test: the stack must neither throw nor read out of bounds, must count what it dropped,
    /// and must still answer a ping afterwards.
    /// </summary>
    public unsafe class FuzzTests
    {
        private sealed class Fuzzer
        {
            private readonly Random _random;
            private readonly TwoHosts _hosts;
            public readonly List<byte[]> Corpus = new List<byte[]>();

            public Fuzzer(TwoHosts hosts, int seed)
            {
                _hosts = hosts;
                _random = new Random(seed);
                MacAddress a = hosts.A.Link.Address, b = hosts.B.Link.Address;
                Ipv4Address ia = TwoHosts.AddressA, ib = TwoHosts.AddressB;
                var arp = new byte[ArpPacket.Length];
                fixed (byte* p = arp)
                    ArpPacket.Write(p, ArpPacket.OperationRequest, a, ia, MacAddress.Zero, ib);
                Corpus.Add(Packets.Ethernet(MacAddress.Broadcast, a, EthernetFrame.EtherTypeArp, arp));
                Corpus.Add(Packets.UdpFrame(b, a, ia, ib, 1000, 7, Packets.Pattern(64)));
                Corpus.Add(Packets.UdpFrame(b, a, ia, ib, 1000, 9, Packets.Pattern(16)));
                Corpus.Add(Packets.UdpFrame(b, a, ia, Ipv4Address.Broadcast, 67, 68, FakeDhcpServer.Reply(DhcpMessage.Offer, 1, b, 60)));
                Corpus.Add(Packets.Ethernet(b, a, EthernetFrame.EtherTypeIpv4, Packets.Ipv4(ia, ib, IpProtocol.Icmp, Echo(64))));
                Corpus.Add(Packets.Ethernet(b, a, EthernetFrame.EtherTypeIpv4, Packets.Ipv4(ia, ib, IpProtocol.Icmp, Unreachable(ib, ia))));
                Corpus.Add(Packets.Ethernet(b, a, EthernetFrame.EtherTypeIpv4, Packets.Ipv4(ia, ib, IpProtocol.Tcp, Packets.Pattern(40))));
                byte[] udp = Packets.Udp(ia, ib, 1000, 7, Packets.Pattern(3000));
                for (int offset = 0; offset < udp.Length; offset += 1480)
                    Corpus.Add(Packets.Ethernet(b, a, EthernetFrame.EtherTypeIpv4, Packets.Ipv4(ia, ib, IpProtocol.Udp,
                        udp.AsSpan(offset, Math.Min(1480, udp.Length - offset)).ToArray(), 33, offset, offset + 1480 < udp.Length)));
            }

            private static byte[] Echo(int length)
            {
                var icmp = new byte[8 + length];
                icmp[0] = IcmpProtocol.TypeEchoRequest;
                icmp[5] = 1;
                fixed (byte* p = icmp)
                    NetworkOrder.WriteUInt16(p + 2, InternetChecksum.Compute(p, icmp.Length));
                return icmp;
            }

            private static byte[] Unreachable(Ipv4Address quotedSource, Ipv4Address quotedDestination)
            {
                byte[] quoted = Packets.Ipv4(quotedSource, quotedDestination, IpProtocol.Udp, new byte[] { 0xC0, 0x00, 0x00, 0x07, 0, 8, 0, 0 });
                var icmp = new byte[8 + quoted.Length];
                icmp[0] = IcmpProtocol.TypeDestinationUnreachable;
                icmp[1] = IcmpProtocol.CodePortUnreachable;
                quoted.CopyTo(icmp, 8);
                fixed (byte* p = icmp)
                    NetworkOrder.WriteUInt16(p + 2, InternetChecksum.Compute(p, icmp.Length));
                return icmp;
            }

            /// <summary>One frame: fully random, or a corpus frame mutated (bytes, length, header fields), its checksums often repaired so the mutation reaches the deeper layers.</summary>
            public byte[] Next()
            {
                int kind = _random.Next(10);
                if (kind == 0)
                {
                    var noise = new byte[_random.Next(0, 1515)];
                    _random.NextBytes(noise);
                    if (noise.Length >= 14 && _random.Next(2) == 0)
                    {
                        fixed (byte* n = noise)
                            _hosts.B.Link.Address.Write(n);
                        noise[12] = 0x08;
                        noise[13] = _random.Next(2) == 0 ? (byte)0x00 : (byte)0x06;
                    }
                    return noise;
                }
                byte[] frame = (byte[])Corpus[_random.Next(Corpus.Count)].Clone();
                int mutations = _random.Next(1, 6);
                for (int m = 0; m < mutations; m++)
                {
                    switch (_random.Next(6))
                    {
                        case 0: if (frame.Length > 0) { frame[_random.Next(frame.Length)] = (byte)_random.Next(256); } break;
                        case 1: if (frame.Length > 14) { frame[14 + _random.Next(Math.Min(40, frame.Length - 14))] ^= (byte)(1 << _random.Next(8)); } break;
                        case 2: if (frame.Length > 34) { frame[14] = (byte)(0x40 | _random.Next(16)); } break;   // IHL
                        case 3: if (frame.Length > 34) { frame[16] = (byte)_random.Next(256); frame[17] = (byte)_random.Next(256); } break;   // total length
                        case 4: if (frame.Length > 34) { frame[20] = (byte)_random.Next(256); frame[21] = (byte)_random.Next(256); } break;   // flags, offset
                        case 5: Array.Resize(ref frame, _random.Next(frame.Length + 1)); break;
                    }
                }
                if (frame.Length >= 34 && frame[12] == 0x08 && frame[13] == 0x00 && _random.Next(4) != 0)
                    RepairChecksums(frame);
                return frame;
            }

            /// <summary>Recomputes the IPv4 header checksum (over whatever IHL says, when it fits) and the UDP or ICMP checksum.</summary>
            private void RepairChecksums(byte[] frame)
            {
                fixed (byte* f = frame)
                {
                    byte* ip = f + 14;
                    int available = frame.Length - 14;
                    int headerLength = (ip[0] & 0xF) * 4;
                    if (headerLength < 20 || headerLength > available)
                        return;
                    ip[10] = ip[11] = 0;
                    NetworkOrder.WriteUInt16(ip + 10, InternetChecksum.Compute(ip, headerLength));
                    int total = Math.Min(NetworkOrder.ReadUInt16(ip + 2), available) - headerLength;
                    if (total < 8 || _random.Next(3) == 0 || (NetworkOrder.ReadUInt16(ip + 6) & 0x3FFF) != 0)
                        return;
                    byte* payload = ip + headerLength;
                    if (ip[9] == IpProtocol.Icmp)
                    {
                        payload[2] = payload[3] = 0;
                        NetworkOrder.WriteUInt16(payload + 2, InternetChecksum.Compute(payload, total));
                    }
                    else if (ip[9] == IpProtocol.Udp)
                    {
                        int udpLength = NetworkOrder.ReadUInt16(payload + 4);
                        if (udpLength < 8 || udpLength > total)
                            return;
                        payload[6] = payload[7] = 0;
                        ulong sum = InternetChecksum.AddPseudoHeader(0, Ipv4Address.Read(ip + 12), Ipv4Address.Read(ip + 16), IpProtocol.Udp, udpLength);
                        NetworkOrder.WriteUInt16(payload + 6, InternetChecksum.Finish(InternetChecksum.Add(sum, payload, udpLength)));
                    }
                }
            }
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void Random_and_mutated_frames_never_break_the_stack(int seed)
        {
            var hosts = new TwoHosts();
            int echo = hosts.B.OpenUdp(7);
            int dhcpLike = hosts.B.OpenUdp(68);
            var tcpStandIn = new IcmpTests.RecordingHandler(IpProtocol.Tcp);
            hosts.B.Stack.RegisterProtocol(tcpStandIn);
            var fuzzer = new Fuzzer(hosts, seed);
            const int Frames = 15_000;
            for (int i = 0; i < Frames; i++)
            {
                byte[] frame = fuzzer.Next();
                hosts.Segment.Inject(hosts.B.Link, frame, frame.Length);
                if (i % 64 == 0)
                {
                    hosts.Clock.Advance(250);
                    hosts.Run();
                    while (hosts.B.Receive(echo, out _, out _, out _) != Error.WouldBlock) { }
                    while (hosts.B.Receive(dhcpLike, out _, out _, out _) != Error.WouldBlock) { }
                }
            }
            NetworkCounters counters = hosts.B.Stack.Counters;
            Assert.True(counters[NetworkCounter.FramesReceived] >= Frames);   // the fuzzed frames and what A sent B
            Assert.True(counters.TotalDrops > Frames / 3, "drops: " + counters.TotalDrops);
            Assert.True(counters[NetworkCounter.IpDropChecksum] > 0);
            Assert.True(counters[NetworkCounter.IpDropHeader] + counters[NetworkCounter.IpDropLength] > 0);
            Assert.True(counters[NetworkCounter.IpDelivered] > 0);
            Assert.True(counters[NetworkCounter.IcmpEchoRepliesSent] > 0);

            // Time passes: partial datagrams are freed, and ARP entries the mutated ARP packets legitimately rewrote (ARP
            // believes any sender, RFC 826) expire; the stack still answers a ping and carries UDP.
            hosts.Elapse(ArpCache.ReachableMilliseconds + 1_000, 1_000);
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(0, hosts.B.Stack.Reassembly.HeldBytes);
            byte[] data = Packets.Pattern(32);
            fixed (byte* p = data)
                Assert.Equal(Error.None, hosts.A.Stack.Icmp.SendEcho(TwoHosts.AddressB, 0x4242, 1, p, data.Length));
            hosts.Run();
            IcmpEchoReply reply = default;
            bool answered = false;
            while (hosts.A.Stack.Icmp.TryReceiveEcho(0x4242, out IcmpEchoReply r))
                if (r.Outcome == IcmpEchoOutcome.Reply && r.Sequence == 1) { reply = r; answered = true; }
            Assert.True(answered);
            Assert.Equal(TwoHosts.AddressB, reply.Source);
            while (hosts.B.Receive(echo, out _, out _, out _) != Error.WouldBlock) { }
            int client = hosts.A.OpenUdp(0);
            hosts.A.SendTo(client, Packets.Pattern(5000), TwoHosts.AddressB, 7);
            hosts.Run();
            Assert.Equal(Error.None, hosts.B.Receive(echo, out byte[] got, out _, out _));
            Assert.Equal(Packets.Pattern(5000), got);
        }
    }
}
