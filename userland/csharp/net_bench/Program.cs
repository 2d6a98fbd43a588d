using Exo.Abi;
using Exo.Protocols.Sockets;
using Exo.Std;
using Exo.Std.Net;

namespace NetBench
{
    /// <summary>
    /// The network rows of make bench, exo column: the same operations as the reference program
    /// (tools/bench/linux-reference/network/net.c, which Linux and POSIX-X run) through exo_std's native sockets, with
    /// the zero-copy calls (a receive read where it landed in the shared data slot, a send from the slot):
    /// net.tcp_connect_close and net.udp_rtt over loopback, net.tcp_rx_mib and net.tcp_tx_mib with QEMU's user network
    /// (10.0.2.100: port 5001 sends zeros, port 5002 takes everything). Measured as the reference program measures: a
    /// warm-up of at least <see cref="WarmInstructions"/>, then samples of batches, median and minimum per operation.
    /// Started by init (bench_network_native.conf) beside the device manager, which starts netstack: the channel and the
    /// first connection to the host are retried while it comes up. Prints EXO-BENCH-DONE at the end.
    /// </summary>
    public static unsafe class Program
    {
        private const uint Loopback = 0x7F000001, Host = 0x0A000264;
        private const ushort SourcePort = 5001, SinkPort = 5002;
        private const int Mebibyte = 1 << 20, Datagram = 64, MaximumSamples = 256;
        private const ulong WarmInstructions = 64UL << 20;
        private const long StartMilliseconds = 60_000;

        private const ulong PauseNanoseconds = 100_000_000;

        private static ulong* s_samples;
        private static Exo.Std.Ipc.Notification s_pause;   // never signalled: a timed wait on it is a sleep

        public static int Main()
        {
            s_samples = (ulong*)Exo.Std.Memory.UserHeap.Allocate(MaximumSamples * sizeof(ulong));
            if (s_samples == null)
                return Fail("memory", Error.OutOfMemory);
            if (Exo.Std.Ipc.Notification.Create(out s_pause) != Error.None)
                return Fail("a notification", Error.OutOfMemory);
            long deadline = MonotonicClock.Milliseconds + StartMilliseconds;
            Error error;
            SocketClientChannel channel;
            while ((error = SocketClientChannel.Open(out channel)) == Error.NotFound && MonotonicClock.Milliseconds < deadline)
                Pause();   // netstack is not offering yet
            if (error != Error.None)
                return Fail("the channel", error);
            error = ConnectClose(channel);
            if (error == Error.None)
                error = UdpRoundTrip(channel);
            if (error == Error.None)
                error = HostTransfer(channel, SourcePort, receive: true);
            if (error == Error.None)
                error = HostTransfer(channel, SinkPort, receive: false);
            if (error != Error.None)
                return Fail("a row", error);
            Console.WriteLine("EXO-BENCH-DONE");
            return 0;
        }

        private static Error ConnectClose(SocketClientChannel channel)
        {
            Error error = TcpSocket.Create(channel, out TcpSocket listener);
            SocketEndpoint address = default;
            if (error == Error.None)
                error = listener.Bind(SocketEndpoint.Internet(Loopback, 0));
            if (error == Error.None)
                error = listener.Listen(16);
            if (error == Error.None)
                error = listener.LocalEndpoint(out address);
            const int samples = 51, batch = 4;
            ulong start = Benchmark.ReadTimestamp();
            for (int i = -1; error == Error.None && i < samples; i++)
            {
                bool warming = i < 0 && (Benchmark.ReadTimestamp() - start < WarmInstructions);
                ulong before = Benchmark.ReadTimestamp();
                for (int j = 0; error == Error.None && j < batch; j++)
                {
                    error = TcpSocket.Connect(channel, address, out TcpSocket client);
                    TcpSocket server = default;
                    if (error == Error.None)
                        error = listener.Accept(out server, out _);
                    client.Close();
                    server.Close();
                }
                if (warming)
                    i = -2;   // warm-up goes on
                else if (i >= 0)
                    s_samples[i] = (Benchmark.ReadTimestamp() - before + batch / 2) / batch;
            }
            listener.Close();
            return error != Error.None ? error : Report("net.tcp_connect_close", s_samples, samples, samples * batch);
        }

