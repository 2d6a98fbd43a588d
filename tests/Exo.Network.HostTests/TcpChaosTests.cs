using System;
using System.Collections.Generic;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>
    /// Random socket calls on random sockets of two hosts over a bad wire (connect, send, receive, shutdown, close,
    /// abort, options, listen, accept): no exception, handles stay coherent, and once everything is closed and
    /// time passes, every slot and buffer block is back.
    /// </summary>
    public unsafe class TcpChaosTests
    {
        [Theory]
        [InlineData(201)]
        [InlineData(202)]
        [InlineData(203)]
        public void Random_calls_over_a_bad_wire_leave_nothing_behind(int seed)
        {
            using var wire = new TcpTestWire(seed) { Loss = 0.05, Duplication = 0.05, Corruption = 0.02, Jitter = 20 };
            var hosts = new[] { wire.AddHost(AddressA, connections: 128), wire.AddHost(AddressB, connections: 128) };
            var random = new Random(seed);
            var sockets = new List<(int host, int socket)>();
            // Each host listens on two ports all along (backlog 2, so that queues overflow too).
            var listeners = new List<(int host, int socket)>();
            for (int h = 0; h < 2; h++)
                for (int port = 0; port < 2; port++)
                    listeners.Add((h, Listen(hosts[h].Stack, (ushort)(7000 + port), 2)));
            var seen = new Dictionary<(int host, int socket), TcpReadiness>();
            int changesSeen = 0;
            byte[] data = Pattern(20_000, seed);
            byte[] scratch = new byte[20_000];
            for (int step = 0; step < 20_000; step++)
            {
                int h = random.Next(2);
                TcpStack stack = hosts[h].Stack;
                int operation = random.Next(16);
                if (operation == 0 || sockets.Count == 0)
                {
                    // A new socket, usually connecting at once to one of the other host's ports (one of them closed).
                    if (stack.Open(out int s) == Error.None)
                    {
                        sockets.Add((h, s));
                        if (random.Next(4) != 0)
                            stack.Connect(s, hosts[1 - h].Address, (ushort)(7000 + random.Next(3)));
                    }
                    continue;
                }
                foreach (var (listenerHost, listener) in listeners)
                    if (random.Next(3) == 0)
                    {
                        seen.Remove((listenerHost, listener));   // the caller's own request: the service looks at it again anyway
                        while (hosts[listenerHost].Stack.Accept(listener, out int accepted, out _, out _) == Error.None)
                            sockets.Add((listenerHost, accepted));
                    }
                int index = random.Next(sockets.Count);
                var (owner, socket) = sockets[index];
                stack = hosts[owner].Stack;
                fixed (byte* p = data)
                fixed (byte* q = scratch)
                {
                    switch (operation)
                    {
                        case 1: stack.Bind(socket, Ipv4Address.Any, (ushort)(random.Next(3) == 0 ? 0 : 7000 + random.Next(4))); break;
                        case 2: stack.Listen(socket, random.Next(0, 4)); break;
                        case 3: stack.Connect(socket, hosts[1 - owner].Address, (ushort)(7000 + random.Next(4))); break;
                        case 4:
                        case 5: stack.Send(socket, p, random.Next(0, data.Length), out _); break;
                        case 6:
                        case 7: stack.Receive(socket, q, random.Next(0, scratch.Length), out _); break;
                        case 8: stack.Shutdown(socket, (TcpShutdown)random.Next(3)); break;
                        case 9:
                            Assert.Equal(Error.None, stack.Close(socket));
                            sockets.RemoveAt(index);
                            break;
                        case 10:
                            Assert.Equal(Error.None, stack.Abort(socket));
                            sockets.RemoveAt(index);
                            break;
                        case 11:
                            if (stack.Accept(socket, out int accepted, out _, out _) == Error.None)
                                sockets.Add((owner, accepted));
                            break;
                        case 12: stack.SetOption(socket, (TcpSocketOption)random.Next(10), random.Next(-5, 100_000)); break;
                        case 14:
                        case 15:
                            stack.Receive(socket, q, scratch.Length, out _);
                            stack.Send(socket, p, random.Next(0, 3000), out _);
                            break;
                        case 13:
                            stack.Poll(socket);
                            stack.GetOption(socket, (TcpSocketOption)random.Next(10), out _);
                            break;
                    }
                }
                if (step % 20 == 0)
                    wire.Run(random.Next(1, 300));
                changesSeen += CheckChangesListed(hosts, sockets, listeners, seen, touched: (owner, socket));
            }
            Assert.True(changesSeen > 100, $"{changesSeen} readiness changes seen");
            // The calls did make connections and move data (not only refusals).
            long opens = hosts[0].Stack.Statistics.PassiveOpens + hosts[1].Stack.Statistics.PassiveOpens;
            long segments = hosts[0].Stack.Statistics.SegmentsSent + hosts[1].Stack.Statistics.SegmentsSent;
            Assert.True(opens > 20, $"{opens} passive opens");
            Assert.True(segments > 2000, $"{segments} segments");
            foreach (var (owner, socket) in sockets)
                Assert.Equal(Error.None, hosts[owner].Stack.Close(socket));
            foreach (var (owner, socket) in listeners)
                Assert.Equal(Error.None, hosts[owner].Stack.Close(socket));
            wire.Loss = 0;
            wire.Run(3_600_000);
            foreach (var host in hosts)
            {
                Assert.Equal(0, host.Stack.Table.InUse);
                Assert.Equal(host.Stack.BufferPool.TotalBlocks, host.Stack.BufferPool.FreeBlocks);
                Assert.Equal(0, host.Stack.HalfOpenConnections);
            }
        }
    

        // The socket service posts readiness events only for the sockets TakeChangedSockets lists (and those a request
        // touched): every change of what Poll says must be listed, whatever the wire and the timers did. Returns the
        // changes it saw.
        private static int CheckChangesListed(TcpTestWire.Host[] hosts, List<(int host, int socket)> sockets,
            List<(int host, int socket)> listeners, Dictionary<(int host, int socket), TcpReadiness> seen, (int host, int socket) touched)
        {
            var listed = new HashSet<(int host, int socket)>();
            int* changed = stackalloc int[64];
            for (int h = 0; h < hosts.Length; h++)
            {
                int count;
                do
                {
                    count = hosts[h].Stack.TakeChangedSockets(changed, 64);
                    for (int i = 0; i < count; i++)
                        listed.Add((h, changed[i]));
                } while (count == 64);
            }
            seen.Remove(touched);
            int changes = 0;
            foreach (var key in Both(sockets, listeners))
            {
                TcpReadiness now = hosts[key.host].Stack.Poll(key.socket);
                if (seen.TryGetValue(key, out TcpReadiness before) && before != now)
                {
                    Assert.True(listed.Contains(key), $"host {key.host} socket {key.socket:x}: {before} became {now} unlisted");
                    changes++;
                }
                seen[key] = now;
            }
            return changes;
        }

        private static IEnumerable<(int host, int socket)> Both(List<(int host, int socket)> a, List<(int host, int socket)> b)
        {
            foreach (var item in a)
                yield return item;
            foreach (var item in b)
                yield return item;
        }
    }
}
