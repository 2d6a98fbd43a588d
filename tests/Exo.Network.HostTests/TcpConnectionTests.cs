using System;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>Handshake, data both ways, the ways a connection ends (graceful from either side, simultaneous, resets, timeouts).</summary>
    public unsafe class TcpConnectionTests
    {
        [Fact]
        public void Handshake_then_data_both_ways_then_close_from_client_reaches_time_wait_and_expires()
        {
            using var wire = new TcpTestWire(1);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(TcpState.Established, b.Stack.StateOf(server));
            Assert.Equal(Error.None, b.Stack.RemoteEndpoint(server, out Ipv4Address peer, out ushort peerPort));
            Assert.True(peer == AddressA);
            Assert.Equal(Error.None, a.Stack.LocalEndpoint(client, out _, out ushort clientPort));
            Assert.Equal(clientPort, peerPort);
            Assert.InRange(clientPort, TcpLimits.FirstEphemeralPort, TcpLimits.LastEphemeralPort);

            byte[] request = Pattern(1000, 1), response = Pattern(3000, 2);
            Assert.Equal(1000, Write(a.Stack, client, request, 0, 1000));
            Assert.Equal(3000, Write(b.Stack, server, response, 0, 3000));
            byte[] gotRequest = new byte[1000], gotResponse = new byte[3000];
            int requestRead = 0, responseRead = 0;
            Assert.True(wire.RunUntil(() =>
            {
                int n = Read(b.Stack, server, gotRequest, requestRead); if (n > 0) requestRead += n;
                n = Read(a.Stack, client, gotResponse, responseRead); if (n > 0) responseRead += n;
                return requestRead == 1000 && responseRead == 3000;
            }, 10_000));
            Assert.Equal(request, gotRequest);
            Assert.Equal(response, gotResponse);

            // The client closes: FIN-WAIT-1, FIN-WAIT-2; the server reads end of stream and closes: LAST-ACK, then CLOSED.
            Assert.Equal(Error.None, a.Stack.Shutdown(client, TcpShutdown.Write));
            Assert.True(wire.RunUntil(() => b.Stack.StateOf(server) == TcpState.CloseWait && a.Stack.StateOf(client) == TcpState.FinWait2, 5000));
            fixed (byte* p = gotRequest)
            {
                Assert.Equal(Error.None, b.Stack.Receive(server, p, 10, out int eof));
                Assert.Equal(0, eof);
            }
            Assert.True((b.Stack.Poll(server) & TcpReadiness.ReadHangUp) != 0);
            Assert.Equal(Error.None, b.Stack.Close(server));
            Assert.True(wire.RunUntil(() => a.Stack.StateOf(client) == TcpState.TimeWait, 5000));
            Assert.Equal(TcpState.TimeWait, a.Stack.StateOf(client));
            Assert.True(wire.RunUntil(() => b.Stack.Table.InUse == 1, 1000));   // the server's connection is gone; its listener stays
            // TIME-WAIT lasts 2 MSL, then the client's socket is CLOSED (kept for its owner until close).
            long entered = wire.Clock.NowMilliseconds;
            wire.Run(TcpLimits.TimeWaitDuration - 100);
            Assert.Equal(TcpState.TimeWait, a.Stack.StateOf(client));
            wire.Run(200);
            Assert.Equal(TcpState.Closed, a.Stack.StateOf(client));
            Assert.True(wire.Clock.NowMilliseconds - entered >= TcpLimits.TimeWaitDuration);
            Assert.Equal(Error.None, a.Stack.Close(client));
            Assert.Equal(0, a.Stack.Table.InUse);
        }

        [Fact]
        public void Close_from_server_side_and_orphans_finish_alone()
        {
            using var wire = new TcpTestWire(2);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 8080);
            var (client, server) = Connect(wire, a, b, listener, 8080);
            byte[] data = Pattern(20_000, 3);
            Assert.Equal(20_000, Write(b.Stack, server, data, 0, data.Length));
            Assert.Equal(Error.None, b.Stack.Close(server));   // the queued data still goes, then the FIN
            Assert.Equal(Error.BadHandle, b.Stack.Send(server, null, 0, out _));
            byte[] got = new byte[20_000];
            int read = 0;
            bool eof = false;
            Assert.True(wire.RunUntil(() =>
            {
                int n = Read(a.Stack, client, got, read);
                if (n > 0) read += n;
                if (n < 0) eof = true;
                return eof;
            }, 10_000));
            Assert.Equal(data, got);
            Assert.Equal(TcpState.CloseWait, a.Stack.StateOf(client));
            Assert.Equal(Error.None, a.Stack.Close(client));
            wire.Run(TcpLimits.TimeWaitDuration + 1000);
            Assert.Equal(1, b.Stack.Table.InUse);   // only the listener: the orphan went through TIME-WAIT
            Assert.Equal(0, a.Stack.Table.InUse);
        }

        [Fact]
        public void Simultaneous_close_goes_through_closing_to_time_wait_on_both_sides()
        {
            using var wire = new TcpTestWire(3);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 7);
            var (client, server) = Connect(wire, a, b, listener, 7);
            Assert.Equal(Error.None, a.Stack.Shutdown(client, TcpShutdown.Write));
            Assert.Equal(Error.None, b.Stack.Shutdown(server, TcpShutdown.Write));
            Assert.Equal(TcpState.FinWait1, a.Stack.StateOf(client));
            Assert.Equal(TcpState.FinWait1, b.Stack.StateOf(server));
            bool sawClosing = false;
            Assert.True(wire.RunUntil(() =>
            {
                sawClosing |= a.Stack.StateOf(client) == TcpState.Closing || b.Stack.StateOf(server) == TcpState.Closing;
                return a.Stack.StateOf(client) == TcpState.TimeWait && b.Stack.StateOf(server) == TcpState.TimeWait;
            }, 5000));
            Assert.True(sawClosing);
        }

        [Fact]
        public void Simultaneous_open_connects_both_sockets()
        {
            using var wire = new TcpTestWire(4);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            Assert.Equal(Error.None, a.Stack.Open(out int sa));
            Assert.Equal(Error.None, b.Stack.Open(out int sb));
            Assert.Equal(Error.None, a.Stack.Bind(sa, Ipv4Address.Any, 5000));
            Assert.Equal(Error.None, b.Stack.Bind(sb, Ipv4Address.Any, 6000));
            Assert.Equal(Error.InProgress, a.Stack.Connect(sa, AddressB, 6000));
            Assert.Equal(Error.InProgress, b.Stack.Connect(sb, AddressA, 5000));
            Assert.Equal(Error.AlreadyInProgress, a.Stack.Connect(sa, AddressB, 6000));
            Assert.True(wire.RunUntil(() => a.Stack.StateOf(sa) == TcpState.Established && b.Stack.StateOf(sb) == TcpState.Established, 5000));
            Assert.Equal(Error.AlreadyConnected, a.Stack.Connect(sa, AddressB, 6000));
            byte[] data = Pattern(100, 5), got = new byte[100];
            Assert.Equal(100, Write(a.Stack, sa, data, 0, 100));
            int read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, sb, got, read))) == 100, 1000));
            Assert.Equal(data, got);
        }

        [Fact]
        public void Connect_to_a_closed_port_is_refused_by_reset()
        {
            using var wire = new TcpTestWire(5);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 9));
            Assert.True(wire.RunUntil(() => (a.Stack.Poll(client) & TcpReadiness.Error) != 0, 1000));
            Assert.Equal(1, b.Stack.Statistics.NoConnection);
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.PendingError, out int pending));
            Assert.Equal((int)Error.ConnectionRefused, pending);
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.PendingError, out pending));
            Assert.Equal(0, pending);

            // The same through the next call instead of SO_ERROR.
            Assert.Equal(Error.None, a.Stack.Open(out int second));
            Assert.Equal(Error.InProgress, a.Stack.Connect(second, AddressB, 9));
            wire.Run(100);
            Assert.Equal(Error.ConnectionRefused, a.Stack.Connect(second, AddressB, 9));
        }

        [Fact]
        public void Reset_on_an_established_connection_reports_connection_reset_then_end_of_stream()
        {
            using var wire = new TcpTestWire(6);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, b.Stack.Abort(server));
            wire.Run(100);
            Assert.Equal(TcpState.Closed, a.Stack.StateOf(client));
            Assert.True((a.Stack.Poll(client) & (TcpReadiness.Error | TcpReadiness.HangUp)) == (TcpReadiness.Error | TcpReadiness.HangUp));
            byte[] buffer = new byte[10];
            fixed (byte* p = buffer)
            {
                Assert.Equal(Error.ConnectionReset, a.Stack.Receive(client, p, 10, out _));
                Assert.Equal(Error.None, a.Stack.Receive(client, p, 10, out int n));
                Assert.Equal(0, n);
                Assert.Equal(Error.PeerGone, a.Stack.Send(client, p, 10, out _));
            }
        }

        [Fact]
        public void Close_with_unread_data_resets_the_peer()
        {
            using var wire = new TcpTestWire(7);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(10, Write(a.Stack, client, Pattern(10, 1), 0, 10));
            wire.Run(100);
            Assert.Equal(Error.None, b.Stack.Available(server, out int available));
            Assert.Equal(10, available);
            Assert.Equal(Error.None, b.Stack.Close(server));
            wire.Run(100);
            Assert.Equal(TcpState.Closed, a.Stack.StateOf(client));
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.PendingError, out int pending));
            Assert.Equal((int)Error.ConnectionReset, pending);
        }

        [Fact]
        public void Connect_to_a_silent_host_times_out_after_the_syn_retries()
        {
            using var wire = new TcpTestWire(8);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            b.Filter = _ => false;   // B answers nothing
            a.Capture = true;
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            long start = wire.Clock.NowMilliseconds;
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            Assert.True(wire.RunUntil(() => a.Stack.StateOf(client) == TcpState.Closed, 300_000));
            long took = wire.Clock.NowMilliseconds - start;
            // 1 + 2 + 4 + ... + 64 seconds: 7 SYNs, 127 s.
            Assert.Equal(1 + TcpLimits.MaximumSynRetransmissions, a.Sent.Count);
            Assert.InRange(took, 126_000, 128_000);
            Assert.Equal(Error.TimedOut, a.Stack.Connect(client, AddressB, 80));
        }
    }
}
