using Exo.Abi;
using Exo.Network;
using Exo.Std;

namespace NetstackSelftest
{
    /// <summary>
    /// Runs the network stack library in ring 3 (Exo.Runtime, no garbage collector) on a link that keeps the last
    /// frame it was asked to send: ping to 127.0.0.1 and to the interface's own address, a 20,000-byte UDP datagram
    /// over loopback (fragmented and reassembled), an ARP request and an echo request arriving as frames and answered.
    /// Prints one line per check and "netstack_selftest: ok" when all passed (exit 0), else the failed check (exit 1).
    /// </summary>
    public static unsafe class Program
    {
        private sealed class RecordingLink : INetworkLink
        {
            public const int Capacity = EthernetFrame.MaximumLength;
            public readonly byte* Last;
            public int LastLength, Sent;

            public RecordingLink(byte* buffer) { Last = buffer; }

            public MacAddress Address => new MacAddress(0x52_54_00_12_34_56);
            public int Mtu => 1500;
            public bool IsUp => true;

            public Error Transmit(byte* frame, int length)
            {
                for (int i = 0; i < length && i < Capacity; i++)
                    Last[i] = frame[i];
                LastLength = length;
                Sent++;
                return Error.None;
            }
        }

        /// <summary>Time moves 10 ms each time the stack looks (the checks need order, not wall time).</summary>
        private sealed class SteppingClock : IMonotonicClock
        {
            private long _now = 1000;
            public long NowMilliseconds => _now += 10;
        }

        private static readonly Ipv4Address Local = new Ipv4Address(10, 0, 2, 15), Router = new Ipv4Address(10, 0, 2, 2);
        private static readonly MacAddress RouterMac = new MacAddress(0x52_55_0A_00_02_02);

