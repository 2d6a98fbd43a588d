using Exo.Abi;
using Exo.Protocols.Sockets;
using Exo.Std;
using Exo.Std.Net;

namespace SocketClientTest
{
    /// <summary>
    /// exo_std's native sockets (Exo.Std.Net) against netstack: a channel of its own (and a second claim refused), a
    /// connection refused over loopback, 1 MiB through a TCP connection over loopback and back (zero-copy send and
    /// receive on one side, copying calls on the other), the end of the stream, UDP datagrams both ways over loopback
    /// (one of 20,000 bytes), and, given a port ("socket_client_test PORT"), 1 MiB echoed by a TCP server of the host
    /// (10.0.2.2 on QEMU's user network). One line per check; "socket_client_test: ok" and exit 0 when all passed.
    /// </summary>
    public static unsafe class Program
    {
        private const uint Loopback = 0x7F000001, Host = 0x0A000202;
        private const int StreamBytes = 1 << 20, Chunk = 16384, LargeDatagram = 20000;
        private const ushort UnusedPort = 9;

        public static int Main()
        {
            byte* sent = (byte*)Exo.Std.Memory.UserHeap.Allocate(Chunk);
            byte* received = (byte*)Exo.Std.Memory.UserHeap.Allocate(LargeDatagram);
            if (sent == null || received == null)
                return Fail("memory", Error.OutOfMemory);
            Error error = SocketClientChannel.Open(out SocketClientChannel channel);
            if (error != Error.None)
                return Fail("the channel", error);
            error = SocketClientChannel.Open(out _);
            if (error != Error.AlreadyExists)
                return Fail("a second claim (AlreadyExists expected)", error);
            Console.WriteLine("socket_client_test: a channel of its own");

            error = Refused(channel);
            if (error != Error.None)
                return Fail("a connection refused", error);
            Console.WriteLine("socket_client_test: connect to a closed port refused");

            error = LoopbackStream(channel, sent, received);
            if (error != Error.None)
                return Fail("TCP over loopback", error);
            Console.WriteLine("socket_client_test: 1 MiB through TCP over loopback and back, then the end of the stream");

            error = LoopbackDatagrams(channel, received);
            if (error != Error.None)
                return Fail("UDP over loopback", error);
            Console.WriteLine("socket_client_test: UDP datagrams both ways over loopback, one of 20000 bytes");

            if (Process.TryParseArgument(1, out ulong port))
            {
                error = HostEcho(channel, (ushort)port, sent, received);
                if (error != Error.None)
                    return Fail("TCP echo with the host", error);
                Console.WriteLine("socket_client_test: 1 MiB echoed by the host over TCP");
            }
            Console.WriteLine("socket_client_test: ok");
            return 0;
        }

        private static byte Pattern(long at) => (byte)(at * 7 + (at >> 10));

        private static Error Refused(SocketClientChannel channel)
        {
            // Both ways of connecting: a socket made first, and one made by its connect (which stays after the refusal).
            Error error = TcpSocket.Create(channel, out TcpSocket socket);
            if (error != Error.None)
                return error;
            error = socket.Connect(SocketEndpoint.Internet(Loopback, UnusedPort));
            socket.Close();
            if (error != Error.ConnectionRefused)
                return error == Error.None ? Error.Invalid : error;
            error = TcpSocket.Connect(channel, SocketEndpoint.Internet(Loopback, UnusedPort), out socket);
            if (error != Error.ConnectionRefused)
                return error == Error.None ? Error.Invalid : error;
            if (socket.Id == 0 || socket.LocalEndpoint(out _) != Error.None)
                return Error.Invalid;   // the refused connect's socket is there and answers
            socket.Close();
            return Error.None;
        }

        private static Error LoopbackStream(SocketClientChannel channel, byte* sent, byte* received)
        {
            Error error = TcpSocket.Create(channel, out TcpSocket listener);
            if (error == Error.None)
                error = listener.Bind(SocketEndpoint.Internet(Loopback, 0));
            if (error == Error.None)
                error = listener.Listen(4);
            SocketEndpoint address = default;
            if (error == Error.None)
                error = listener.LocalEndpoint(out address);
            TcpSocket client = default, server = default;
            if (error == Error.None)
                error = TcpSocket.Create(channel, out client);
            if (error == Error.None)
                error = client.Connect(address);   // the stack finishes the handshake before anyone accepts
            if (error == Error.None)
                error = listener.Accept(out server, out SocketEndpoint peer);
            for (long done = 0; error == Error.None && done < StreamBytes; done += Chunk)
            {
                for (int i = 0; i < Chunk; i++)
                    sent[i] = Pattern(done + i);
                // The client copies its bytes in; the server echoes them from the slot it received into (no copy).
                error = client.SendAll(sent, Chunk);
                for (int got = 0; error == Error.None && got < Chunk;)
                {
                    error = server.ReceiveInPlace(Chunk - got, out byte* data, out int count);
                    if (error == Error.None && count == 0)
                        error = Error.ConnectionReset;
                    if (error == Error.None)
                        error = server.SendFromBuffer(count, out int taken) == Error.None && taken == count ? Error.None : Error.NoBufferSpace;
                    got += count;
                }
                for (int got = 0; error == Error.None && got < Chunk;)
                {
                    error = client.Receive(received + got, Chunk - got, out int count);
                    if (error == Error.None && count == 0)
                        error = Error.ConnectionReset;
                    got += count;
                }
                for (int i = 0; error == Error.None && i < Chunk; i++)
                    if (received[i] != Pattern(done + i))
                        error = Error.Invalid;
            }
            if (error == Error.None)
                error = client.Shutdown(1);
            if (error == Error.None)
                error = server.Receive(received, Chunk, out int end) == Error.None && end == 0 ? Error.None : Error.Invalid;
            server.Close();
            client.Close();
            listener.Close();
            return error;
        }

