using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets.Internet
{
    /// <summary>
    /// The network interfaces as the network service describes them (SocketOperation.Interfaces): the one source of
    /// what the interface ioctls, /proc/net/dev and /proc/net/route and netlink show. Each answer is asked afresh, so it
    /// follows DHCP; every record is checked before use (the service is not trusted).
    /// </summary>
    public static unsafe class NetworkInterfaces
    {
        public const int Maximum = NetworkInterfaceRecord.MaximumInterfaces;
        /// <summary>The transmit queue length shown for every interface (Linux's default; the service has no such queue).</summary>
        public const int TransmitQueueLength = 1000;

        /// <summary>
        /// Up to <see cref="Maximum"/> records into 'records', their number in 'count'; EAFNOSUPPORT without a network
        /// service (as socket(AF_INET) says), ENETDOWN when its channel broke, EIO when it answered something malformed.
        /// </summary>
        public static Error Read(NetworkInterfaceRecord* records, out int count)
        {
            count = 0;
            Error error = SocketChannel.Acquire(out SocketChannel channel);
            if (error != Error.None)
                return error;
            int slot = channel.BeginRequest();
            if (slot < 0)
            {
                channel.Release();
                return Error.NetworkDown;
            }
            var request = new SocketRequest { Operation = SocketOperation.Interfaces };
            error = channel.Exchange(slot, ref request, null, out SocketCompletion completion);
            if (error == Error.None)
                error = (Error)completion.Status;
            if (error == Error.None)
            {
                if (completion.Value > Maximum || completion.DataLength != completion.Value * NetworkInterfaceRecord.Length)
                {
                    error = Error.InputOutput;
                }
                else
                {
                    byte* raw = stackalloc byte[Maximum * NetworkInterfaceRecord.Length];
                    channel.ReadSlot(slot, raw, (int)completion.DataLength);
                    for (int i = 0; i < (int)completion.Value && error == Error.None; i++)
                        if (NetworkInterfaceRecord.Decode(raw + i * NetworkInterfaceRecord.Length, out records[i]) != SocketMessageProblem.None)
                            error = Error.InputOutput;
                    if (error == Error.None)
                        count = (int)completion.Value;
                }
            }
            channel.EndRequest(slot);
            channel.Release();
            return error;
        }

        /// <summary>The record named by the NUL-terminated 'name' (at most 16 bytes), or -1.</summary>
        public static int Find(NetworkInterfaceRecord* records, int count, byte* name)
        {
            for (int i = 0; i < count; i++)
            {
                int length = records[i].NameLengthOrInvalid();
                bool same = true;
                for (int j = 0; j <= length && same; j++)
                    same = records[i].Name[j] == (j < NetworkInterfaceRecord.NameLength ? name[j] : 0);
                if (same)
                    return i;
            }
            return -1;
        }

        /// <summary>A prefix length as a mask in host order (0 for 0).</summary>
        public static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0 : 0xFFFFFFFFu << (32 - prefixLength);

        /// <summary>The interface's broadcast address: none (0) on loopback, else the subnet's.</summary>
        public static uint BroadcastOf(NetworkInterfaceRecord* record) =>
            (record->Flags & NetworkInterfaceRecord.FlagBroadcast) == 0 || record->Address == 0 ? 0 : record->Address | ~MaskOf(record->PrefixLength);
    }
}
