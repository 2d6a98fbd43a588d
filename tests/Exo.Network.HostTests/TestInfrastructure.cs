using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Exo.Abi;
using Exo.Network;

namespace Exo.Network.HostTests
{
    /// <summary>The tests' clock: time moves only when a test advances it.</summary>
    public sealed class ManualClock : IMonotonicClock
    {
        private long _now = 1_000;

        /// <summary>How far time moves each time the stack reads it (0: only when the test advances it), as a real clock does between two reads.</summary>
        public long StepPerRead;

        public long NowMilliseconds
        {
            get { long now = _now; _now += StepPerRead; return now; }
            set { _now = value; }
        }

        public void Advance(long milliseconds) => _now += milliseconds;
    }

    /// <summary>
    /// A frame placed so that its last byte is the last byte before an inaccessible page: a read past the frame's end
    /// faults (the test process dies), which is how the tests check that the stack stays inside a frame's length.
    /// </summary>
    public sealed unsafe class GuardedBuffer : IDisposable
    {
        private const int Page = 4096;
        private const int ProtectNone = 0, ProtectReadWrite = 3, MapPrivateAnonymous = 0x22;
        private readonly byte* _mapping;

        [DllImport("libc", SetLastError = true)] private static extern IntPtr mmap(IntPtr address, UIntPtr length, int protection, int flags, int fd, IntPtr offset);
        [DllImport("libc", SetLastError = true)] private static extern int mprotect(IntPtr address, UIntPtr length, int protection);
        [DllImport("libc", SetLastError = true)] private static extern int munmap(IntPtr address, UIntPtr length);

        public GuardedBuffer()
        {
            IntPtr p = mmap(IntPtr.Zero, (UIntPtr)(3 * Page), ProtectReadWrite, MapPrivateAnonymous, -1, IntPtr.Zero);
            if (p == new IntPtr(-1))
                throw new InvalidOperationException("mmap failed");
            _mapping = (byte*)p;
            if (mprotect(p, (UIntPtr)Page, ProtectNone) != 0 || mprotect(p + 2 * Page, (UIntPtr)Page, ProtectNone) != 0)
                throw new InvalidOperationException("mprotect failed");
        }

        /// <summary>Copies 'frame' to the end of the accessible page and returns where it starts.</summary>
        public byte* Place(byte[] frame, int length)
        {
            if (length > Page)
                throw new ArgumentException("frame too long");
            byte* start = _mapping + 2 * Page - length;
            for (int i = 0; i < length; i++)
                start[i] = frame[i];
            return start;
        }

        public void Dispose() => munmap((IntPtr)_mapping, (UIntPtr)(3 * Page));
    }

    /// <summary>An Ethernet segment: frames sent by one station reach every other when the test runs it.</summary>
    public sealed unsafe class SimulatedSegment
    {
        public interface IStation
        {
            MacAddress Address { get; }
            void Deliver(byte* frame, int length);
        }

        private readonly List<IStation> _stations = new List<IStation>();
        private readonly Queue<(IStation From, byte[] Frame)> _queue = new Queue<(IStation, byte[])>();
        private readonly GuardedBuffer _guard = new GuardedBuffer();

        /// <summary>Frames the segment loses (return true to drop): lost OFFERs, partial fragment sets.</summary>
        public Func<byte[], bool> Drop;
        /// <summary>Every frame sent, in order (dropped ones too).</summary>
        public readonly List<byte[]> Sent = new List<byte[]>();

        public void Attach(IStation station) => _stations.Add(station);

        public void Transmit(IStation from, byte* frame, int length)
        {
            var copy = new byte[length];
            for (int i = 0; i < length; i++)
                copy[i] = frame[i];
            Sent.Add(copy);
            if (Drop != null && Drop(copy))
                return;
            _queue.Enqueue((from, copy));
        }

