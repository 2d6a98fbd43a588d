using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>Windows and timers around them: zero-window persist, keepalive, window scaling, Nagle, delayed ACKs.</summary>
    public unsafe class TcpFlowControlTests
    {
        [Fact]
        public void Zero_window_held_for_an_hour_keeps_probing_while_other_connections_go_on()
        {
            using var wire = new TcpTestWire(51) { Delay = 10 };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReceiveBufferSize, 8192));
            var (stuckClient, stuckServer) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReceiveBufferSize, 65536));
            var (client, server) = Connect(wire, a, b, listener, 80);

            byte[] data = Pattern(50_000, 52);
            int sent = Write(a.Stack, stuckClient, data, 0, data.Length);
            wire.Run(2000);
            Assert.Equal(0u, a.Stack.ConnectionOf(stuckClient).SendWindow);
            long probesBefore = a.Stack.Statistics.PersistProbes;
            // An hour of the stuck connection (B never reads) while the other one moves 1 MiB every few minutes.
            byte[] other = Pattern(1 << 20, 53), got = new byte[1 << 20];
            for (int round = 0; round < 12; round++)
            {
                int otherSent = 0, otherRead = 0;
                Assert.True(wire.RunUntil(() => otherRead == other.Length, 60_000, () =>
                {
                    otherSent += Write(a.Stack, client, other, otherSent, other.Length - otherSent);
                    int n = Read(b.Stack, server, got, otherRead);
                    if (n > 0) otherRead += n;
                }));
                Assert.Equal(other, got);
                Array.Clear(got);
                wire.Run(300_000 - 1);
                Assert.Equal(TcpState.Established, a.Stack.StateOf(stuckClient));
            }
            long probes = a.Stack.Statistics.PersistProbes - probesBefore;
            // Backing off to one a minute: about 60 in the hour, never a give-up.
            Assert.InRange(probes, 55, 80);
            Assert.Equal(Error.None, a.Stack.GetOption(stuckClient, TcpSocketOption.PendingError, out int pending));
            Assert.Equal(0, pending);
            // B reads at last: the window opens and everything arrives.
            byte[] stuckGot = new byte[data.Length];
            int stuckRead = 0;
            Assert.True(wire.RunUntil(() => stuckRead == data.Length, 300_000, () =>
            {
                sent += Write(a.Stack, stuckClient, data, sent, data.Length - sent);
                int n = Read(b.Stack, stuckServer, stuckGot, stuckRead);
                if (n > 0) stuckRead += n;
            }));
            Assert.Equal(data, stuckGot);
        }

        [Fact]
        public void Duplicate_acks_keep_their_window_while_a_hole_holds_the_receiver_back()
        {
            // A Reno sender without SACK (4.4BSD, QEMU's slirp) counts an ACK as a duplicate only if its window is the last
            // one's: a receiver whose application reads during the loss must not open its window until the hole fills.
            using var wire = new TcpTestWire(61);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            byte[] data = Pattern(100_000, 62), got = new byte[data.Length];
            // B's application does not read yet: 20 KB wait in B and its window has closed to what is left.
            int sent = Write(a.Stack, client, data, 0, 20_000);
            wire.Run(1000);
            // A's next data segment is lost once; after B's second ACK of the hole, its application reads what is in order.
            bool dropped = false;
            uint hole = 0;
            a.Filter = segment =>
            {
                var parsed = ParseSegment(segment);
                if (dropped || parsed.PayloadLength == 0)
                    return true;
                dropped = true;
                hole = parsed.Sequence;
                return false;
            };
            b.Capture = true;
            int read = 0;
            Assert.True(wire.RunUntil(() => read == data.Length, 60_000, () =>
            {
                sent += Write(a.Stack, client, data, sent, data.Length - sent);
                int n = b.Sent.FindAll(bytes => ParseSegment(bytes).Acknowledgment == hole).Count >= 2 ? Read(b.Stack, server, got, read) : 0;
                if (n > 0) read += n;
            }));
            Assert.Equal(data, got);
            var duplicates = new List<ushort>();
            var afterwards = new List<ushort>();
            foreach (byte[] bytes in b.Sent)
            {
                var ack = ParseSegment(bytes);
                if (ack.Acknowledgment == hole)
                    duplicates.Add(ack.Window);
                else if (TcpSequence.Greater(ack.Acknowledgment, hole))
                    afterwards.Add(ack.Window);
            }
            Assert.True(duplicates.Count >= 4, $"{duplicates.Count} ACKs of the hole");
            Assert.All(duplicates, window => Assert.Equal(duplicates[0], window));
            Assert.True(afterwards.Exists(window => window > duplicates[0]), $"hole {hole}: {string.Join(",", duplicates)} then {string.Join(",", afterwards)}");   // opened once the hole filled
        }

        [Fact]
        public void Keepalive_probes_an_idle_peer_and_detects_a_dead_one()
        {
            using var wire = new TcpTestWire(54);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.KeepAliveIdleSeconds, 10));
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.KeepAliveIntervalSeconds, 2));
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.KeepAliveCount, 3));
            Assert.Equal(Error.Invalid, a.Stack.SetOption(client, TcpSocketOption.KeepAliveCount, 0));
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.KeepAlive, 1));
            // A live peer answers every probe: an hour passes and the connection stays.
            wire.Run(3_600_000);
            Assert.Equal(TcpState.Established, a.Stack.StateOf(client));
            Assert.InRange(a.Stack.Statistics.KeepAliveProbes, 300, 400);   // one every 10 s
            // The peer dies (answers nothing): after what is left of the 10 s idle time, 3 probes 2 s apart, and 2 s
            // more for the last one, ETIMEDOUT.
            b.Filter = _ => false;
            long probes = a.Stack.Statistics.KeepAliveProbes;
            long start = wire.Clock.NowMilliseconds;
            Assert.True(wire.RunUntil(() => a.Stack.StateOf(client) == TcpState.Closed, 60_000));
            Assert.InRange(wire.Clock.NowMilliseconds - start, 3 * 2000 + 2000, 10_000 + 3 * 2000 + 2000);
            Assert.Equal(3, a.Stack.Statistics.KeepAliveProbes - probes);
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.PendingError, out int pending));
            Assert.Equal((int)Error.TimedOut, pending);
        }

        [Fact]
        public void Window_scaling_negotiates_a_mebibyte_window()
        {
            using var wire = new TcpTestWire(55) { Delay = 50 };
            var a = wire.AddHost(AddressA, bufferBytes: 32 << 20);
            var b = wire.AddHost(AddressB, bufferBytes: 32 << 20);
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReceiveBufferSize, 1 << 20));
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.SendBufferSize, 2 << 20));
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            int server = -1;
            Assert.True(wire.RunUntil(() => b.Stack.Accept(listener, out server, out _, out _) == Error.None, 1000));
            TcpConnection sender = a.Stack.ConnectionOf(client), receiver = b.Stack.ConnectionOf(server);
            Assert.True(sender.WindowScaling && receiver.WindowScaling);
            Assert.Equal(5, receiver.ReceiveScale);   // 65535 << 4 is just under 1 MiB
            Assert.Equal(5, sender.SendScale);
            Assert.Equal(1 << 20, receiver.ReceiveBuffer.Capacity);
            // 8 MiB with a 100 ms RTT: only a window far beyond 64 KiB does it in a few seconds.
            byte[] data = Pattern(8 << 20, 56), got = new byte[8 << 20];
            int sent = 0, read = 0;
            uint largestWindow = 0;
            long start = wire.Clock.NowMilliseconds;
            Assert.True(wire.RunUntil(() => read == data.Length, 60_000, () =>
            {
                sent += Write(a.Stack, client, data, sent, data.Length - sent);
                int n = Read(b.Stack, server, got, read);
                if (n > 0) read += n;
                largestWindow = Math.Max(largestWindow, sender.SendWindow);
            }));
            Assert.Equal(data, got);
            Assert.True(largestWindow > 1_000_000, $"largest window {largestWindow}");
            long took = wire.Clock.NowMilliseconds - start;
            Assert.True(took < 5_000, $"took {took} ms (64 KiB per RTT would take 13 s)");
        }

        private static int DataSegments(List<byte[]> sent)
        {
            int count = 0;
            foreach (byte[] bytes in sent)
                if (ParseSegment(bytes).PayloadLength > 0)
                    count++;
            return count;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Nagle_coalesces_small_writes_unless_no_delay(bool noDelay)
        {
            using var wire = new TcpTestWire(57) { Delay = 10 };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.NoDelay, noDelay ? 1 : 0));
            a.Capture = true;
            byte[] one = { 42 };
            for (int i = 0; i < 100; i++)
                Assert.Equal(1, Write(a.Stack, client, one, 0, 1));   // 100 writes at one instant
            byte[] got = new byte[100];
            int read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, server, got, read))) == 100, 5000));
            int segments = DataSegments(a.Sent);
            if (noDelay)
                Assert.Equal(100, segments);
            else
                Assert.Equal(2, segments);   // the first byte alone, then the other 99 when it is acknowledged
        }

        [Fact]
        public void Delayed_acks_cover_two_full_segments_or_wait_40_ms()
        {
            using var wire = new TcpTestWire(58) { Delay = 10 };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            b.Capture = true;
            // Twenty full segments: one ACK per two.
            byte[] data = Pattern(20 * 1460, 59), got = new byte[data.Length];
            Assert.Equal(data.Length, Write(a.Stack, client, data, 0, data.Length));
            int read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, server, got, read))) == data.Length, 5000));
            wire.Run(100);
            Assert.Equal(10, b.Sent.Count - DataSegments(b.Sent));
            // One small segment: its ACK leaves 40 ms after it arrived.
            b.Sent.Clear();
            long sentAt = wire.Clock.NowMilliseconds;
            Assert.Equal(10, Write(a.Stack, client, data, 0, 10));
            Assert.True(wire.RunUntil(() => b.Sent.Count == 1, 1000));
            Assert.Equal(wire.Delay + TcpLimits.DelayedAcknowledgmentTimeout, wire.Clock.NowMilliseconds - sentAt);
            Assert.True(b.Stack.Statistics.DelayedAcknowledgments > 0);
        }

        [Fact]
        public void A_receive_batch_acknowledges_its_in_order_segments_once_and_out_of_order_ones_at_once()
        {
            using var wire = new TcpTestWire(60) { Delay = 10, Batches = true };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            b.Capture = true;
            // Twenty full segments sent at once arrive together: one ACK for the batch, not ten.
            byte[] data = Pattern(20 * 1460, 61), got = new byte[data.Length];
            Assert.Equal(data.Length, Write(a.Stack, client, data, 0, data.Length));
            int read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, server, got, read))) == data.Length, 5000));
            wire.Run(100);
            Assert.Equal(data, got);
            int acknowledgments = b.Sent.Count - DataSegments(b.Sent);
            Assert.True(acknowledgments >= 1 && acknowledgments <= 3, $"{acknowledgments} ACKs for 20 segments in a batch or two");
            // A segment lost in the next batch: every later one is acknowledged at once (duplicate ACKs for fast
            // retransmit), whatever the batch.
            b.Sent.Clear();
            bool dropped = false;
            a.Filter = bytes => dropped || !(dropped = DataSegments(new System.Collections.Generic.List<byte[]> { bytes }) == 1);
            Assert.Equal(data.Length, Write(a.Stack, client, data, 0, data.Length));
            read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, server, got, read))) == data.Length, 5000));
            Assert.Equal(data, got);
            Assert.True(b.Stack.Statistics.OutOfOrderSegments >= 3);
            Assert.True(a.Stack.Statistics.FastRetransmissions >= 1, "the sender saw three duplicate ACKs from one batch");
        }

        [Fact]
        public void Transfers_in_receive_batches_over_a_lossy_reordering_wire_arrive_whole()
        {
            using var wire = new TcpTestWire(62) { Loss = 0.03, Duplication = 0.02, Corruption = 0.01, Delay = 5, Jitter = 10, Batches = true };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            byte[] data = Pattern(2 << 20, 63), got = new byte[data.Length];
            int written = 0, read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, server, got, read))) == data.Length, 600_000,
                () => written += Math.Max(0, Write(a.Stack, client, data, written, data.Length - written))));
            Assert.Equal(data, got);
            Assert.True(a.Stack.Statistics.FastRetransmissions > 0);
        }
    }
}
