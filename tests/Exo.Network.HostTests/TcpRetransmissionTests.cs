using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>RFC 6298's estimator and timer, back-off and give-up, and fast retransmit on three duplicate ACKs.</summary>
    public unsafe class TcpRetransmissionTests
    {
        [Fact]
        public void Estimator_follows_rfc6298_formulas()
        {
            var estimator = new TcpRoundTripEstimator();
            estimator.Reset();
            Assert.Equal(TcpLimits.InitialRetransmissionTimeout, estimator.Timeout);
            estimator.Sample(100);   // 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
            Assert.Equal(100, estimator.SmoothedRoundTrip);
            Assert.Equal(50, estimator.RoundTripVariation);
            Assert.Equal(300, estimator.Timeout);
            estimator.Sample(180);   // 2.3: RTTVAR = 3/4*50 + 1/4*|100-180| = 57; SRTT = 7/8*100 + 1/8*180 = 110
            Assert.Equal(57, estimator.RoundTripVariation);
            Assert.Equal(110, estimator.SmoothedRoundTrip);
            Assert.Equal(110 + 4 * 57, estimator.Timeout);
            for (int i = 0; i < 100; i++)
                estimator.Sample(10);
            Assert.Equal(TcpLimits.MinimumRetransmissionTimeout, estimator.Timeout);   // the floor
            estimator.BackOff();
            Assert.Equal(2 * TcpLimits.MinimumRetransmissionTimeout, estimator.Timeout);
            for (int i = 0; i < 20; i++)
                estimator.BackOff();
            Assert.Equal(TcpLimits.MaximumRetransmissionTimeout, estimator.Timeout);   // the ceiling
            estimator.Sample(10);
            Assert.Equal(TcpLimits.MinimumRetransmissionTimeout, estimator.Timeout);   // a new sample ends the back-off
        }

        [Fact]
        public void Known_round_trip_gives_the_rfc6298_timeout_then_backoff_doubles_until_timed_out()
        {
            using var wire = new TcpTestWire(41) { Delay = 50 };   // 100 ms round trip
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            TcpConnection connection = a.Stack.ConnectionOf(client);
            Assert.Equal(100, connection.RoundTrip.SmoothedRoundTrip);   // the SYN's sample
            Assert.Equal(50, connection.RoundTrip.RoundTripVariation);
            Assert.Equal(300, connection.RoundTrip.Timeout);
            // A few exchanges with the same RTT: RTTVAR decays, RTO approaches SRTT + 4 RTTVAR down to the floor. Two
            // full segments each time, so that B acknowledges at once (a delayed ACK would add 40 ms to the sample).
            byte[] buffer = new byte[2 * 1460];
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(buffer.Length, Write(a.Stack, client, buffer, 0, buffer.Length));
                wire.Run(300);
                Read(b.Stack, server, buffer, 0);
            }
            Assert.Equal(100, connection.RoundTrip.SmoothedRoundTrip);
            int expected = Math.Max(TcpLimits.MinimumRetransmissionTimeout, 100 + 4 * connection.RoundTrip.RoundTripVariation);
            Assert.Equal(expected, connection.RoundTrip.Timeout);

            // Now B hears nothing: the same segment goes out again and again, each time twice as late.
            var sendTimes = new List<long>();
            a.Filter = bytes => { sendTimes.Add(wire.Clock.NowMilliseconds); return false; };
            int rto = connection.RoundTrip.Timeout;
            Assert.Equal(100, Write(a.Stack, client, buffer, 0, 100));
            Assert.True(wire.RunUntil(() => a.Stack.StateOf(client) == TcpState.Closed, 3_600_000));
            Assert.Equal(Error.TimedOut, a.Stack.Receive(client, null, 0, out _));
            // The original, 15 retransmissions, the reset at the end.
            Assert.Equal(1 + TcpLimits.MaximumDataRetransmissions + 1, sendTimes.Count);
            long interval = rto;
            for (int i = 1; i <= TcpLimits.MaximumDataRetransmissions; i++)
            {
                Assert.Equal(interval, sendTimes[i] - sendTimes[i - 1]);
                interval = Math.Min(interval * 2, TcpLimits.MaximumRetransmissionTimeout);
            }
        }

        [Fact]
        public void Three_duplicate_acks_trigger_one_fast_retransmit_before_the_timer()
        {
            using var wire = new TcpTestWire(42) { Delay = 20 };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            // Drop the first data segment once.
            bool dropped = false;
            long droppedAt = 0;
            a.Filter = bytes =>
            {
                TcpSegment segment = ParseSegment(bytes);
                if (!dropped && segment.PayloadLength > 0)
                {
                    dropped = true;
                    droppedAt = wire.Clock.NowMilliseconds;
                    return false;
                }
                return true;
            };
            byte[] data = Pattern(8 * 1460, 43), got = new byte[data.Length];
            Assert.Equal(data.Length, Write(a.Stack, client, data, 0, data.Length));
            int read = 0;
            long retransmittedAt = 0;
            Assert.True(wire.RunUntil(() =>
            {
                if (retransmittedAt == 0 && a.Stack.Statistics.FastRetransmissions > 0)
                    retransmittedAt = wire.Clock.NowMilliseconds;
                int n = Read(b.Stack, server, got, read);
                if (n > 0) read += n;
                return read == data.Length;
            }, 10_000));
            Assert.Equal(data, got);
            Assert.Equal(1, a.Stack.Statistics.FastRetransmissions);
            Assert.Equal(0, a.Stack.Statistics.RetransmissionTimeouts);
            Assert.Equal(1, a.Stack.Statistics.Retransmissions);
            Assert.True(b.Stack.Statistics.OutOfOrderSegments >= 3);
            Assert.True(a.Stack.Statistics.DuplicateAcknowledgments >= 3);
            Assert.True(retransmittedAt - droppedAt < a.Stack.ConnectionOf(client).RoundTrip.Timeout);
        }
    }
}
