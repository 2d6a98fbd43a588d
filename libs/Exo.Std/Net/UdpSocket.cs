using Exo.Abi;
using Exo.Protocols.Sockets;

namespace Exo.Std.Net
{
    /// <summary>
    /// A UDP socket of a native program, on its <see cref="SocketClientChannel"/>: datagrams of up to a data slot (64 KiB),
    /// sent from and received into the shared slot as <see cref="TcpSocket"/>'s are (<see cref="SendBuffer"/>,
    /// <see cref="ReceiveInPlace"/>: no copy here). Receiving blocks until a datagram comes.
    /// </summary>
    public readonly unsafe struct UdpSocket
    {
        public readonly SocketClientChannel Channel;
        public readonly uint Id;

        private UdpSocket(SocketClientChannel channel, uint id) { Channel = channel; Id = id; }

        public static Error Create(SocketClientChannel channel, out UdpSocket socket)
        {
            Error error = SocketCalls.Create(channel, SocketCalls.DatagramType, out uint id);
            socket = new UdpSocket(channel, id);
            return error;
        }

        public Error Bind(SocketEndpoint local) => SocketCalls.Bind(Channel, Id, local);

        /// <summary>Sets the default peer (and filters what is received to it).</summary>
        public Error Connect(SocketEndpoint remote)
        {
            var request = new SocketRequest { Operation = SocketOperation.Connect, Socket = Id, Endpoint = remote };
            return SocketCalls.Call(Channel, ref request, out _);
        }

        public byte* SendBuffer => Channel.Data;

        /// <summary>Sends the first 'length' bytes of <see cref="SendBuffer"/> as one datagram to 'remote' (Family none: the connected peer).</summary>
        public Error SendFromBuffer(int length, SocketEndpoint remote)
        {
            if ((uint)length > SocketChannelLayout.DataSlotSize)
                return Error.MessageTooLong;
            var request = new SocketRequest { Operation = SocketOperation.Send, Socket = Id, DataLength = (uint)length, Endpoint = remote };
            return SocketCalls.CallBlocking(Channel, ref request, out _);
        }

        /// <summary>Copies 'data' into the slot and sends it as one datagram.</summary>
        public Error SendTo(byte* data, int length, SocketEndpoint remote)
        {
            if ((uint)length > SocketChannelLayout.DataSlotSize)
                return Error.MessageTooLong;
            SocketCalls.Fill(Channel, data, length);
            return SendFromBuffer(length, remote);
        }

        /// <summary>Waits for a datagram and leaves up to 'maximum' bytes of it in the slot ('data', valid until the next request);
        /// 'length' is the datagram's whole length (more than 'received' when it was cut), 'from' its sender.</summary>
        public Error ReceiveInPlace(int maximum, out byte* data, out int received, out int length, out SocketEndpoint from)
        {
            data = Channel.Data;
            var request = new SocketRequest { Operation = SocketOperation.Receive, Socket = Id,
                Argument0 = (ulong)(maximum < 0 ? 0 : maximum < SocketChannelLayout.DataSlotSize ? maximum : SocketChannelLayout.DataSlotSize) };
            Error error = SocketCalls.CallBlocking(Channel, ref request, out SocketCompletion completion);
            received = (int)completion.DataLength;
            length = (int)completion.Value;
            from = completion.Endpoint;
            return error;
        }

        /// <summary>Waits for a datagram and copies up to 'capacity' bytes of it into 'buffer'.</summary>
        public Error ReceiveFrom(byte* buffer, int capacity, out int received, out SocketEndpoint from)
        {
            Error error = ReceiveInPlace(capacity, out byte* data, out received, out _, out from);
            if (error == Error.None)
                System.Buffer.MemoryCopy(data, buffer, capacity, received);
            return error;
        }

        public Error LocalEndpoint(out SocketEndpoint local) => SocketCalls.LocalEndpoint(Channel, Id, out local);

        public Error Close() => SocketCalls.Close(Channel, Id);
    }
}