        /// <summary>Delivers frames until none is left (a bounded number, so a storm fails the test instead of hanging).</summary>
        public int Run(int limit = 10_000)
        {
            int delivered = 0;
            while (_queue.Count > 0)
            {
                if (++delivered > limit)
                    throw new InvalidOperationException("frame storm");
                var (from, frame) = _queue.Dequeue();
                var destination = new MacAddress(0);
                fixed (byte* f = frame)
                    destination = MacAddress.Read(f);
                foreach (IStation station in _stations)
                    if (station != from && (destination.IsMulticast || destination == station.Address))
                        station.Deliver(_guard.Place(frame, frame.Length), frame.Length);
            }
            return delivered;
        }

        /// <summary>Hands one frame to a station as if it came from the segment (through the guard page).</summary>
        public void Inject(IStation to, byte[] frame, int length) => to.Deliver(_guard.Place(frame, length), length);
    }

    /// <summary>A NIC on the segment: the link a NetworkStack drives.</summary>
    public sealed unsafe class SegmentLink : INetworkLink, SimulatedSegment.IStation
    {
        private readonly SimulatedSegment _segment;
        public NetworkStack Stack;

        public SegmentLink(SimulatedSegment segment, MacAddress address, int mtu = 1500)
        {
            _segment = segment;
            Address = address;
            Mtu = mtu;
            segment.Attach(this);
        }

        public MacAddress Address { get; }
        public int Mtu { get; }
        public bool IsUp { get; set; } = true;

        public Error Transmit(byte* frame, int length)
        {
            if (length < EthernetFrame.HeaderLength || length > EthernetFrame.MaximumLength)
                throw new InvalidOperationException("the stack built a frame of " + length + " bytes");
            _segment.Transmit(this, frame, length);
            return Error.None;
        }

        public void Deliver(byte* frame, int length) => Stack?.ReceiveFrame(frame, length);
    }

    /// <summary>A NetworkStack on a segment with its own workspace (kept until the process ends).</summary>
    public sealed unsafe class TestHost
    {
        public readonly SegmentLink Link;
        public readonly NetworkStack Stack;
        public readonly ManualClock Clock;

        public TestHost(SimulatedSegment segment, ManualClock clock, ulong mac, Ipv4Address address, int prefix = 24, Ipv4Address gateway = default, int mtu = 1500)
        {
            Clock = clock;
            Link = new SegmentLink(segment, new MacAddress(mac), mtu);
            ulong bytes = NetworkStack.WorkspaceBytes;
            byte* workspace = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
            Error error = NetworkStack.Create(Link, clock, workspace, bytes, out NetworkStack stack);
            if (error != Error.None)
                throw new InvalidOperationException("Create: " + error);
            Stack = stack;
            Link.Stack = stack;
            if (!address.IsAny)
            {
                error = stack.Configure(new InterfaceConfiguration(address, prefix, gateway, default));
                if (error != Error.None)
                    throw new InvalidOperationException("Configure: " + error);
            }
        }

        public UdpProtocol Udp => Stack.Udp;

        public int OpenUdp(ushort port, Ipv4Address address = default)
        {
            Error error = Stack.Udp.Open(out int socket);
            if (error != Error.None)
                throw new InvalidOperationException("Open: " + error);
            error = Stack.Udp.Bind(socket, address, port);
            if (error != Error.None)
                throw new InvalidOperationException("Bind: " + error);
            return socket;
        }

        public Error SendTo(int socket, byte[] data, Ipv4Address to, ushort port)
        {
            fixed (byte* p = data)
                return Stack.Udp.SendTo(socket, p, data.Length, to, port);
        }

        public Error Receive(int socket, out byte[] data, out Ipv4Address source, out ushort port, int capacity = 70_000)
        {
            var buffer = new byte[capacity];
            Error error;
            int length;
            fixed (byte* p = buffer)
                error = Stack.Udp.ReceiveFrom(socket, p, capacity, out length, out _, out source, out port);
            data = error == Error.None ? buffer.AsSpan(0, length).ToArray() : null;
            return error;
        }
    }

