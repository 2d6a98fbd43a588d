using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Exo.Abi;
using Exo.Network;

namespace Exo.Network.HostTests
{
    /// <summary>The stack's clock in tests: time moves only when the test says.</summary>
    /// <summary>
    /// A simulated link between TCP stacks: each host's IIpTransmitter queues segments with a delivery time; the
    /// wire loses, duplicates, delays (reordering through jitter) and corrupts them as configured, from a seeded
    /// random source, and delivers them to the other host's Receive as time advances. Timers run when due.
    /// </summary>
    public sealed unsafe class TcpTestWire : IDisposable
    {
        public readonly ManualClock Clock = new ManualClock { NowMilliseconds = 0 };   // the shared test clock (TestInfrastructure), from 0 here
        public readonly Random Random;
        public double Loss, Duplication, Corruption;
        public int Delay = 5;
        /// <summary>Delivers the segments due at one time to each host as one receive batch (as netstack hands a turn's
        /// frames to TcpStack): BeginReceiveBatch before them, EndReceiveBatch after.</summary>
        public bool Batches;
        /// <summary>Extra random delay 0..Jitter: segments overtake each other.</summary>
        public int Jitter;
        public readonly List<Host> Hosts = new List<Host>();
        private readonly List<Packet> _queue = new List<Packet>();
        private long _order;
        public long Delivered, Lost, Duplicated, Corrupted;

        private sealed class Packet
        {
            public long Time, Order;
            public Host To;
            public Ipv4Address Source, Destination;
            public byte[] Data;
        }

        public TcpTestWire(int seed) { Random = new Random(seed); }

        public sealed class Host : IIpTransmitter, IDisposable
        {
            public readonly TcpTestWire Wire;
            public readonly Ipv4Address Address;
            public readonly TcpStack Stack;
            public int MaximumTransportPayload = 1480;
            /// <summary>Every segment this host sent (header included), when Capture is on.</summary>
            public readonly List<byte[]> Sent = new List<byte[]>();
            public bool Capture;
            /// <summary>Return false to drop a segment this host sends (before the wire's own faults).</summary>
            public Func<byte[], bool> Filter;
            /// <summary>Segments to addresses no host has (a SYN flood's victims) are dropped.</summary>
            private readonly byte* _workspace;

            public Host(TcpTestWire wire, Ipv4Address address, int connections, ulong bufferBytes)
            {
                Wire = wire;
                Address = address;
                ulong length = TcpStack.WorkspaceBytes(connections, bufferBytes);
                _workspace = (byte*)NativeMemory.AllocZeroed((nuint)length);
                Error error = TcpStack.Create(this, wire.Clock, 0x1234_5678_9ABC_DEF0UL ^ address.Value, 0x0FED_CBA9_8765_4321UL, connections,
                    _workspace, length, out Stack);
                if (error != Error.None)
                    throw new InvalidOperationException("TcpStack.Create: " + error);
            }

            public Error Send(byte protocol, Ipv4Address source, Ipv4Address destination, byte* payload, int length)
            {
                var bytes = new byte[length];
                Marshal.Copy((IntPtr)payload, bytes, 0, length);
                if (Capture)
                    Sent.Add(bytes);
                if (Filter != null && !Filter(bytes))
                    return Error.None;
                Wire.Transmit(this, source.IsAny ? Address : source, destination, bytes);
                return Error.None;
            }

            public Ipv4Address SourceFor(Ipv4Address destination) => Address;

            public int MaximumPayload(Ipv4Address destination) => MaximumTransportPayload;
            public bool IsLocal(Ipv4Address destination) => false;   // every segment crosses the simulated wire, checksummed
            public bool ReceivingLocal => false;

            public void Dispose() => NativeMemory.Free(_workspace);
        }

        public Host AddHost(Ipv4Address address, int connections = 64, ulong bufferBytes = 16 << 20)
        {
            var host = new Host(this, address, connections, bufferBytes);
            Hosts.Add(host);
            return host;
        }

        private Host HostAt(Ipv4Address address)
        {
            foreach (Host host in Hosts)
                if (host.Address == address)
                    return host;
            return null;
        }

