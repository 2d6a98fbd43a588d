using System;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>The socket calls' Linux semantics: bind and ports, send/receive edge cases, shutdown, readiness and change notification, RST rules.</summary>
    public unsafe class TcpSocketTests
    {
        [Fact]
        public void Bind_refuses_a_used_port_unless_reuse_address_and_time_wait()
        {
            using var wire = new TcpTestWire(81);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            Assert.Equal(Error.None, b.Stack.Open(out int listener));
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReuseAddress, 1));
            Assert.Equal(Error.None, b.Stack.Bind(listener, Ipv4Address.Any, 80));
            Assert.Equal(Error.Invalid, b.Stack.Bind(listener, Ipv4Address.Any, 81));   // bound already
            Assert.Equal(Error.None, b.Stack.Listen(listener, 4));
            Assert.Equal(Error.None, b.Stack.Open(out int other));
            Assert.Equal(Error.AddressInUse, b.Stack.Bind(other, AddressB, 80));   // overlaps Any
            Assert.Equal(Error.None, b.Stack.SetOption(other, TcpSocketOption.ReuseAddress, 1));
            Assert.Equal(Error.AddressInUse, b.Stack.Bind(other, Ipv4Address.Any, 80));   // the other listens: reuse does not help
            Assert.Equal(Error.None, b.Stack.Close(other));

            // The server closes first: its connection sits in TIME-WAIT on port 80.
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, b.Stack.Close(server));
            Assert.Equal(Error.None, b.Stack.Close(listener));
            wire.Run(100);
            Assert.Equal(Error.None, a.Stack.Close(client));
            wire.Run(100);
            Assert.Equal(1, b.Stack.Table.InUse);   // the TIME-WAIT orphan
            Assert.Equal(Error.None, b.Stack.Open(out int plain));
            Assert.Equal(Error.AddressInUse, b.Stack.Bind(plain, Ipv4Address.Any, 80));
            Assert.Equal(Error.None, b.Stack.Open(out int reusing));
            Assert.Equal(Error.None, b.Stack.SetOption(reusing, TcpSocketOption.ReuseAddress, 1));
            Assert.Equal(Error.None, b.Stack.Bind(reusing, Ipv4Address.Any, 80));
            Assert.Equal(Error.None, b.Stack.Listen(reusing, 4));
            // Port 0 gives an ephemeral port.
            Assert.Equal(Error.None, b.Stack.Bind(plain, Ipv4Address.Any, 0));
            Assert.Equal(Error.None, b.Stack.LocalEndpoint(plain, out _, out ushort port));
            Assert.InRange(port, TcpLimits.FirstEphemeralPort, TcpLimits.LastEphemeralPort);
        }

        [Fact]
        public void Calls_on_wrong_states_and_stale_handles_give_linux_errors()
        {
            using var wire = new TcpTestWire(82);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            Assert.Equal(Error.None, a.Stack.Open(out int socket));
            byte[] buffer = new byte[10];
            fixed (byte* p = buffer)
            {
                Assert.Equal(Error.PeerGone, a.Stack.Send(socket, p, 10, out _));   // Linux's tcp_sendmsg: EPIPE
                Assert.Equal(Error.NotConnected, a.Stack.Receive(socket, p, 10, out _));
                Assert.Equal(Error.NotConnected, a.Stack.Shutdown(socket, TcpShutdown.Write));
                Assert.Equal(Error.NotConnected, a.Stack.RemoteEndpoint(socket, out _, out _));
                Assert.Equal(Error.Invalid, a.Stack.Accept(socket, out _, out _, out _));
                Assert.Equal(Error.NoProtocolOption, a.Stack.SetOption(socket, (TcpSocketOption)99, 1));
                Assert.Equal(Error.InProgress, a.Stack.Connect(socket, AddressB, 80));
                Assert.Equal(Error.WouldBlock, a.Stack.Send(socket, p, 10, out _));
                Assert.Equal(Error.WouldBlock, a.Stack.Receive(socket, p, 10, out _));
                Assert.Equal(Error.Invalid, a.Stack.Listen(socket, 1));
                Assert.Equal(Error.None, a.Stack.Close(socket));
                Assert.Equal(Error.BadHandle, a.Stack.Send(socket, p, 10, out _));
                Assert.Equal(Error.BadHandle, a.Stack.Close(socket));
                Assert.Equal(Error.BadHandle, a.Stack.Close(-5));
                Assert.Equal(Error.BadHandle, a.Stack.Close(0x7FFF_FFFF));
                Assert.Equal(TcpReadiness.None, a.Stack.Poll(socket));
            }
            // The slot is reused with a new generation: the old handle stays stale.
            Assert.Equal(Error.None, a.Stack.Open(out int again));
            Assert.NotEqual(socket, again);
            Assert.Equal(Error.BadHandle, a.Stack.Listen(socket, 1));
        }

        [Fact]
        public void Send_fills_the_buffer_then_would_block_and_shutdown_gives_end_of_stream_and_epipe()
        {
            using var wire = new TcpTestWire(83);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.SendBufferSize, 1));   // clamped to the minimum
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.SendBufferSize, out int size));
            Assert.Equal(TcpLimits.MinimumBufferSize, size);
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            int server = -1;
            Assert.True(wire.RunUntil(() => b.Stack.Accept(listener, out server, out _, out _) == Error.None, 1000));
            wire.Run(10);
            byte[] big = Pattern(100_000, 84);
            // Nobody reads at B; A's 4 KiB buffer fills once B's 64 KiB window is used up: then send would block.
            int total = 0;
            wire.RunUntil(() => false, 3000, () =>
            {
                fixed (byte* p = big)
                    if (a.Stack.Send(client, p + total, big.Length - total, out int sent) == Error.None)
                        total += sent;
            });
            bool blocked;
            fixed (byte* p = big)
                blocked = a.Stack.Send(client, p, 1, out _) == Error.WouldBlock;
            Assert.True(blocked);
            Assert.Equal(0, (int)(a.Stack.Poll(client) & TcpReadiness.Writable));
            Assert.InRange(total, 60_000, 70_000 + 4096);
            // B reads everything; A's socket becomes writable again and shows up as changed.
            int* changed = stackalloc int[16];
            a.Stack.TakeChangedSockets(changed, 16);
            byte[] got = new byte[total];
            int read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, server, got, read))) == total, 5000));
            Assert.True((a.Stack.Poll(client) & TcpReadiness.Writable) != 0);
            int count = a.Stack.TakeChangedSockets(changed, 16);
            Assert.Equal(1, count);
            Assert.Equal(client, changed[0]);
            Assert.Equal(0, a.Stack.TakeChangedSockets(changed, 16));

            // Shutdown write: B sees end of stream; A's send is EPIPE; B can still send to A (half close).
            Assert.Equal(Error.None, a.Stack.Shutdown(client, TcpShutdown.Write));
            fixed (byte* p = big)
                Assert.Equal(Error.PeerGone, a.Stack.Send(client, p, 1, out _));
            Assert.True(wire.RunUntil(() => Read(b.Stack, server, got, 0) == -1, 1000));
            Assert.Equal(5, Write(b.Stack, server, big, 0, 5));
            Assert.True(wire.RunUntil(() => Read(a.Stack, client, got, 0) == 5, 1000));
            // Shutdown read on B's side: receive returns 0 at once.
            Assert.Equal(Error.None, a.Stack.Shutdown(client, TcpShutdown.Read));
            fixed (byte* p = got)
            {
                Assert.Equal(Error.None, a.Stack.Receive(client, p, 10, out int n));
                Assert.Equal(0, n);
            }
            Assert.True((a.Stack.Poll(client) & TcpReadiness.HangUp) != 0);
        }

        [Fact]
        public void Resets_are_believed_only_at_the_exact_sequence_and_syns_get_challenge_acks()
        {
            using var wire = new TcpTestWire(85);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            TcpConnection connection = b.Stack.ConnectionOf(server);
            ushort clientPort = connection.RemotePort;
            uint next = connection.ReceiveNext;
            // In the window but not at RCV.NXT: a challenge ACK, the connection stays (RFC 5961 3.2).
            wire.Inject(b, AddressA, BuildSegment(AddressA, AddressB, clientPort, 80, next + 100, 0, TcpFlags.Reset, 0));
            Assert.Equal(TcpState.Established, b.Stack.StateOf(server));
            Assert.Equal(1, b.Stack.Statistics.ChallengeAcknowledgments);
            // Out of the window: ignored silently.
            wire.Inject(b, AddressA, BuildSegment(AddressA, AddressB, clientPort, 80, next + 10_000_000, 0, TcpFlags.Reset, 0));
            Assert.Equal(TcpState.Established, b.Stack.StateOf(server));
            // A SYN on the established connection: challenge ACK, no reset (RFC 5961 4.2).
            wire.Run(1000);
            wire.Inject(b, AddressA, BuildSegment(AddressA, AddressB, clientPort, 80, next + 5, 0, TcpFlags.Synchronize, 1000));
            Assert.Equal(TcpState.Established, b.Stack.StateOf(server));
            Assert.Equal(2, b.Stack.Statistics.ChallengeAcknowledgments);
            // Exactly at RCV.NXT: believed.
            wire.Inject(b, AddressA, BuildSegment(AddressA, AddressB, clientPort, 80, next, 0, TcpFlags.Reset, 0));
            Assert.Equal(TcpState.Closed, b.Stack.StateOf(server));
            Assert.Equal(Error.None, b.Stack.GetOption(server, TcpSocketOption.PendingError, out int pending));
            Assert.Equal((int)Error.ConnectionReset, pending);
            // A stray ACK to a listening port is answered with a reset numbered from its ACK field.
            b.Capture = true;
            wire.Inject(b, AddressA, BuildSegment(AddressA, AddressB, 999, 80, 5, 777, TcpFlags.Acknowledgment, 0));
            TcpSegment reset = ParseSegment(b.Sent[^1]);
            Assert.Equal(TcpFlags.Reset, reset.Flags);
            Assert.Equal(777u, reset.Sequence);
            // A bad checksum is dropped and counted, never answered.
            byte[] corrupt = BuildSegment(AddressA, AddressB, 999, 81, 5, 0, TcpFlags.Synchronize, 0);
            corrupt[16] ^= 0xFF;
            int sentBefore = b.Sent.Count;
            wire.Inject(b, AddressA, corrupt);
            Assert.Equal(sentBefore, b.Sent.Count);
            Assert.Equal(1, b.Stack.Statistics.BadChecksums);
        }

        [Fact]
        public void Data_for_a_closed_socket_resets_the_sender()
        {
            using var wire = new TcpTestWire(86);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, b.Stack.Close(server));   // FIN to A; A is in CLOSE-WAIT and may still send
            wire.Run(100);
            Assert.Equal(TcpState.CloseWait, a.Stack.StateOf(client));
            Assert.Equal(5, Write(a.Stack, client, Pattern(5, 87), 0, 5));
            wire.Run(100);
            Assert.Equal(TcpState.Closed, a.Stack.StateOf(client));
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.PendingError, out int pending));
            Assert.Equal((int)Error.PeerGone, pending);   // a reset in CLOSE-WAIT is EPIPE, as Linux's tcp_reset says
            Assert.Equal(1, b.Stack.Table.InUse);
        }

        [Fact]
        public void Icmp_port_unreachable_refuses_a_connection_attempt()
        {
            using var wire = new TcpTestWire(88);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            b.Filter = _ => false;
            a.Capture = true;
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            byte[] syn = a.Sent[0];
            fixed (byte* p = syn)
            {
                a.Stack.ReceiveError(IcmpErrorKind.HostUnreachable, AddressA, AddressB, p, 8);
                Assert.Equal(TcpState.SynSent, a.Stack.StateOf(client));   // soft
                a.Stack.ReceiveError(IcmpErrorKind.PortUnreachable, AddressA, AddressB, p, 8);
            }
            Assert.Equal(TcpState.Closed, a.Stack.StateOf(client));
            Assert.Equal(Error.ConnectionRefused, a.Stack.Connect(client, AddressB, 80));
        }

        [Fact]
        public void Sequence_numbers_wrapping_past_two_to_the_32_do_not_disturb_a_transfer()
        {
            using var wire = new TcpTestWire(89) { Loss = 0.02, Jitter = 5 };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            // Pick the time at which the client's ISN lands 20,000 below 2^32 (the test knows the host's ISN key).
            var isn = new TcpInitialSequence(0x1234_5678_9ABC_DEF0UL ^ AddressA.Value, 0x0FED_CBA9_8765_4321UL);
            uint hash = isn.Next(0, AddressA, 40000, AddressB, 80);
            uint wanted = unchecked(0u - 20_000u - hash);
            long now = wanted / TcpLimits.InitialSequenceTicksPerMillisecond + 1;
            wire.Clock.NowMilliseconds = now;
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.None, a.Stack.Bind(client, Ipv4Address.Any, 40000));
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            uint iss = a.Stack.ConnectionOf(client).InitialSendSequence;
            Assert.True(iss > 0xFFFF_0000u, $"ISS {iss:x}");
            int server = -1;
            Assert.True(wire.RunUntil(() => b.Stack.Accept(listener, out server, out _, out _) == Error.None, 10_000));
            byte[] data = Pattern(500_000, 90), got = new byte[data.Length];
            int sent = 0, read = 0;
            Assert.True(wire.RunUntil(() => read == data.Length, 120_000, () =>
            {
                sent += Write(a.Stack, client, data, sent, data.Length - sent);
                int n = Read(b.Stack, server, got, read);
                if (n > 0) read += n;
            }));
            Assert.Equal(data, got);
            Assert.True(a.Stack.ConnectionOf(client).SendUnacknowledged < 0x1000_0000u);   // wrapped
        }
    }
}
