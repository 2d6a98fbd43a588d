using System;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>The fixed table's edges: full table, TIME-WAIT recycling, orphans' limits, a listener closing with children.</summary>
    public unsafe class TcpTableTests
    {
        [Fact]
        public void Full_table_refuses_new_sockets_and_recycles_the_oldest_time_wait_slot()
        {
            using var wire = new TcpTestWire(91);
            var a = wire.AddHost(AddressA, connections: 8);
            var b = wire.AddHost(AddressB, connections: 64);
            int listener = Listen(b.Stack, 80);
            // Four connections closed by the client: four TIME-WAIT orphans on A.
            for (int i = 0; i < 4; i++)
            {
                var (client, server) = Connect(wire, a, b, listener, 80);
                Assert.Equal(Error.None, a.Stack.Close(client));
                wire.Run(50);
                Assert.Equal(Error.None, b.Stack.Close(server));
                wire.Run(1000);
            }
            Assert.Equal(4, a.Stack.Table.InUse);
            var open = new int[4];
            for (int i = 0; i < 4; i++)
                Assert.Equal(Error.None, a.Stack.Open(out open[i]));
            Assert.Equal(8, a.Stack.Table.InUse);
            // The table is full of TIME-WAIT and owned sockets: a new socket takes the oldest TIME-WAIT slot.
            Assert.Equal(Error.None, a.Stack.Open(out int extra));
            Assert.Equal(1, a.Stack.Statistics.TimeWaitRecycled);
            for (int i = 0; i < 3; i++)
                Assert.Equal(Error.None, a.Stack.Open(out _));
            Assert.Equal(Error.SystemTooManyFiles, a.Stack.Open(out _));   // only owned sockets left
            Assert.Equal(1, a.Stack.Statistics.TableFull);
        }

        [Fact]
        public void A_full_table_recycles_time_wait_slots_oldest_first_and_an_orphan_closed_late_too()
        {
            using var wire = new TcpTestWire(96);
            var a = wire.AddHost(AddressA, connections: 8);
            var b = wire.AddHost(AddressB, connections: 64);
            int listener = Listen(b.Stack, 80);
            // Four TIME-WAIT orphans on A, a second apart; a fifth connection ends in TIME-WAIT still owned
            // (shutdown, not close), and its owner closes it only after the others.
            var ports = new ushort[5];
            int owned = -1;
            for (int i = 0; i < 5; i++)
            {
                var (client, server) = Connect(wire, a, b, listener, 80);
                ports[i] = LocalPortOf(a.Stack, client);
                if (i == 0)
                {
                    owned = client;
                    Assert.Equal(Error.None, a.Stack.Shutdown(client, TcpShutdown.Write));
                }
                else
                    Assert.Equal(Error.None, a.Stack.Close(client));
                wire.Run(50);
                Assert.Equal(Error.None, b.Stack.Close(server));
                wire.Run(1000);
            }
            Assert.Equal(TcpState.TimeWait, a.Stack.StateOf(owned));
            Assert.Equal(Error.None, a.Stack.Close(owned));
            Assert.Equal(5, TimeWaitPorts(a.Stack).Count);
            for (int i = 0; i < 3; i++)
                Assert.Equal(Error.None, a.Stack.Open(out _));
            // Full: each new socket takes the TIME-WAIT slot closest to its end, the orphans in the order they entered
            // TIME-WAIT; the one closed late became recyclable last and goes last.
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(Error.None, a.Stack.Open(out _));
                var left = TimeWaitPorts(a.Stack);
                Assert.Equal(4 - i, left.Count);
                Assert.Equal(i + 1, a.Stack.Statistics.TimeWaitRecycled);
                if (i < 4)
                    Assert.DoesNotContain(ports[i + 1], left);
            }
            Assert.Equal(Error.SystemTooManyFiles, a.Stack.Open(out _));
        }

        [Fact]
        public void The_port_index_agrees_with_a_model_through_random_binds_and_closes()
        {
            using var wire = new TcpTestWire(97);
            var a = wire.AddHost(AddressA, connections: 16);   // 16 port chains: ports 16 apart share one
            var random = new Random(97);
            var owners = new System.Collections.Generic.Dictionary<int, ushort>();   // bound socket -> port
            for (int step = 0; step < 4000; step++)
            {
                if (owners.Count > 0 && (owners.Count == 12 || random.Next(3) == 0))
                {
                    int victim = -1;
                    int pick = random.Next(owners.Count);
                    foreach (int socket in owners.Keys)
                        if (pick-- == 0)
                            victim = socket;
                    Assert.Equal(Error.None, a.Stack.Close(victim));
                    owners.Remove(victim);
                    continue;
                }
                Assert.Equal(Error.None, a.Stack.Open(out int fresh));
                ushort port = random.Next(4) == 0 ? (ushort)0 : (ushort)(1000 + 16 * random.Next(6));
                bool taken = port != 0 && owners.ContainsValue(port);
                Error error = a.Stack.Bind(fresh, Ipv4Address.Any, port);
                Assert.Equal(taken ? Error.AddressInUse : Error.None, error);
                if (error != Error.None)
                {
                    Assert.Equal(Error.None, a.Stack.Close(fresh));
                    continue;
                }
                port = LocalPortOf(a.Stack, fresh);
                Assert.False(owners.ContainsValue(port));
                owners[fresh] = port;
            }
        }

        private static ushort LocalPortOf(TcpStack stack, int socket)
        {
            Assert.Equal(Error.None, stack.LocalEndpoint(socket, out _, out ushort port));
            return port;
        }

        private static System.Collections.Generic.List<ushort> TimeWaitPorts(TcpStack stack)
        {
            var ports = new System.Collections.Generic.List<ushort>();
            for (int slot = 0; slot < stack.Table.Capacity; slot++)
                if (stack.Table[slot].InUse && stack.Table[slot].State == TcpState.TimeWait)
                    ports.Add(stack.Table[slot].LocalPort);
            return ports;
        }

        [Fact]
        public void Orphan_in_fin_wait_2_is_dropped_after_the_fin_timeout_but_an_owned_half_close_waits()
        {
            using var wire = new TcpTestWire(92);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            var (client, server) = Connect(wire, a, b, listener, 80);
            var (ownedClient, ownedServer) = Connect(wire, a, b, listener, 80);
            Assert.Equal(Error.None, a.Stack.Close(client));                              // orphan
            Assert.Equal(Error.None, a.Stack.Shutdown(ownedClient, TcpShutdown.Write));   // still owned
            wire.Run(1000);
            Assert.Equal(TcpState.FinWait2, a.Stack.StateOf(ownedClient));
            Assert.Equal(2, a.Stack.Table.InUse);
            wire.Run(TcpLimits.OrphanFinWait2Timeout);
            Assert.Equal(1, a.Stack.Table.InUse);
            Assert.Equal(TcpState.FinWait2, a.Stack.StateOf(ownedClient));
            wire.Run(10 * TcpLimits.OrphanFinWait2Timeout);
            Assert.Equal(TcpState.FinWait2, a.Stack.StateOf(ownedClient));
            Assert.Equal(TcpState.CloseWait, b.Stack.StateOf(ownedServer));
        }

        [Fact]
        public void Orphan_facing_a_zero_window_gives_up_after_its_probes_but_an_owned_socket_does_not()
        {
            using var wire = new TcpTestWire(95);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReceiveBufferSize, 4096));
            var (client, server) = Connect(wire, a, b, listener, 80);
            var (owned, ownedServer) = Connect(wire, a, b, listener, 80);
            Assert.Equal(30_000, Write(a.Stack, client, Pattern(30_000, 96), 0, 30_000));
            Assert.Equal(30_000, Write(a.Stack, owned, Pattern(30_000, 97), 0, 30_000));
            wire.Run(2000);
            Assert.Equal(Error.None, a.Stack.Close(client));   // the orphan still has 26 KB to deliver to a window that stays shut
            Assert.True(wire.RunUntil(() => a.Stack.Table.InUse == 1, 3_600_000));
            wire.Run(100);   // the orphan's reset reaches B
            Assert.Equal(1, b.Stack.Statistics.ResetsReceived);
            Assert.Equal(TcpState.Closed, b.Stack.StateOf(server));
            Assert.Equal(TcpState.Established, a.Stack.StateOf(owned));
        }

        [Fact]
        public void Closing_a_listener_resets_the_connections_waiting_for_accept()
        {
            using var wire = new TcpTestWire(93);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            wire.Run(100);
            Assert.Equal(TcpState.Established, a.Stack.StateOf(client));
            Assert.Equal(2, b.Stack.Table.InUse);
            Assert.Equal(Error.None, b.Stack.Close(listener));
            Assert.Equal(0, b.Stack.Table.InUse);
            wire.Run(100);
            Assert.Equal(TcpState.Closed, a.Stack.StateOf(client));
            Assert.Equal(Error.None, a.Stack.GetOption(client, TcpSocketOption.PendingError, out int pending));
            Assert.Equal((int)Error.ConnectionReset, pending);
            // The port is free again.
            Listen(b.Stack, 80);
        }

        [Fact]
        public void Time_wait_answers_a_retransmitted_fin_and_a_new_syn_reopens_the_pair()
        {
            using var wire = new TcpTestWire(94);
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReuseAddress, 1));
            Assert.Equal(Error.None, a.Stack.Open(out int client));
            Assert.Equal(Error.None, a.Stack.SetOption(client, TcpSocketOption.ReuseAddress, 1));
            Assert.Equal(Error.None, a.Stack.Bind(client, Ipv4Address.Any, 50000));
            Assert.Equal(Error.InProgress, a.Stack.Connect(client, AddressB, 80));
            int server = -1;
            Assert.True(wire.RunUntil(() => b.Stack.Accept(listener, out server, out _, out _) == Error.None, 1000));
            // The server closes first, so it ends in TIME-WAIT; its last ACK (for the client's FIN) is lost once.
            Assert.Equal(Error.None, b.Stack.Close(server));
            wire.Run(100);
            Assert.Equal(TcpState.CloseWait, a.Stack.StateOf(client));
            int dropped = 0;
            b.Filter = bytes => !(ParseSegment(bytes).Flags == TcpFlags.Acknowledgment && dropped++ == 0);
            Assert.Equal(Error.None, a.Stack.Close(client));   // FIN: the client's orphan waits in LAST-ACK
            wire.Run(100);
            Assert.Equal(1, dropped);
            Assert.Equal(1, a.Stack.Table.InUse);
            // The client resends its FIN after its RTO; TIME-WAIT answers it, and the client's orphan ends.
            Assert.True(wire.RunUntil(() => a.Stack.Table.InUse == 0, 5000));
            Assert.Equal(2, b.Stack.Table.InUse);   // the listener and the TIME-WAIT connection
            // A new connection on the same four values while B still holds TIME-WAIT: the SYN above its numbers reopens.
            Assert.Equal(Error.None, a.Stack.Open(out int again));
            Assert.Equal(Error.None, a.Stack.SetOption(again, TcpSocketOption.ReuseAddress, 1));
            Assert.Equal(Error.None, a.Stack.Bind(again, Ipv4Address.Any, 50000));
            wire.Clock.NowMilliseconds += 1000;   // a later ISN
            Assert.Equal(Error.InProgress, a.Stack.Connect(again, AddressB, 80));
            int second = -1;
            Assert.True(wire.RunUntil(() => b.Stack.Accept(listener, out second, out _, out _) == Error.None, 5000));
            Assert.Equal(TcpState.Established, a.Stack.StateOf(again));
        }
    }
}
