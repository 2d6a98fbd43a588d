using System;
using System.Runtime.InteropServices;
using Exo.Abi;
using Exo.Network;
using Xunit;
using Xunit.Abstractions;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>
    /// Random and mutated segments into Receive: never an exception, never a read past the segment. Each segment is
    /// copied to end exactly at an inaccessible guard page (mmap + mprotect), so any read beyond its length faults
    /// the test process instead of passing unnoticed.
    /// </summary>
    public unsafe class TcpFuzzTests : IDisposable
    {
        private const int ProtectionNone = 0, ProtectionReadWrite = 3, MapPrivate = 2, MapAnonymous = 0x20;
        private const int PageSize = 4096, RegionPages = 17;

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr mmap(IntPtr address, nuint length, int protection, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int mprotect(IntPtr address, nuint length, int protection);

        [DllImport("libc", SetLastError = true)]
        private static extern int munmap(IntPtr address, nuint length);

        private readonly ITestOutputHelper _output;
        private readonly byte* _region;
        private readonly byte* _guard;

        public TcpFuzzTests(ITestOutputHelper output)
        {
            _output = output;
            IntPtr memory = mmap(IntPtr.Zero, (nuint)((RegionPages + 1) * PageSize), ProtectionReadWrite, MapPrivate | MapAnonymous, -1, 0);
            Assert.NotEqual(new IntPtr(-1), memory);
            _region = (byte*)memory;
            _guard = _region + RegionPages * PageSize;
            Assert.Equal(0, mprotect((IntPtr)_guard, PageSize, ProtectionNone));
        }

        public void Dispose() => munmap((IntPtr)_region, (nuint)((RegionPages + 1) * PageSize));

        /// <summary>Copies 'bytes' so that its last byte is the last readable one.</summary>
        private byte* AgainstGuard(byte[] bytes, int length)
        {
            byte* start = _guard - length;
            Marshal.Copy(bytes, 0, (IntPtr)start, length);
            return start;
        }

        private static void FixChecksum(byte[] bytes, Ipv4Address source, Ipv4Address destination)
        {
            if (bytes.Length < 18)
                return;
            fixed (byte* p = bytes)
                TcpSegmentWriter.WriteChecksum(p, bytes.Length, source, destination);
        }

        [Fact]
        public void Parse_reads_nothing_past_the_segment_for_any_short_or_odd_header()
        {
            var random = new Random(61);
            int parsed = 0;
            for (int i = 0; i < 200_000; i++)
            {
                int length = random.Next(0, 80);
                var bytes = new byte[length];
                random.NextBytes(bytes);
                if (length > 12 && random.Next(2) == 0)
                    bytes[12] = (byte)(random.Next(5, 16) << 4);   // plausible data offsets, options of random kinds and lengths
                if (length > 21 && random.Next(2) == 0)
                    bytes[20] = (byte)random.Next(0, 9);
                byte* p = AgainstGuard(bytes, length);
                if (TcpSegment.Parse(length == 0 ? null : p, length, out TcpSegment segment))
                {
                    parsed++;
                    Assert.InRange(segment.HeaderLength, 20, length);
                    Assert.Equal(length - segment.HeaderLength, segment.PayloadLength);
                    Assert.InRange(segment.SackBlockCount, 0, TcpLimits.MaximumSackBlocks);
                    Assert.InRange(segment.WindowScale, -1, TcpLimits.MaximumWindowScale);
                }
            }
            Assert.True(parsed > 10_000);
        }

        [Fact]
        public void Thousands_of_random_and_mutated_segments_never_throw_and_are_counted()
        {
            using var wire = new TcpTestWire(62);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB, connections: 256);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Write(a.Stack, client, Pattern(5000, 63), 0, 5000);
            wire.Run(100);
            TcpConnection target = a.Stack.ConnectionOf(client);
            ushort clientPort = target.LocalPort;
            uint clientNext = target.SendNext, serverNext = target.ReceiveNext;
            var random = new Random(64);
            byte[][] templates =
            {
                BuildSegment(AddressA, AddressB, clientPort, 80, clientNext, serverNext, TcpFlags.Acknowledgment, 1000, null, Pattern(100, 1)),
                BuildSegment(AddressA, AddressB, 40000, 80, 12345, 0, TcpFlags.Synchronize, 65535,
                    new byte[] { 2, 4, 5, 180, 1, 3, 3, 7, 4, 2, 1, 1 }),
                BuildSegment(AddressA, AddressB, clientPort, 80, clientNext, serverNext, TcpFlags.Acknowledgment, 1000,
                    new byte[] { 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 2, 0 }),
                BuildSegment(AddressA, AddressB, clientPort, 80, clientNext, serverNext, TcpFlags.Finish | TcpFlags.Acknowledgment, 0),
            };
            long exceptions = 0;
            const int rounds = 50_000;
            for (int i = 0; i < rounds; i++)
            {
                byte[] bytes;
                int kind = random.Next(4);
                if (kind == 0)
                {
                    bytes = new byte[random.Next(0, 120)];
                    random.NextBytes(bytes);
                }
                else
                {
                    byte[] template = templates[random.Next(templates.Length)];
                    int length = random.Next(0, 4) == 0 ? random.Next(0, template.Length + 1) : template.Length;
                    bytes = new byte[length];
                    Array.Copy(template, bytes, length);
                    int mutations = random.Next(1, 6);
                    for (int m = 0; m < mutations && length > 0; m++)
                    {
                        switch (random.Next(6))
                        {
                            case 0: bytes[random.Next(length)] = (byte)random.Next(256); break;
                            case 1: if (length > 13) bytes[13] = (byte)random.Next(256); break;                       // flags
                            case 2: if (length > 12) bytes[12] = (byte)(random.Next(16) << 4); break;                 // data offset
                            case 3: if (length > 21) { bytes[20] = (byte)random.Next(256); bytes[21] = (byte)random.Next(256); } break;   // option kind, length
                            case 4: if (length > 8) fixed (byte* p = bytes) NetworkOrder.WriteUInt32(p + 4, (uint)(clientNext + random.Next(-70000, 70000))); break;
                            case 5: if (length > 12) fixed (byte* p = bytes) NetworkOrder.WriteUInt32(p + 8, (uint)(serverNext + random.Next(-70000, 70000))); break;
                        }
                    }
                }
                if (random.Next(10) != 0)
                    FixChecksum(bytes, AddressA, AddressB);
                byte* segment = AgainstGuard(bytes, bytes.Length);
                try
                {
                    b.Stack.Receive(AddressA, AddressB, bytes.Length == 0 ? null : segment, bytes.Length);
                }
                catch (Exception)
                {
                    exceptions++;
                    throw;
                }
                if (i % 500 == 0)
                    wire.Run(50);   // timers and the answers run too   // timers and the answers run too
            }
            wire.Run(200_000);
            TcpStatistics statistics = b.Stack.Statistics;
            _output.WriteLine($"received {statistics.SegmentsReceived} bad checksums {statistics.BadChecksums} malformed {statistics.MalformedSegments} no connection {statistics.NoConnection} out of window {statistics.OutOfWindow} challenge ACKs {statistics.ChallengeAcknowledgments} resets sent {statistics.ResetsSent} in use {b.Stack.Table.InUse}");
            Assert.Equal(0, exceptions);
            Assert.True(statistics.SegmentsReceived >= rounds);
            Assert.True(statistics.BadChecksums > 1000);
            Assert.True(statistics.MalformedSegments > 100);
            Assert.True(statistics.OutOfWindow > 100);
            Assert.True(statistics.ChallengeAcknowledgments > 0);
            Assert.True(b.Stack.Table.InUse <= 2 + TcpLimits.MaximumHalfOpenPerListener);
            // The stack still works: a new connection carries data.
            var (client2, server2) = Connect(wire, a, b, listener, 80);
            Assert.Equal(4, Write(a.Stack, client2, new byte[] { 1, 2, 3, 4 }, 0, 4));
            byte[] got = new byte[4];
            Assert.True(wire.RunUntil(() => Read(b.Stack, server2, got, 0) == 4, 1000));
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, got);
        }

        [Fact]
        public void Forged_data_that_desynchronizes_the_two_ends_does_not_start_an_ack_storm()
        {
            using var wire = new TcpTestWire(67);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            TcpConnection connection = a.Stack.ConnectionOf(client);
            // An off-path forger's in-window data: B's RCV.NXT moves past anything A sent, so each side finds the other's ACKs invalid.
            byte[] forged = BuildSegment(AddressA, AddressB, connection.LocalPort, 80, connection.SendNext, connection.ReceiveNext,
                TcpFlags.Acknowledgment, 1000, null, Pattern(100, 68));
            wire.Inject(b, AddressA, forged);
            Write(a.Stack, client, Pattern(10, 69), 0, 10);   // A's real data now looks old to B
            a.Capture = b.Capture = true;
            wire.Run(10_000);
            // Rate-limited: a few ACKs a second at most, not thousands.
            Assert.True(a.Sent.Count + b.Sent.Count < 100, $"{a.Sent.Count} + {b.Sent.Count} segments in 10 s");
            Assert.True(a.Stack.Statistics.RateLimitedAcknowledgments + b.Stack.Statistics.RateLimitedAcknowledgments > 0);
        }

        [Fact]
        public void Icmp_errors_with_short_or_random_quotes_are_harmless()
        {
            using var wire = new TcpTestWire(65);
            var a = wire.AddHost(AddressA);
            var random = new Random(66);
            for (int i = 0; i < 10_000; i++)
            {
                var bytes = new byte[random.Next(0, 30)];
                random.NextBytes(bytes);
                byte* quote = AgainstGuard(bytes, bytes.Length);
                a.Stack.ReceiveError((IcmpErrorKind)random.Next(6), AddressA, AddressB, bytes.Length == 0 ? null : quote, bytes.Length);
            }
            Assert.Equal(0, a.Stack.Table.InUse);
        }
    }
}