        private static Error LoopbackDatagrams(SocketClientChannel channel, byte* received)
        {
            Error error = UdpSocket.Create(channel, out UdpSocket first);
            UdpSocket second = default;
            SocketEndpoint firstAddress = default, secondAddress = default;
            if (error == Error.None)
                error = UdpSocket.Create(channel, out second);
            if (error == Error.None)
                error = first.Bind(SocketEndpoint.Internet(Loopback, 0));
            if (error == Error.None)
                error = first.LocalEndpoint(out firstAddress);
            if (error == Error.None)
                error = second.Bind(SocketEndpoint.Internet(Loopback, 0));
            if (error == Error.None)
                error = second.LocalEndpoint(out secondAddress);
            // A small datagram each way, the answer from the slot it arrived in.
            for (int i = 0; i < 100; i++)
                received[i] = (byte)(i + 1);
            if (error == Error.None)
                error = second.SendTo(received, 100, firstAddress);
            if (error == Error.None)
                error = first.ReceiveInPlace(100, out byte* data, out int count, out int length, out SocketEndpoint from) != Error.None || count != 100
                    || length != 100 || from.Port != secondAddress.Port || data[99] != 100 ? Error.Invalid : Error.None;
            if (error == Error.None)
                error = first.SendFromBuffer(100, secondAddress);
            if (error == Error.None)
                error = second.ReceiveFrom(received, 100, out int count, out SocketEndpoint from) != Error.None || count != 100
                    || from.Port != firstAddress.Port || received[0] != 1 ? Error.Invalid : Error.None;
            // 20,000 bytes: fragmented and reassembled by the stack.
            for (int i = 0; i < LargeDatagram; i++)
                received[i] = Pattern(i);
            if (error == Error.None)
                error = first.SendTo(received, LargeDatagram, secondAddress);
            for (int i = 0; i < LargeDatagram; i++)
                received[i] = 0;
            if (error == Error.None)
                error = second.ReceiveFrom(received, LargeDatagram, out int count, out _) != Error.None || count != LargeDatagram ? Error.Invalid : Error.None;
            for (int i = 0; error == Error.None && i < LargeDatagram; i++)
                if (received[i] != Pattern(i))
                    error = Error.Invalid;
            first.Close();
            second.Close();
            return error;
        }

        // The host's server echoes what it reads: a chunk out, the same chunk back, 1 MiB in all.
        private static Error HostEcho(SocketClientChannel channel, ushort port, byte* sent, byte* received)
        {
            Error error = TcpSocket.Create(channel, out TcpSocket socket);
            if (error == Error.None)
                error = socket.Connect(SocketEndpoint.Internet(Host, port));
            for (long done = 0; error == Error.None && done < StreamBytes; done += Chunk)
            {
                byte* slot = socket.SendBuffer;
                for (int i = 0; i < Chunk; i++)
                    slot[i] = sent[i] = Pattern(done + i);   // written straight into the shared slot
                for (int at = 0; error == Error.None && at < Chunk;)
                {
                    if (at > 0)
                        System.Buffer.MemoryCopy(sent + at, slot, Chunk, Chunk - at);   // the rest, after a partial send
                    error = socket.SendFromBuffer(Chunk - at, out int taken);
                    at += taken;
                }
                for (int got = 0; error == Error.None && got < Chunk;)
                {
                    error = socket.Receive(received + got, Chunk - got, out int count);
                    if (error == Error.None && count == 0)
                        error = Error.ConnectionReset;
                    got += count;
                }
                for (int i = 0; error == Error.None && i < Chunk; i++)
                    if (received[i] != sent[i])
                        error = Error.Invalid;
            }
            socket.Close();
            return error;
        }

        private static int Fail(string what, Error error)
        {
            Console.Write("socket_client_test: FAILED: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 1;
        }
    }
}