        public static int Main()
        {
            byte* linkBuffer = (byte*)Exo.Std.Memory.UserHeap.Allocate(RecordingLink.Capacity);
            byte* workspace = (byte*)Exo.Std.Memory.UserHeap.Allocate((nuint)NetworkStack.WorkspaceBytes);
            byte* buffer = (byte*)Exo.Std.Memory.UserHeap.Allocate(20_000);
            byte* frame = (byte*)Exo.Std.Memory.UserHeap.Allocate(RecordingLink.Capacity);
            if (linkBuffer == null || workspace == null || buffer == null || frame == null)
                return Fail("out of memory");
            // netstack's checksum in assembly against the library's portable loop, then the checks below with it.
            if (!AcceleratedSumAgrees(buffer, 20_000))
                return Fail("the assembly checksum (Exo.Std.Net.OnesComplement) differs from InternetChecksum's loop");
            Console.WriteLine("netstack_selftest: assembly checksum agrees at every length to 300, 8 alignments, 19,992 bytes");
            InternetChecksum.Accelerate(&Exo.Std.Net.OnesComplement.Sum);
            var link = new RecordingLink(linkBuffer);
            if (NetworkStack.Create(link, new SteppingClock(), workspace, NetworkStack.WorkspaceBytes, out NetworkStack stack) != Error.None)
                return Fail("create");
            if (stack.Configure(new InterfaceConfiguration(Local, 24, Router, new Ipv4Address(10, 0, 2, 3))) != Error.None)
                return Fail("configure");

            // Ping over loopback.
            if (stack.Icmp.SendEcho(Ipv4Address.Loopback, 7, 1, buffer, 56) != Error.None || stack.Icmp.SendEcho(Local, 7, 2, buffer, 56) != Error.None)
                return Fail("ping send");
            stack.Poll();
            stack.Poll();
            if (!stack.Icmp.TryReceiveEcho(7, out IcmpEchoReply first) || !stack.Icmp.TryReceiveEcho(7, out IcmpEchoReply second)
                || first.Sequence != 1 || second.Sequence != 2 || first.Outcome != IcmpEchoOutcome.Reply)
                return Fail("ping 127.0.0.1 and 10.0.2.15");
            Console.WriteLine("netstack_selftest: ping over loopback answered");

            // 20,000 bytes of UDP over loopback: 14 fragments out and reassembled.
            if (stack.Udp.Open(out int server) != Error.None || stack.Udp.Bind(server, Ipv4Address.Any, 7) != Error.None
                || stack.Udp.Open(out int client) != Error.None)
                return Fail("udp sockets");
            for (int i = 0; i < 20_000; i++)
                buffer[i] = (byte)(i * 7 + (i >> 8));
            if (stack.Udp.SendTo(client, buffer, 20_000, Ipv4Address.Loopback, 7) != Error.None)
                return Fail("udp send");
            stack.Poll();
            for (int i = 0; i < 20_000; i++)
                buffer[i] = 0;
            if (stack.Udp.ReceiveFrom(server, buffer, 20_000, out int length, out _, out Ipv4Address from, out _) != Error.None || length != 20_000)
                return Fail("udp receive");
            for (int i = 0; i < 20_000; i++)
                if (buffer[i] != (byte)(i * 7 + (i >> 8)))
                    return Fail("udp data");
            if (stack.Counters[NetworkCounter.IpReassembled] != 1)
                return Fail("reassembly count");
            Console.WriteLine("netstack_selftest: 20000-byte UDP datagram reassembled over loopback");

            // An ARP request for our address from the router: answered with our MAC.
            int sent = link.Sent;
            EthernetFrame.WriteHeader(frame, MacAddress.Broadcast, RouterMac, EthernetFrame.EtherTypeArp);
            ArpPacket.Write(frame + EthernetFrame.HeaderLength, ArpPacket.OperationRequest, RouterMac, Router, MacAddress.Zero, Local);
            stack.ReceiveFrame(frame, EthernetFrame.HeaderLength + ArpPacket.Length);
            if (link.Sent != sent + 1 || EthernetFrame.EtherType(link.Last) != EthernetFrame.EtherTypeArp
                || ArpPacket.Operation(link.Last + EthernetFrame.HeaderLength) != ArpPacket.OperationReply
                || ArpPacket.SenderMac(link.Last + EthernetFrame.HeaderLength) != link.Address)
                return Fail("arp reply");
            Console.WriteLine("netstack_selftest: ARP request answered");

            // An echo request from the router: the reply goes straight to its (now known) MAC.
            byte* ip = frame + EthernetFrame.HeaderLength;
            byte* icmp = ip + Ipv4Header.MinimumLength;
            EthernetFrame.WriteHeader(frame, link.Address, RouterMac, EthernetFrame.EtherTypeIpv4);
            for (int i = 0; i < 40; i++)
                icmp[i] = (byte)i;
            icmp[0] = IcmpProtocol.TypeEchoRequest;
            icmp[1] = 0;
            icmp[2] = icmp[3] = 0;
            NetworkOrder.WriteUInt16(icmp + 2, InternetChecksum.Compute(icmp, 40));
            Ipv4Header.Write(ip, Ipv4Header.MinimumLength + 40, 99, 0, 64, IpProtocol.Icmp, Router, Local);
            stack.ReceiveFrame(frame, EthernetFrame.HeaderLength + Ipv4Header.MinimumLength + 40);
            if (link.Sent != sent + 2 || EthernetFrame.Destination(link.Last) != RouterMac
                || link.Last[EthernetFrame.HeaderLength + Ipv4Header.MinimumLength] != IcmpProtocol.TypeEchoReply)
                return Fail("echo reply frame");
            Console.WriteLine("netstack_selftest: echo request frame answered");

            // A truncated frame is counted, not read past.
            stack.ReceiveFrame(frame, EthernetFrame.HeaderLength + 10);
            if (stack.Counters[NetworkCounter.IpDropHeader] != 1)
                return Fail("short datagram counted");
            // The counters as the /proc file will show them.
            int textLength = stack.Counters.Format(buffer, 20_000);
            if (textLength <= 0)
                return Fail("counters text");
            Console.WriteBytes(buffer, textLength);
            Console.WriteLine("netstack_selftest: ok");
            return 0;
        }

        private static bool AcceleratedSumAgrees(byte* buffer, int capacity)
        {
            ulong seed = 0x9E3779B97F4A7C15;
            for (int i = 0; i < capacity; i++)
            {
                seed = seed * 6364136223846793005 + 1442695040888963407;
                buffer[i] = (byte)(seed >> 56);
            }
            for (int pass = 0; pass < 2; pass++)
            {
                if (pass == 1)
                    for (int i = 0; i < capacity; i++)
                        buffer[i] = 0xFF;   // all ones: the sum must fold to 0xFFFF, never to 0
                for (int length = 0; length <= 300; length++)
                    for (int offset = 0; offset < 8; offset++)
                        if (Exo.Std.Net.OnesComplement.Sum(buffer + offset, length) != InternetChecksum.LittleEndianSum(buffer + offset, length))
                            return false;
                if (Exo.Std.Net.OnesComplement.Sum(buffer + 3, capacity - 8) != InternetChecksum.LittleEndianSum(buffer + 3, capacity - 8))
                    return false;
            }
            return true;
        }

        private static int Fail(string what)
        {
            Console.Write("netstack_selftest: FAILED: ");
            Console.WriteLine(what);
            return 1;
        }
    }
}