        private static Error UdpRoundTrip(SocketClientChannel channel)
        {
            Error error = UdpSocket.Create(channel, out UdpSocket first);
            UdpSocket second = default;
            SocketEndpoint firstAddress = default, secondAddress = default;
            if (error == Error.None)
                error = UdpSocket.Create(channel, out second);
            if (error == Error.None)
                error = first.Bind(SocketEndpoint.Internet(Loopback, 0));
            if (error == Error.None)
                error = second.Bind(SocketEndpoint.Internet(Loopback, 0));
            if (error == Error.None)
                error = first.LocalEndpoint(out firstAddress);
            if (error == Error.None)
                error = second.LocalEndpoint(out secondAddress);
            const int samples = 201, batch = 16;
            ulong start = Benchmark.ReadTimestamp();
            for (int i = -1; error == Error.None && i < samples; i++)
            {
                bool warming = i < 0 && (Benchmark.ReadTimestamp() - start < WarmInstructions);
                ulong before = Benchmark.ReadTimestamp();
                for (int j = 0; error == Error.None && j < batch; j++)
                {
                    // Each answer goes back from the slot its datagram arrived in: nothing is copied here.
                    int count = 0;
                    error = first.SendFromBuffer(Datagram, secondAddress);
                    if (error == Error.None)
                        error = second.ReceiveInPlace(Datagram, out _, out count, out _, out _) != Error.None || count != Datagram ? Error.Invalid : Error.None;
                    if (error == Error.None)
                        error = second.SendFromBuffer(Datagram, firstAddress);
                    if (error == Error.None)
                        error = first.ReceiveInPlace(Datagram, out _, out count, out _, out _) != Error.None || count != Datagram ? Error.Invalid : Error.None;
                }
                if (warming)
                    i = -2;
                else if (i >= 0)
                    s_samples[i] = (Benchmark.ReadTimestamp() - before + batch / 2) / batch;
            }
            first.Close();
            second.Close();
            return error != Error.None ? error : Report("net.udp_rtt", s_samples, samples, samples * batch);
        }

        // One connection to the host's source (receive) or sink (send); an operation moves one MiB.
        private static Error HostTransfer(SocketClientChannel channel, ushort port, bool receive)
        {
            Error error = ConnectHost(channel, port, out TcpSocket socket);
            const int samples = 21;
            ulong start = Benchmark.ReadTimestamp();
            for (int i = -1; error == Error.None && i < samples; i++)
            {
                bool warming = i < 0 && (Benchmark.ReadTimestamp() - start < WarmInstructions);
                ulong before = Benchmark.ReadTimestamp();
                for (int moved = 0; error == Error.None && moved < Mebibyte;)
                {
                    int count;
                    if (receive)
                    {
                        error = socket.ReceiveInPlace(SocketChannelLayout.DataSlotSize < Mebibyte - moved ? SocketChannelLayout.DataSlotSize : Mebibyte - moved, out _, out count);
                        if (error == Error.None && count == 0)
                            error = Error.ConnectionReset;
                    }
                    else
                    {
                        error = socket.SendFromBuffer(SocketChannelLayout.DataSlotSize, out count);   // the slot's bytes, as they are
                    }
                    moved += count;
                }
                if (warming)
                    i = -2;
                else if (i >= 0)
                    s_samples[i] = Benchmark.ReadTimestamp() - before;
            }
            socket.Close();
            return error != Error.None ? error : Report(receive ? "net.tcp_rx_mib" : "net.tcp_tx_mib", s_samples, samples, samples);
        }

        // netstack may still be waiting for its address (DHCP): the connection is tried again for a while.
        private static Error ConnectHost(SocketClientChannel channel, ushort port, out TcpSocket socket)
        {
            long deadline = MonotonicClock.Milliseconds + StartMilliseconds;
            while (true)
            {
                Error error = TcpSocket.Connect(channel, SocketEndpoint.Internet(Host, port), out socket);
                if (error == Error.None || socket.Id == 0 || MonotonicClock.Milliseconds > deadline)
                    return error;
                socket.Close();
                Pause();
            }
        }

        // The median is the element at (count - 1) / 2, as the reference programs' bench.h takes it.
        private static Error Report(string name, ulong* samples, int count, ulong iterations)
        {
            Benchmark.Sort(samples, count);
            Benchmark.Print(name, samples[(count - 1) / 2], samples[0], iterations);
            return Error.None;
        }

        private static void Pause() => s_pause.WaitUntil(MonotonicClock.Nanoseconds + PauseNanoseconds, out _);

        private static int Fail(string what, Error error)
        {
            Console.Write("net_bench: FAILED: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 1;
        }
    }
}
