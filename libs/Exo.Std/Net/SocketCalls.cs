using Exo.Abi;
using Exo.Protocols.Sockets;

namespace Exo.Std.Net
{
    /// <summary>
    /// The request patterns <see cref="TcpSocket"/> and <see cref="UdpSocket"/> share: one exchange whose completion's
    /// status is the result, and the blocking form, which waits for the socket's next readiness event after each
    /// WouldBlock and asks again (the service never waits: docs/network.md).
    /// </summary>
    internal static unsafe class SocketCalls
    {
        public const ulong StreamType = 1, DatagramType = 2;

        /// <summary>One exchange; its completion's status as the result.</summary>
        public static Error Call(SocketClientChannel channel, ref SocketRequest request, out SocketCompletion completion)
        {
            Error error = channel.Exchange(ref request, out completion);
            return error != Error.None ? error : (Error)completion.Status;
        }

        /// <summary>Asks until the answer is not WouldBlock, waiting for a readiness change in between.</summary>
        public static Error CallBlocking(SocketClientChannel channel, ref SocketRequest request, out SocketCompletion completion)
        {
            while (true)
            {
                uint readiness = channel.ReadinessOf(request.Socket, out _, out int seen);
                // A receive the last report says the service would answer WouldBlock is not asked: it waits at once.
                completion = default;
                Error error = request.Operation == SocketOperation.Receive && SocketReadiness.NothingToReceive(readiness)
                    ? Error.WouldBlock : Call(channel, ref request, out completion);
                if (error != Error.WouldBlock)
                    return error;
                error = channel.WaitForChange(request.Socket, seen);
                if (error != Error.None)
                    return error;
            }
        }

        /// <summary>A new socket of 'type' (StreamType, DatagramType): its id.</summary>
        public static Error Create(SocketClientChannel channel, ulong type, out uint id)
        {
            id = 0;
            var request = new SocketRequest { Operation = SocketOperation.Create, Argument0 = type };
            Error error = channel.Exchange(ref request, out SocketCompletion completion);
            if (error != Error.None)
                return error;
            if (completion.Status == (ushort)Error.TooManyFiles && completion.Value != 0)
                Close(channel, (uint)completion.Value);   // the service made it, this program's table had no room
            if (completion.Status != 0)
                return (Error)completion.Status;
            id = (uint)completion.Value;
            return Error.None;
        }

        public static Error Simple(SocketClientChannel channel, uint id, SocketOperation operation, ulong argument0 = 0)
        {
            var request = new SocketRequest { Operation = operation, Socket = id, Argument0 = argument0 };
            return Call(channel, ref request, out _);
        }

        public static Error Bind(SocketClientChannel channel, uint id, SocketEndpoint local)
        {
            var request = new SocketRequest { Operation = SocketOperation.Bind, Socket = id, Endpoint = local };
            return Call(channel, ref request, out _);
        }

        public static Error LocalEndpoint(SocketClientChannel channel, uint id, out SocketEndpoint local)
        {
            var request = new SocketRequest { Operation = SocketOperation.GetLocalName, Socket = id };
            Error error = Call(channel, ref request, out SocketCompletion completion);
            local = completion.Endpoint;
            return error;
        }

        /// <summary>Closes the service's socket 'id' without waiting for the answer (SocketClientChannel.Post).</summary>
        public static Error Close(SocketClientChannel channel, uint id)
        {
            channel.Forget(id);
            var request = new SocketRequest { Operation = SocketOperation.Close, Socket = id };
            return channel.Post(ref request);
        }

        /// <summary>Copies 'length' bytes (at most a data slot) into the data slot: the one copy a copying send makes here.</summary>
        public static void Fill(SocketClientChannel channel, byte* data, int length)
            => System.Buffer.MemoryCopy(data, channel.Data, SocketChannelLayout.DataSlotSize, length);
    }
}