        private void Transmit(Host from, Ipv4Address source, Ipv4Address destination, byte[] bytes)
        {
            Host to = HostAt(destination);
            if (to == null)
                return;
            if (Loss > 0 && Random.NextDouble() < Loss)
            {
                Lost++;
                return;
            }
            int copies = Duplication > 0 && Random.NextDouble() < Duplication ? 2 : 1;
            if (copies == 2)
                Duplicated++;
            for (int copy = 0; copy < copies; copy++)
            {
                byte[] data = copy == 0 ? bytes : (byte[])bytes.Clone();
                if (Corruption > 0 && Random.NextDouble() < Corruption)
                {
                    data = (byte[])data.Clone();
                    data[Random.Next(data.Length)] ^= (byte)(1 + Random.Next(255));
                    Corrupted++;
                }
                long time = Clock.NowMilliseconds + Delay + (Jitter > 0 ? Random.Next(Jitter + 1) : 0);
                _queue.Add(new Packet { Time = time, Order = _order++, To = to, Source = source, Destination = destination, Data = data });
            }
        }

        /// <summary>Injects a raw segment as if it came from 'source' (fuzzing, floods).</summary>
        public void Inject(Host to, Ipv4Address source, byte[] data)
        {
            fixed (byte* p = data)
                to.Stack.Receive(source, to.Address, p, data.Length);
        }

        public int InFlight => _queue.Count;
        public long MaximumSteps = 20_000_000;

        /// <summary>The time of the next event (delivery or timer), long.MaxValue when none.</summary>
        public long NextEvent()
        {
            long next = long.MaxValue;
            foreach (Packet packet in _queue)
                if (packet.Time < next)
                    next = packet.Time;
            foreach (Host host in Hosts)
            {
                long deadline = host.Stack.NextDeadline;
                if (deadline < next)
                    next = deadline;
            }
            return next;
        }

        /// <summary>Advances to the next event (not beyond 'limit') and runs it; false when nothing happens before 'limit'.</summary>
        public bool Step(long limit)
        {
            long next = NextEvent();
            if (next > limit)
            {
                if (Clock.NowMilliseconds < limit)
                    Clock.NowMilliseconds = limit;
                return false;
            }
            if (next > Clock.NowMilliseconds)
                Clock.NowMilliseconds = next;
            long now = Clock.NowMilliseconds;
            if (Batches)
                foreach (Host host in Hosts)
                    host.Stack.BeginReceiveBatch();
            // Deliver everything due, in time order (ties in sending order).
            while (true)
            {
                Packet first = null;
                foreach (Packet packet in _queue)
                    if (packet.Time <= now && (first == null || packet.Time < first.Time || packet.Time == first.Time && packet.Order < first.Order))
                        first = packet;
                if (first == null)
                    break;
                _queue.Remove(first);
                Delivered++;
                fixed (byte* p = first.Data)
                    first.To.Stack.Receive(first.Source, first.Destination, p, first.Data.Length);
            }
            if (Batches)
                foreach (Host host in Hosts)
                    host.Stack.EndReceiveBatch();
            foreach (Host host in Hosts)
                if (host.Stack.NextDeadline <= now)
                    host.Stack.Tick(now);
            return true;
        }

        /// <summary>Runs events until 'done' holds (checked after each, with 'pump' run first) or 'duration' ms pass; returns whether done.</summary>
        public bool RunUntil(Func<bool> done, long duration, Action pump = null)
        {
            long limit = Clock.NowMilliseconds + duration;
            pump?.Invoke();
            if (done())
                return true;
            long steps = 0;
            while (Clock.NowMilliseconds <= limit)
            {
                if (++steps > MaximumSteps)
                    throw new InvalidOperationException("the wire made no progress (a timer that does not move?) at " + Clock.NowMilliseconds);
                bool stepped = Step(limit);
                pump?.Invoke();
                if (done())
                    return true;
                if (!stepped)
                    return false;
            }
            return done();
        }

        /// <summary>Lets 'duration' ms pass, running every event in it.</summary>
        public void Run(long duration) => RunUntil(() => false, duration);

        public void Dispose()
        {
            foreach (Host host in Hosts)
                host.Dispose();
        }
    }
}
