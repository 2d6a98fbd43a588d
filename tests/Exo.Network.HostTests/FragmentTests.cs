using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class FragmentTests
    {
        private const ushort Port = 4444;

        /// <summary>A UDP datagram from A to B's Port cut into frames of 'piece' payload bytes (multiples of 8).</summary>
        private static List<byte[]> Fragments(TwoHosts hosts, byte[] data, ushort identification, int piece = 1480)
        {
            byte[] udp = Packets.Udp(TwoHosts.AddressA, TwoHosts.AddressB, 1000, Port, data);
            var frames = new List<byte[]>();
            for (int offset = 0; offset < udp.Length; offset += piece)
            {
                int length = System.Math.Min(piece, udp.Length - offset);
                frames.Add(Frame(hosts, udp, offset, length, identification, offset + length < udp.Length));
            }
            return frames;
        }

        private static byte[] Frame(TwoHosts hosts, byte[] udp, int offset, int length, ushort identification, bool more) =>
            Packets.Ethernet(hosts.B.Link.Address, hosts.A.Link.Address, EthernetFrame.EtherTypeIpv4,
                Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, IpProtocol.Udp, udp.AsSpan(offset, length).ToArray(), identification, offset, more));

        private static void Inject(TwoHosts hosts, byte[] frame) => hosts.Segment.Inject(hosts.B.Link, frame, frame.Length);

        [Fact]
        public void A_20000_byte_datagram_crosses_a_1500_byte_mtu()
        {
            var hosts = new TwoHosts();
            int receiver = hosts.B.OpenUdp(Port);
            int sender = hosts.A.OpenUdp(0);
            byte[] data = Packets.Pattern(20_000);
            Assert.Equal(Error.None, hosts.A.SendTo(sender, data, TwoHosts.AddressB, Port));
            hosts.Run();
            Assert.Equal(Error.None, hosts.B.Receive(receiver, out byte[] got, out _, out _));
            Assert.Equal(data, got);
            Assert.Equal(14, hosts.A.Stack.Counters[NetworkCounter.IpFragmentsSent]);
            Assert.Equal(14, hosts.B.Stack.Counters[NetworkCounter.IpFragmentsReceived]);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpReassembled]);
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(0, hosts.B.Stack.Reassembly.HeldBytes);
            // Every frame fits the MTU and only the last lacks "more fragments".
            int fragmentFrames = 0;
            foreach (byte[] frame in hosts.Segment.Sent)
                if (Packets.DatagramOf(frame) is byte[] datagram && datagram[9] == IpProtocol.Udp)
                {
                    Assert.True(datagram.Length <= 1500);
                    fragmentFrames++;
                }
            Assert.Equal(14, fragmentFrames);
            // The largest datagram is refused before anything is sent.
            Assert.Equal(Error.MessageTooLong, hosts.A.SendTo(sender, new byte[UdpProtocol.MaximumPayload + 1], TwoHosts.AddressB, Port));
        }

        [Fact]
        public void Out_of_order_and_duplicated_fragments_reassemble_once()
        {
            var hosts = new TwoHosts();
            int receiver = hosts.B.OpenUdp(Port);
            byte[] data = Packets.Pattern(20_000, 3);
            List<byte[]> frames = Fragments(hosts, data, 77);
            for (int i = frames.Count - 1; i >= 0; i--)
                Inject(hosts, frames[i]);
            Assert.Equal(Error.None, hosts.B.Receive(receiver, out byte[] got, out _, out _));
            Assert.Equal(data, got);

            frames = Fragments(hosts, data, 78);
            var shuffled = new List<byte[]>();
            for (int i = 0; i < frames.Count - 1; i++)
            {
                shuffled.Add(frames[(i * 5) % (frames.Count - 1)]);
                shuffled.Add(frames[(i * 5) % (frames.Count - 1)]);
            }
            foreach (byte[] frame in shuffled)
                Inject(hosts, frame);
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(receiver, out _, out _, out _));
            Inject(hosts, frames[frames.Count - 1]);
            Assert.Equal(Error.None, hosts.B.Receive(receiver, out got, out _, out _));
            Assert.Equal(data, got);
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(receiver, out _, out _, out _));
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(0, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyOverlap]);
        }

        [Fact]
        public void Overlapping_fragments_drop_the_whole_datagram()
        {
            var hosts = new TwoHosts();
            int receiver = hosts.B.OpenUdp(Port);
            byte[] udp = Packets.Udp(TwoHosts.AddressA, TwoHosts.AddressB, 1000, Port, Packets.Pattern(3000));
            // [0, 1480) then [1472, 2952): eight bytes written twice.
            Inject(hosts, Frame(hosts, udp, 0, 1480, 5, true));
            Inject(hosts, Frame(hosts, udp, 1472, 1480, 5, true));
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyOverlap]);
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(0, hosts.B.Stack.Reassembly.HeldBytes);

            // The same range with different bytes is no duplicate.
            Inject(hosts, Frame(hosts, udp, 0, 1480, 6, true));
            byte[] forged = (byte[])udp.Clone();
            forged[100] ^= 1;
            Inject(hosts, Frame(hosts, forged, 0, 1480, 6, true));
            Assert.Equal(2, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyOverlap]);

            // A second "last" fragment with another end, and data past the end.
            Inject(hosts, Frame(hosts, udp, 1480, udp.Length - 1480, 7, false));
            Inject(hosts, Frame(hosts, udp, 1480, 800, 7, false));
            Assert.Equal(3, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyOverlap]);
            Inject(hosts, Frame(hosts, udp, 1480, 800, 8, false));
            Inject(hosts, Frame(hosts, udp, 2960, 8, 8, true));
            Assert.Equal(4, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyOverlap]);
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(receiver, out _, out _, out _));
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
        }

        [Fact]
        public void An_incomplete_datagram_times_out_and_its_memory_is_freed()
        {
            var hosts = new TwoHosts();
            int receiver = hosts.B.OpenUdp(Port);
            List<byte[]> frames = Fragments(hosts, Packets.Pattern(10_000), 9);
            for (int i = 0; i < 3; i++)
                Inject(hosts, frames[i]);
            Assert.Equal(1, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(3 * 1480, hosts.B.Stack.Reassembly.HeldBytes);
            Assert.Equal(hosts.Clock.NowMilliseconds + FragmentReassembly.TimeoutMilliseconds, hosts.B.Stack.NextDeadline);
            hosts.Clock.Advance(FragmentReassembly.TimeoutMilliseconds - 1);
            hosts.B.Stack.Poll();
            Assert.Equal(1, hosts.B.Stack.Reassembly.ActiveDatagrams);
            hosts.Clock.Advance(1);
            hosts.B.Stack.Poll();
            Assert.Equal(0, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(0, hosts.B.Stack.Reassembly.HeldBytes);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyTimeout]);
            // Its first fragment had come, so A hears time exceeded (reassembly), quoting the UDP header.
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IcmpErrorsSent]);
            hosts.Run();   // B resolves A's MAC first
            byte[] error = Packets.DatagramOf(hosts.Segment.Sent.FindLast(f => Packets.DatagramOf(f) is byte[] d && d[9] == IpProtocol.Icmp));
            Assert.Equal(IcmpProtocol.TypeTimeExceeded, error[20]);
            Assert.Equal(IcmpProtocol.CodeReassemblyTimeExceeded, error[21]);
            Assert.Equal(20 + 8 + 20 + 8, error.Length);
            Assert.Equal(Port, error[20 + 8 + 20 + 2] << 8 | error[20 + 8 + 20 + 3]);
            // The rest arriving late starts a new datagram that never completes.
            for (int i = 3; i < frames.Count; i++)
                Inject(hosts, frames[i]);
            Assert.Equal(Error.WouldBlock, hosts.B.Receive(receiver, out _, out _, out _));
        }

        [Fact]
        public void Limits_on_datagrams_under_way_bytes_held_and_size()
        {
            var hosts = new TwoHosts();
            int receiver = hosts.B.OpenUdp(Port);
            byte[] data = Packets.Pattern(40_000);
            // Four partial datagrams fill the slots; a fifth is refused.
            for (ushort id = 1; id <= FragmentReassembly.MaximumDatagrams + 1; id++)
                Inject(hosts, Fragments(hosts, data, id)[0]);
            Assert.Equal(FragmentReassembly.MaximumDatagrams, hosts.B.Stack.Reassembly.ActiveDatagrams);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyNoSlot]);

            // The byte budget: the four datagrams' fragments stop being kept past it.
            for (ushort id = 1; id <= FragmentReassembly.MaximumDatagrams; id++)
            {
                List<byte[]> frames = Fragments(hosts, data, id);
                for (int i = 1; i < frames.Count - 1; i++)
                    Inject(hosts, frames[i]);
            }
            Assert.True(hosts.B.Stack.Reassembly.HeldBytes <= FragmentReassembly.ByteBudget);
            Assert.True(hosts.B.Stack.Counters[NetworkCounter.IpReassemblyBudget] > 0);

            // Past 65535 bytes: refused, and the datagram it claimed to belong to is dropped.
            byte[] tail = Packets.Ipv4(TwoHosts.AddressA, TwoHosts.AddressB, IpProtocol.Udp, new byte[100], 1, 65_528, false);
            Inject(hosts, Packets.Ethernet(hosts.B.Link.Address, hosts.A.Link.Address, EthernetFrame.EtherTypeIpv4, tail));
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.IpReassemblyTooLarge]);
            Assert.Equal(FragmentReassembly.MaximumDatagrams - 1, hosts.B.Stack.Reassembly.ActiveDatagrams);

            // Once they time out, everything is free and a datagram goes through again.
            hosts.Clock.Advance(FragmentReassembly.TimeoutMilliseconds);
            hosts.B.Stack.Poll();
            Assert.Equal(0, hosts.B.Stack.Reassembly.HeldBytes);
            foreach (byte[] frame in Fragments(hosts, data, 500))
                Inject(hosts, frame);
            Assert.Equal(Error.None, hosts.B.Receive(receiver, out byte[] got, out _, out _));
            Assert.Equal(data, got);
        }

        [Fact]
        public void A_smaller_mtu_fragments_smaller()
        {
            var hosts = new TwoHosts(mtu: 576);
            int receiver = hosts.B.OpenUdp(Port);
            int sender = hosts.A.OpenUdp(0);
            Assert.Equal(556, hosts.A.Stack.Transmitter.MaximumPayload(TwoHosts.AddressB));
            byte[] data = Packets.Pattern(3000);
            hosts.A.SendTo(sender, data, TwoHosts.AddressB, Port);
            hosts.Run();
            Assert.Equal(Error.None, hosts.B.Receive(receiver, out byte[] got, out _, out _));
            Assert.Equal(data, got);
            Assert.Equal(6, hosts.A.Stack.Counters[NetworkCounter.IpFragmentsSent]);   // 3008 bytes in pieces of 552
        }
    }
}
