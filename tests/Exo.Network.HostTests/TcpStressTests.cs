using System;
using System.Security.Cryptography;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>Several connections at once over bad wires with varied seeds, buffer sizes and MSS, each ending gracefully.</summary>
    public unsafe class TcpStressTests
    {
        [Theory]
        [InlineData(101, 0.05, 0.02, 0.01, 20, 1480, 65536)]
        [InlineData(102, 0.10, 0.05, 0.02, 30, 576, 16384)]
        [InlineData(103, 0.02, 0.10, 0.00, 50, 1480, 4096)]
        [InlineData(104, 0.15, 0.00, 0.05, 5, 9000, 262144)]
        [InlineData(105, 0.00, 0.30, 0.00, 100, 1480, 8192)]
        [InlineData(106, 0.20, 0.05, 0.05, 20, 1480, 65536)]
        [InlineData(107, 0.05, 0.05, 0.05, 10, 108, 32768)]
        public void Several_connections_over_a_bad_wire_deliver_everything_and_close(int seed, double loss, double duplication, double corruption,
            int jitter, int maximumPayload, int bufferSize)
        {
            using var wire = new TcpTestWire(seed) { Loss = loss, Duplication = duplication, Corruption = corruption, Delay = 5, Jitter = jitter };
            var a = wire.AddHost(AddressA);
            var b = wire.AddHost(AddressB);
            a.MaximumTransportPayload = b.MaximumTransportPayload = maximumPayload;
            int listener = Listen(b.Stack, 80);
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.ReceiveBufferSize, bufferSize));
            Assert.Equal(Error.None, b.Stack.SetOption(listener, TcpSocketOption.SendBufferSize, bufferSize));
            const int count = 6;
            int length = 300_000;
            var clients = new int[count];
            var servers = new int[count];
            var up = new byte[count][];
            var down = new byte[count][];
            var gotUp = new byte[count][];
            var gotDown = new byte[count][];
            var upSent = new int[count];
            var downSent = new int[count];
            var upRead = new int[count];
            var downRead = new int[count];
            var upEnd = new bool[count];
            var downEnd = new bool[count];
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(Error.None, a.Stack.Open(out clients[i]));
                Assert.Equal(Error.None, a.Stack.SetOption(clients[i], TcpSocketOption.ReceiveBufferSize, bufferSize));
                Assert.Equal(Error.None, a.Stack.SetOption(clients[i], TcpSocketOption.NoDelay, i % 2));
                Assert.Equal(Error.InProgress, a.Stack.Connect(clients[i], AddressB, 80));
                up[i] = Pattern(length + i * 1001, seed * 10 + i);
                down[i] = Pattern(length / 2 + i * 777, seed * 20 + i);
                gotUp[i] = new byte[up[i].Length];
                gotDown[i] = new byte[down[i].Length];
                servers[i] = -1;
            }
            int accepted = 0;
            var serverIndex = new System.Collections.Generic.Dictionary<ushort, int>();
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(Error.None, a.Stack.LocalEndpoint(clients[i], out _, out ushort port));
                serverIndex[port] = i;
            }
            bool done = wire.RunUntil(() =>
            {
                for (int i = 0; i < count; i++)
                    if (!upEnd[i] || !downEnd[i])
                        return false;
                return true;
            }, 900_000, () =>
            {
                while (b.Stack.Accept(listener, out int s, out _, out ushort peerPort) == Error.None)
                {
                    servers[serverIndex[peerPort]] = s;
                    accepted++;
                }
                for (int i = 0; i < count; i++)
                {
                    int n;
                    if (a.Stack.StateOf(clients[i]) >= TcpState.Established && upSent[i] < up[i].Length)
                    {
                        upSent[i] += Write(a.Stack, clients[i], up[i], upSent[i], up[i].Length - upSent[i]);
                        if (upSent[i] == up[i].Length)
                            Assert.Equal(Error.None, a.Stack.Shutdown(clients[i], TcpShutdown.Write));
                    }
                    while (!downEnd[i] && a.Stack.StateOf(clients[i]) >= TcpState.Established && (n = Read(a.Stack, clients[i], gotDown[i], downRead[i])) != 0)
                        if (n < 0) downEnd[i] = true; else downRead[i] += n;
                    int s = servers[i];
                    if (s < 0)
                        continue;
                    if (downSent[i] < down[i].Length)
                    {
                        downSent[i] += Write(b.Stack, s, down[i], downSent[i], down[i].Length - downSent[i]);
                        if (downSent[i] == down[i].Length)
                            Assert.Equal(Error.None, b.Stack.Shutdown(s, TcpShutdown.Write));
                    }
                    while (!upEnd[i] && (n = Read(b.Stack, s, gotUp[i], upRead[i])) != 0)
                        if (n < 0) upEnd[i] = true; else upRead[i] += n;
                }
            });
            string progress = "";
            for (int i = 0; i < count; i++)
                progress += $" [{i}: up {upRead[i]}/{up[i].Length} down {downRead[i]}/{down[i].Length} {a.Stack.StateOf(clients[i])}/{(servers[i] < 0 ? "-" : b.Stack.StateOf(servers[i]).ToString())}]";
            if (!done)
                for (int i = 0; i < count; i++)
                {
                    var c = a.Stack.ConnectionOf(clients[i]);
                    var d = servers[i] < 0 ? null : b.Stack.ConnectionOf(servers[i]);
                    if (c != null && d != null && c.State != TcpState.Closed)
                        progress += $"\nA{i}: una {c.SendUnacknowledged} nxt {c.SendNext} max {c.SendMaximum} wnd {c.SendWindow} cwnd {c.Congestion.CongestionWindow} rec {c.Congestion.InFastRecovery} sbuf {c.SendBuffer.Count} fin {c.FinQueued}/{c.FinSent} rdl {c.RetransmitDeadline} pdl {c.PersistDeadline} retx {c.Retransmissions} rto {c.RoundTrip.Timeout} now {wire.Clock.NowMilliseconds}"
                            + $"\nB{i}: rnxt {d.ReceiveNext} radv {d.ReceiveAdvertised} readable {d.ReceiveBuffer.Readable} ooo {d.ReceiveBuffer.OutOfOrderRanges} space {d.ReceiveBuffer.Space} rdl {d.RetransmitDeadline} dack {d.DelayedAcknowledgmentDeadline}";
                }
            Assert.True(done, "not finished:" + progress);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(SHA256.HashData(up[i]), SHA256.HashData(gotUp[i]));
                Assert.Equal(SHA256.HashData(down[i]), SHA256.HashData(gotDown[i]));
                Assert.Equal(Error.None, a.Stack.Close(clients[i]));
                Assert.Equal(Error.None, b.Stack.Close(servers[i]));
            }
            // Every connection ends (through TIME-WAIT) even on this wire; only the listener remains.
            wire.Loss = Math.Min(loss, 0.2);
            Assert.True(wire.RunUntil(() => a.Stack.Table.InUse == 0 && b.Stack.Table.InUse == 1, 600_000),
                $"left: A {a.Stack.Table.InUse}, B {b.Stack.Table.InUse}");
            Assert.Equal(a.Stack.BufferPool.TotalBlocks, a.Stack.BufferPool.FreeBlocks);
            Assert.Equal(b.Stack.BufferPool.TotalBlocks, b.Stack.BufferPool.FreeBlocks);
        }
    }
}
