using Exo.Abi;
using Exo.Protocols.Sockets;

namespace Exo.Std.Net
{
    /// <summary>
    /// A TCP socket of a native program, on its <see cref="SocketClientChannel"/>. Every call blocks until it is done
    /// (the service answers WouldBlock and the call waits for the socket's readiness event, then asks again). A send or
    /// receive moves at most one data slot (SocketChannelLayout.DataSlotSize, 64 KiB) per request; <see cref="SendAll"/>
    /// loops. Zero-copy: <see cref="SendBuffer"/> is the shared data slot itself, so a program that writes its bytes there
    /// and calls <see cref="SendFromBuffer"/> copies nothing; <see cref="ReceiveInPlace"/> leaves the bytes in the slot
    /// (valid until the channel's next request) instead of copying them out. Errors are the socket calls' Linux ones.
    /// </summary>
    public readonly unsafe struct TcpSocket
    {
        public readonly SocketClientChannel Channel;
        public readonly uint Id;

        private TcpSocket(SocketClientChannel channel, uint id) { Channel = channel; Id = id; }

        public static Error Create(SocketClientChannel channel, out TcpSocket socket)
        {
            Error error = SocketCalls.Create(channel, SocketCalls.StreamType, out uint id);
            socket = new TcpSocket(channel, id);
            return error;
        }

        public Error Bind(SocketEndpoint local) => SocketCalls.Bind(Channel, Id, local);

        public Error Listen(int backlog) => SocketCalls.Simple(Channel, Id, SocketOperation.Listen, (ulong)backlog);

        /// <summary>Waits for a connection and gives its socket and peer.</summary>
        public Error Accept(out TcpSocket accepted, out SocketEndpoint peer)
        {
            var request = new SocketRequest { Operation = SocketOperation.Accept, Socket = Id };
            Error error = SocketCalls.CallBlocking(Channel, ref request, out SocketCompletion completion);
            if (error == Error.TooManyFiles && completion.Value != 0)
                SocketCalls.Close(Channel, (uint)completion.Value);
            accepted = new TcpSocket(Channel, error == Error.None ? (uint)completion.Value : 0);
            peer = completion.Endpoint;
            return error;
        }

        /// <summary>
        /// A new socket, connected to 'remote' (made and connected in one request): as <see cref="Create"/> then
        /// <see cref="Connect(SocketEndpoint)"/>. 'socket' is the socket whenever it was made, even when the connect failed.
        /// </summary>
        public static Error Connect(SocketClientChannel channel, SocketEndpoint remote, out TcpSocket socket)
        {
            var request = new SocketRequest { Operation = SocketOperation.Connect, Endpoint = remote, Flags = SocketRequest.FlagWait,
                Argument0 = SocketCalls.StreamType };
            Error error = SocketCalls.Call(channel, ref request, out SocketCompletion completion);
            if (error == Error.TooManyFiles && completion.Value != 0)
            {
                SocketCalls.Close(channel, (uint)completion.Value);   // made, but this program's table had no room
                completion.Value = 0;
            }
            socket = new TcpSocket(channel, (uint)completion.Value);
            if (socket.Id == 0 || (error != Error.InProgress && error != Error.AlreadyInProgress))
                return error;
            return socket.Connect(remote);   // a handshake that did not end at once: wait for it as Connect does
        }

        /// <summary>Connects and waits for the handshake's end: its error (ConnectionRefused, TimedOut...) or none.</summary>
        public Error Connect(SocketEndpoint remote)
        {
            while (true)
            {
                Channel.ReadinessOf(Id, out _, out int seen);
                var request = new SocketRequest { Operation = SocketOperation.Connect, Socket = Id, Endpoint = remote, Flags = SocketRequest.FlagWait };
                Error error = SocketCalls.Call(Channel, ref request, out _);
                if (error == Error.AlreadyConnected)
                    return Error.None;   // the handshake this call started has ended well
                if (error != Error.InProgress && error != Error.AlreadyInProgress)
                    return error;
                error = Channel.WaitForChange(Id, seen);
                if (error != Error.None)
                    return error;
            }
        }

        /// <summary>The data slot: a program writes up to SocketChannelLayout.DataSlotSize bytes here for <see cref="SendFromBuffer"/>.</summary>
        public byte* SendBuffer => Channel.Data;

        /// <summary>Sends the first 'length' bytes of <see cref="SendBuffer"/> (no copy here); 'sent': how many the service took
        /// (at least one: the call waits for room).</summary>
        public Error SendFromBuffer(int length, out int sent)
        {
            sent = 0;
            if ((uint)length > SocketChannelLayout.DataSlotSize)
                return Error.Invalid;
            var request = new SocketRequest { Operation = SocketOperation.Send, Socket = Id, DataLength = (uint)length };
            Error error = SocketCalls.CallBlocking(Channel, ref request, out SocketCompletion completion);
            sent = (int)completion.Value;
            return error;
        }

        /// <summary>Copies up to a data slot of 'data' into the slot and sends it; 'sent' as for <see cref="SendFromBuffer"/>.</summary>
        public Error Send(byte* data, int length, out int sent)
        {
            int part = length < SocketChannelLayout.DataSlotSize ? length : SocketChannelLayout.DataSlotSize;
            SocketCalls.Fill(Channel, data, part);
            return SendFromBuffer(part, out sent);
        }

        /// <summary>Sends all 'length' bytes.</summary>
        public Error SendAll(byte* data, long length)
        {
            for (long done = 0; done < length;)
            {
                long left = length - done;
                Error error = Send(data + done, left < SocketChannelLayout.DataSlotSize ? (int)left : SocketChannelLayout.DataSlotSize, out int sent);
                if (error != Error.None)
                    return error;
                done += sent;
            }
            return Error.None;
        }

        /// <summary>Waits for data and leaves up to 'maximum' bytes (at most a data slot) in the slot: 'data' points at them
        /// until the channel's next request. 'received' 0: the peer has finished sending.</summary>
        public Error ReceiveInPlace(int maximum, out byte* data, out int received)
        {
            data = Channel.Data;
            received = 0;
            if (maximum < 0)
                return Error.Invalid;
            var request = new SocketRequest { Operation = SocketOperation.Receive, Socket = Id,
                Argument0 = (ulong)(maximum < SocketChannelLayout.DataSlotSize ? maximum : SocketChannelLayout.DataSlotSize) };
            Error error = SocketCalls.CallBlocking(Channel, ref request, out SocketCompletion completion);
            received = (int)completion.DataLength;
            return error;
        }

        /// <summary>Waits for data and copies up to 'capacity' bytes into 'buffer'; 'received' 0: the end of the stream.</summary>
        public Error Receive(byte* buffer, int capacity, out int received)
        {
            Error error = ReceiveInPlace(capacity, out byte* data, out received);
            if (error == Error.None)
                System.Buffer.MemoryCopy(data, buffer, capacity, received);
            return error;
        }

        /// <summary>0 ends reading, 1 writing (a FIN), 2 both (SHUT_RD, SHUT_WR, SHUT_RDWR).</summary>
        public Error Shutdown(int how) => SocketCalls.Simple(Channel, Id, SocketOperation.Shutdown, (ulong)how);

        public Error LocalEndpoint(out SocketEndpoint local) => SocketCalls.LocalEndpoint(Channel, Id, out local);

        /// <summary>Closes the socket (gracefully; a reset if unread data is left). Its id is the service's to reuse.</summary>
        public Error Close() => SocketCalls.Close(Channel, Id);
    }
}
