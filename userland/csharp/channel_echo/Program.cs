using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace ChannelEcho
{
    /// <summary>
    /// The smallest service that Linux programs reach through a service channel (docs/service-channels.md): it listens
    /// as /dev/exo/channel-echo and answers each request with its bytes in upper case. What a desktop service (the
    /// compositor) does on a larger scale, and what the boot test's .NET program (userland/linux/dotnet/ChannelCheck)
    /// talks to. Its protocol, in the channel's payload: the request's length (a 32-bit word) at RequestOffset and its
    /// bytes after it, the reply the same way at ReplyOffset; the client rings after writing a request, the service
    /// rings back (ReplyBit) after writing the reply. The request "quit" ends the service (the restart test).
    /// The client is not trusted: the length is read once and checked, and a bad one gets an empty reply.
    /// </summary>
    public static unsafe class Program
    {
        private const string Name = "channel-echo";
        private const ulong ChannelSize = 64 * 1024;
        private const int RequestOffset = 0, ReplyOffset = 32 * 1024, MaximumMessage = 16 * 1024;
        private const ulong AcceptBit = 1, ReplyBit = 1;
        /// <summary>Connections served at once (each has its own doorbell bit after AcceptBit).</summary>
        private const int MaximumConnections = 8;

        public static int Main()
        {
            Notification.Create(out Notification doorbell);
            Error error = ServiceChannelListener.Listen(Name, doorbell, AcceptBit, ChannelSize, out ServiceChannelListener listener);
            if (error != Error.None)
            {
                Console.Write("channel_echo: cannot listen: ");
                Console.WriteLine(Errors.Describe(error));
                return 1;
            }
            Console.WriteLine("channel_echo: listening on /dev/exo/channel-echo");
            var connections = new ServiceChannelConnection[MaximumConnections];
            while (true)
            {
                doorbell.Wait(out ulong bits);
                if ((bits & AcceptBit) != 0)
                    AcceptWaiting(listener, doorbell, connections);
                for (int i = 0; i < MaximumConnections; i++)
                {
                    if ((bits & BitOf(i)) == 0 || !connections[i].IsValid)
                        continue;
                    if (connections[i].IsClientClosed)
                    {
                        connections[i].Close();
                        connections[i] = default;
                        Console.WriteLine("channel_echo: a client closed its channel");
                    }
                    else if (!Answer(connections[i]))
                    {
                        Console.WriteLine("channel_echo: asked to quit");
                        return 0;
                    }
                }
            }
        }

        private static ulong BitOf(int connection) => 2UL << connection;

        private static void AcceptWaiting(ServiceChannelListener listener, Notification doorbell, ServiceChannelConnection[] connections)
        {
            for (int i = 0; i < MaximumConnections; i++)
            {
                if (connections[i].IsValid)
                    continue;
                if (listener.Accept(doorbell, BitOf(i), out connections[i]) != Error.None)
                    return;   // none waits (or the kernel refused): the next AcceptBit tries again
                Console.WriteLine("channel_echo: accepted a client");
            }
        }

        // False: the request was "quit".
        private static bool Answer(ServiceChannelConnection connection)
        {
            byte* request = connection.Payload + RequestOffset, reply = connection.Payload + ReplyOffset;
            uint length = System.Threading.Volatile.Read(ref *(uint*)request);   // read once: the client may change it
            if (length > MaximumMessage)
                length = 0;
            if (length == 4 && request[4] == 'q' && request[5] == 'u' && request[6] == 'i' && request[7] == 't')
                return false;
            for (uint i = 0; i < length; i++)
            {
                byte value = request[4 + i];
                reply[4 + i] = value >= 'a' && value <= 'z' ? (byte)(value - 32) : value;
            }
            System.Threading.Volatile.Write(ref *(uint*)reply, length);
            connection.Wake(ReplyBit);
            return true;
        }
    }
}
