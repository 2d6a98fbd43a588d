using System;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    /// <summary>Socket-level helpers the TCP tests share: open/listen/connect/accept over a wire, send and receive arrays.</summary>
    public static unsafe class TcpTestSockets
    {
        public static readonly Ipv4Address AddressA = new Ipv4Address(10, 0, 0, 1);
        public static readonly Ipv4Address AddressB = new Ipv4Address(10, 0, 0, 2);

        public static int Listen(TcpStack stack, ushort port, int backlog = 16)
        {
            Assert.Equal(Error.None, stack.Open(out int listener));
            Assert.Equal(Error.None, stack.Bind(listener, Ipv4Address.Any, port));
            Assert.Equal(Error.None, stack.Listen(listener, backlog));
            return listener;
        }

        /// <summary>Connects client (on 'clientHost') to server port; returns the client and accepted server sockets.</summary>
        public static (int client, int server) Connect(TcpTestWire wire, TcpTestWire.Host clientHost, TcpTestWire.Host serverHost, int listener, ushort port)
        {
            Assert.Equal(Error.None, clientHost.Stack.Open(out int client));
            Assert.Equal(Error.InProgress, clientHost.Stack.Connect(client, serverHost.Address, port));
            int server = -1;
            bool done = wire.RunUntil(() =>
            {
                if (server < 0 && serverHost.Stack.Accept(listener, out int accepted, out _, out _) == Error.None)
                    server = accepted;
                return server >= 0 && clientHost.Stack.StateOf(client) == TcpState.Established;
            }, 60_000);
            Assert.True(done, "connection did not complete");
            return (client, server);
        }

        public static int Write(TcpStack stack, int socket, byte[] data, int offset, int length)
        {
            if (length == 0)
                return 0;
            fixed (byte* p = data)
            {
                Error error = stack.Send(socket, p + offset, length, out int sent);
                if (error == Error.WouldBlock)
                    return 0;
                Assert.Equal(Error.None, error);
                return sent;
            }
        }

        /// <summary>Reads what is there into 'into' at 'offset'; -1 at end of stream.</summary>
        public static int Read(TcpStack stack, int socket, byte[] into, int offset)
        {
            if (offset >= into.Length)
            {
                byte[] scratch = new byte[1];
                fixed (byte* p = scratch)
                {
                    Error e = stack.Receive(socket, p, 1, out int n);
                    if (e == Error.WouldBlock)
                        return 0;
                    Assert.Equal(Error.None, e);
                    Assert.Equal(0, n);   // nothing beyond what was sent
                    return -1;
                }
            }
            fixed (byte* p = into)
            {
                Error error = stack.Receive(socket, p + offset, into.Length - offset, out int received);
                if (error == Error.WouldBlock)
                    return 0;
                Assert.Equal(Error.None, error);
                return received == 0 ? -1 : received;
            }
        }

        /// <summary>A raw segment with a right checksum (options padded by the caller to a multiple of 4).</summary>
        public static byte[] BuildSegment(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort,
            uint sequence, uint acknowledgment, byte flags, ushort window, byte[] options = null, byte[] payload = null)
        {
            int optionLength = options?.Length ?? 0;
            int payloadLength = payload?.Length ?? 0;
            var segment = new byte[20 + optionLength + payloadLength];
            fixed (byte* p = segment)
            {
                NetworkOrder.WriteUInt16(p, sourcePort);
                NetworkOrder.WriteUInt16(p + 2, destinationPort);
                NetworkOrder.WriteUInt32(p + 4, sequence);
                NetworkOrder.WriteUInt32(p + 8, acknowledgment);
                p[12] = (byte)((20 + optionLength) / 4 << 4);
                p[13] = flags;
                NetworkOrder.WriteUInt16(p + 14, window);
                options?.CopyTo(segment, 20);
                payload?.CopyTo(segment, 20 + optionLength);
                TcpSegmentWriter.WriteChecksum(p, segment.Length, source, destination);
            }
            return segment;
        }

        /// <summary>Parses a captured segment (the test's view of what a stack sent).</summary>
        public static TcpSegment ParseSegment(byte[] bytes)
        {
            fixed (byte* p = bytes)
            {
                Assert.True(TcpSegment.Parse(p, bytes.Length, out TcpSegment segment));
                segment.Payload = null;   // the pointer dies with 'fixed'
                return segment;
            }
        }

        public static byte[] Pattern(int length, int seed)
        {
            var data = new byte[length];
            new Random(seed).NextBytes(data);
            return data;
        }
    }
}