    /// <summary>Two stacks (10.0.0.1 and 10.0.0.2/24) on one segment with one clock.</summary>
    public sealed class TwoHosts
    {
        public static readonly Ipv4Address AddressA = new Ipv4Address(10, 0, 0, 1), AddressB = new Ipv4Address(10, 0, 0, 2);
        public readonly SimulatedSegment Segment = new SimulatedSegment();
        public readonly ManualClock Clock = new ManualClock();
        public readonly TestHost A, B;

        public TwoHosts(int mtu = 1500)
        {
            A = new TestHost(Segment, Clock, 0x02_00_00_00_00_01, AddressA, mtu: mtu);
            B = new TestHost(Segment, Clock, 0x02_00_00_00_00_02, AddressB, mtu: mtu);
        }

        /// <summary>Delivers frames, polls both stacks, until quiet.</summary>
        public void Run()
        {
            for (int round = 0; round < 100; round++)
            {
                A.Stack.Poll();
                B.Stack.Poll();
                if (Segment.Run() == 0 && A.Stack.NextDeadline > Clock.NowMilliseconds && B.Stack.NextDeadline > Clock.NowMilliseconds)
                    return;
            }
        }

        /// <summary>Advances the clock in steps of 'step' ms, running the segment after each.</summary>
        public void Elapse(long milliseconds, long step = 100)
        {
            for (long t = 0; t < milliseconds; t += step)
            {
                Clock.Advance(step);
                Run();
            }
        }
    }

    /// <summary>Builds raw frames (Ethernet, IPv4, UDP, ICMP) for the tests that speak to a stack directly.</summary>
    public static unsafe class Packets
    {
        public static byte[] Ethernet(MacAddress destination, MacAddress source, ushort etherType, byte[] payload)
        {
            var frame = new byte[EthernetFrame.HeaderLength + payload.Length];
            fixed (byte* f = frame)
                EthernetFrame.WriteHeader(f, destination, source, etherType);
            payload.CopyTo(frame, EthernetFrame.HeaderLength);
            return frame;
        }

        public static byte[] Ipv4(Ipv4Address source, Ipv4Address destination, byte protocol, byte[] payload, ushort identification = 1,
            int fragmentOffset = 0, bool moreFragments = false, byte ttl = 64)
        {
            var datagram = new byte[20 + payload.Length];
            fixed (byte* d = datagram)
                Ipv4Header.Write(d, datagram.Length, identification,
                    (ushort)((moreFragments ? Ipv4Header.FlagMoreFragments : 0) | (fragmentOffset / 8)), ttl, protocol, source, destination);
            payload.CopyTo(datagram, 20);
            return datagram;
        }

        public static byte[] Udp(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, byte[] data)
        {
            var datagram = new byte[8 + data.Length];
            fixed (byte* u = datagram)
            {
                NetworkOrder.WriteUInt16(u, sourcePort);
                NetworkOrder.WriteUInt16(u + 2, destinationPort);
                NetworkOrder.WriteUInt16(u + 4, (ushort)datagram.Length);
                data.CopyTo(datagram, 8);
                ulong sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Udp, datagram.Length);
                ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, u, datagram.Length));
                NetworkOrder.WriteUInt16(u + 6, checksum == 0 ? (ushort)0xFFFF : checksum);
            }
            return datagram;
        }

        public static byte[] UdpFrame(MacAddress to, MacAddress from, Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, byte[] data) =>
            Ethernet(to, from, EthernetFrame.EtherTypeIpv4, Ipv4(source, destination, IpProtocol.Udp, Udp(source, destination, sourcePort, destinationPort, data)));

        public static byte[] Pattern(int length, int seed = 0)
        {
            var data = new byte[length];
            for (int i = 0; i < length; i++)
                data[i] = (byte)(i * 7 + seed + (i >> 8));
            return data;
        }

        /// <summary>The IPv4 datagram inside an Ethernet frame, or null for another EtherType.</summary>
        public static byte[] DatagramOf(byte[] frame)
        {
            if (frame.Length < 34 || frame[12] != 0x08 || frame[13] != 0x00)
                return null;
            return frame.AsSpan(14).ToArray();
        }
    }
}
