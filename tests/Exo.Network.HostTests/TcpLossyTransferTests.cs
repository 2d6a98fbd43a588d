using System;
using System.Security.Cryptography;
using Exo.Abi;
using Exo.Network;
using Xunit;
using Xunit.Abstractions;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>Bulk transfers over a bad wire: everything arrives intact and in order, in bounded time.</summary>
    public unsafe class TcpLossyTransferTests
    {
        private readonly ITestOutputHelper _output;

        public TcpLossyTransferTests(ITestOutputHelper output) { _output = output; }

        /// <summary>Sends 'length' bytes each way at once and returns the simulated milliseconds it took.</summary>
        private long Transfer(TcpTestWire wire, TcpTestWire.Host a, TcpTestWire.Host b, int length, long limit)
        {
            int listener = Listen(b.Stack, 443);
            var (client, server) = Connect(wire, a, b, listener, 443);
            byte[] up = Pattern(length, 11), down = Pattern(length, 12);
            byte[] gotUp = new byte[length], gotDown = new byte[length];
            int upSent = 0, downSent = 0, upRead = 0, downRead = 0;
            bool upEnd = false, downEnd = false;
            long start = wire.Clock.NowMilliseconds;
            long lastProgress = start;
            int lastTotal = 0;
            bool dumped = false;
            bool done = wire.RunUntil(() => upEnd && downEnd, limit, () =>
            {
                int total = upRead + downRead;
                if (total != lastTotal) { lastTotal = total; lastProgress = wire.Clock.NowMilliseconds; }
                if (!dumped && wire.Clock.NowMilliseconds - lastProgress > 3000)
                {
                    dumped = true;
                    Dump("client", a.Stack.ConnectionOf(client));
                    Dump("server", b.Stack.ConnectionOf(server));
                }
                if (upSent < length)
                {
                    upSent += Write(a.Stack, client, up, upSent, length - upSent);
                    if (upSent == length)
                        Assert.Equal(Error.None, a.Stack.Shutdown(client, TcpShutdown.Write));
                }
                if (downSent < length)
                {
                    downSent += Write(b.Stack, server, down, downSent, length - downSent);
                    if (downSent == length)
                        Assert.Equal(Error.None, b.Stack.Shutdown(server, TcpShutdown.Write));
                }
                int n;
                while (!upEnd && (n = Read(b.Stack, server, gotUp, upRead)) != 0)
                    if (n < 0) upEnd = true; else upRead += n;
                while (!downEnd && (n = Read(a.Stack, client, gotDown, downRead)) != 0)
                    if (n < 0) downEnd = true; else downRead += n;
            });
            long took = wire.Clock.NowMilliseconds - start;
            _output.WriteLine($"{length} bytes each way in {took} ms simulated; up {upRead}, down {downRead}; lost {wire.Lost}, duplicated {wire.Duplicated}, corrupted {wire.Corrupted}, delivered {wire.Delivered}");
            foreach (var host in new[] { a, b })
            {
                var s = host.Stack.Statistics;
                _output.WriteLine($"  {host.Address.Value:x}: sent {s.SegmentsSent} retransmissions {s.Retransmissions} fast {s.FastRetransmissions} sack {s.SackRetransmissions} timeouts {s.RetransmissionTimeouts} bad checksums {s.BadChecksums} out of order {s.OutOfOrderSegments} dropped {s.OutOfOrderDropped} duplicates {s.DuplicateSegments}");
            }
            Assert.True(done, $"transfer did not finish: up {upRead}/{length}, down {downRead}/{length}");
            Assert.Equal(SHA256.HashData(up), SHA256.HashData(gotUp));
            Assert.Equal(SHA256.HashData(down), SHA256.HashData(gotDown));
            return took;
        }

        private void Dump(string name, TcpConnection c)
        {
            if (c == null) { _output.WriteLine(name + ": gone"); return; }
            _output.WriteLine($"{name}: {c.State} una {c.SendUnacknowledged} nxt {c.SendNext} max {c.SendMaximum} wnd {c.SendWindow} cwnd {c.Congestion.CongestionWindow} ssthresh {c.Congestion.SlowStartThreshold} rec {c.Congestion.InFastRecovery} dup {c.Congestion.DuplicateAcknowledgments} sbuf {c.SendBuffer.Count} rnxt {c.ReceiveNext} radv {c.ReceiveAdvertised} readable {c.ReceiveBuffer.Readable} ooo {c.ReceiveBuffer.OutOfOrderRanges} rto {c.RoundTrip.Timeout} srtt {c.RoundTrip.SmoothedRoundTrip} retx {c.Retransmissions} rdl {c.RetransmitDeadline} persist {c.PersistDeadline} err {c.PendingError}");
        }

        [Fact]
        public void Ten_mebibytes_each_way_over_a_clean_wire()
        {
            using var wire = new TcpTestWire(21);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            long took = Transfer(wire, a, b, 10 << 20, 120_000);
            Assert.Equal(0, a.Stack.Statistics.Retransmissions + b.Stack.Statistics.Retransmissions);
            Assert.True(took < 60_000, $"took {took} ms");
        }

        [Fact]
        public void Ten_mebibytes_each_way_over_a_lossy_duplicating_reordering_corrupting_wire()
        {
            using var wire = new TcpTestWire(22) { Loss = 0.05, Duplication = 0.02, Corruption = 0.01, Delay = 5, Jitter = 10 };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            long took = Transfer(wire, a, b, 10 << 20, 1_200_000);
            Assert.True(a.Stack.Statistics.BadChecksums + b.Stack.Statistics.BadChecksums > 0);
            Assert.True(a.Stack.Statistics.FastRetransmissions + b.Stack.Statistics.FastRetransmissions > 0);
            Assert.True(a.Stack.Statistics.OutOfOrderSegments + b.Stack.Statistics.OutOfOrderSegments > 0);
            Assert.True(took < 600_000, $"took {took} ms");
        }
    }
}
