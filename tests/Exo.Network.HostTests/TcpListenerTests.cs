using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>Listeners under load: many clients at once, a full accept queue, a SYN flood.</summary>
    public unsafe class TcpListenerTests
    {
        [Fact]
        public void Hundred_connections_at_once_to_one_listener_all_carry_their_own_data()
        {
            using var wire = new TcpTestWire(31);
            var a = wire.AddHost(AddressA, connections: 256, bufferBytes: 32 << 20);
            var b = wire.AddHost(AddressB, connections: 256, bufferBytes: 32 << 20);
            int listener = Listen(b.Stack, 80, backlog: 128);
            const int count = 100;
            var clients = new int[count];
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(Error.None, a.Stack.Open(out clients[i]));
                Assert.Equal(Error.InProgress, a.Stack.Connect(clients[i], AddressB, 80));
            }
            var servers = new List<int>();
            Assert.True(wire.RunUntil(() =>
            {
                while (b.Stack.Accept(listener, out int s, out _, out _) == Error.None)
                    servers.Add(s);
                return servers.Count == count;
            }, 10_000));
            // Each client sends its index; each accepted socket echoes it back.
            for (int i = 0; i < count; i++)
                Assert.Equal(4, Write(a.Stack, clients[i], BitConverter.GetBytes(i), 0, 4));
            var echoed = new int[count];
            var got = new bool[count];
            Assert.True(wire.RunUntil(() =>
            {
                var buffer = new byte[4];
                foreach (int s in servers)
                    if (Read(b.Stack, s, buffer, 0) == 4)
                        Write(b.Stack, s, buffer, 0, 4);
                int done = 0;
                for (int i = 0; i < count; i++)
                {
                    if (!got[i] && Read(a.Stack, clients[i], buffer, 0) == 4)
                    {
                        got[i] = true;
                        echoed[i] = BitConverter.ToInt32(buffer);
                    }
                    if (got[i]) done++;
                }
                return done == count;
            }, 10_000));
            for (int i = 0; i < count; i++)
                Assert.Equal(i, echoed[i]);
            Assert.Equal(count + 1, b.Stack.Table.InUse);
        }

        [Fact]
        public void Full_accept_queue_drops_syns_until_the_owner_accepts_then_everyone_gets_in()
        {
            using var wire = new TcpTestWire(32);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80, backlog: 2);
            const int count = 6;
            var clients = new int[count];
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(Error.None, a.Stack.Open(out clients[i]));
                Assert.Equal(Error.InProgress, a.Stack.Connect(clients[i], AddressB, 80));
            }
            wire.Run(500);
            // backlog + 1 wait to be accepted, as on Linux; the others' SYNs or final ACKs were dropped.
            Assert.Equal(3, b.Stack.ConnectionOf(listener).AcceptCount);
            Assert.True(b.Stack.Statistics.ListenOverflows > 0);
            Assert.True((b.Stack.Poll(listener) & TcpReadiness.Readable) != 0);
            var accepted = new List<int>();
            Assert.True(wire.RunUntil(() =>
            {
                while (b.Stack.Accept(listener, out int s, out _, out _) == Error.None)
                    accepted.Add(s);
                return accepted.Count == count;
            }, 60_000));
            foreach (int client in clients)
                Assert.Equal(TcpState.Established, a.Stack.StateOf(client));
            Assert.Equal(Error.WouldBlock, b.Stack.Accept(listener, out _, out _, out _));
        }

        [Fact]
        public void Syn_flood_keeps_memory_bounded_and_real_clients_connect_during_and_after_it_with_cookies()
        {
            using var wire = new TcpTestWire(33);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB, connections: 1024);
            int listener = Listen(b.Stack, 80, backlog: 64);
            int freeBlocks = b.Stack.BufferPool.FreeBlocks;
            var random = new Random(34);
            int during = -1, duringServer = -1;
            // SYNs from random unroutable sources and ports: their SYN-ACKs go nowhere.
            for (int i = 0; i < 5000; i++)
            {
                var source = new Ipv4Address((uint)(0xC6120000 | (uint)random.Next(1 << 16)));   // 198.18.0.0/15, benchmark space
                byte[] syn = BuildSegment(source, AddressB, (ushort)random.Next(1024, 65536), 80, (uint)random.Next(), 0, TcpFlags.Synchronize, 65535,
                    new byte[] { 2, 4, 5, 180 });
                wire.Inject(b, source, syn);
                Assert.True(b.Stack.HalfOpenConnections <= TcpLimits.MaximumHalfOpenPerListener);
                Assert.True(b.Stack.Table.InUse <= 3 + TcpLimits.MaximumHalfOpenPerListener);
                if (i % 100 == 0)
                    wire.Run(1);
                if (i == 2500)
                {
                    // A real client in the middle of the flood: its SYN gets a cookie, its ACK makes the connection.
                    Assert.Equal(Error.None, a.Stack.Open(out during));
                    Assert.Equal(Error.InProgress, a.Stack.Connect(during, AddressB, 80));
                }
                if (during >= 0 && duringServer < 0 && b.Stack.Accept(listener, out int accepted, out _, out _) == Error.None)
                    duringServer = accepted;
            }
            Assert.True(duringServer >= 0);
            Assert.Equal(TcpState.Established, a.Stack.StateOf(during));
            Assert.Equal(freeBlocks - (TcpLimits.DefaultSendBufferSize + TcpLimits.DefaultReceiveBufferSize) / TcpLimits.BufferBlockSize,
                b.Stack.BufferPool.FreeBlocks);   // only the real connection holds buffers
            Assert.True(b.Stack.Statistics.SynCookiesSent >= 5000 - TcpLimits.MaximumHalfOpenPerListener);
            Assert.Equal(1, b.Stack.Statistics.SynCookiesAccepted);
            // Data flows on the cookie connection (no window scaling or SACK, an MSS the cookie named).
            Assert.Equal(3000, Write(a.Stack, during, Pattern(3000, 35), 0, 3000));
            byte[] got = new byte[3000];
            int read = 0;
            Assert.True(wire.RunUntil(() => (read += Math.Max(0, Read(b.Stack, duringServer, got, read))) == 3000, 2000));
            Assert.Equal(Pattern(3000, 35), got);
            Assert.Equal(1460, b.Stack.ConnectionOf(duringServer).SendSegmentSize);
            // Another real client right after the flood (the half-open slots are still full of it).
            var (client, server) = Connect(wire, a, b, listener, 80);
            Assert.Equal(TcpState.Established, b.Stack.StateOf(server));
            Assert.Equal(2, b.Stack.Statistics.SynCookiesAccepted);
            // A forged ACK with a wrong cookie is refused with a reset.
            wire.Inject(b, AddressA, BuildSegment(AddressA, AddressB, 1234, 80, 1, 0x12345678, TcpFlags.Acknowledgment, 100));
            Assert.Equal(1, b.Stack.Statistics.SynCookiesRejected);
            // The flood's half-open connections give up after their SYN-ACK retries (1+2+...+32 s, then 64 s more).
            wire.Run(130_000);
            Assert.Equal(0, b.Stack.HalfOpenConnections);
            Assert.Equal(3, b.Stack.Table.InUse);
        }
    }
}
