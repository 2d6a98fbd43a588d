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
            byte* raw = stackalloc byte[Maximum * NetworkInterfaceRecord.Length];
            Error error = Ask(SocketOperation.Interfaces, null, 0, raw, Maximum, NetworkInterfaceRecord.Length, out int answered);
            for (int i = 0; i < answered && error == Error.None; i++)
                if (NetworkInterfaceRecord.Decode(raw + i * NetworkInterfaceRecord.Length, out records[i]) != SocketMessageProblem.None)
                    error = Error.InputOutput;
            if (error == Error.None)
                count = answered;
            return error;
        }

        /// <summary>The main table's routes (up to <see cref="MaximumRoutes"/>), with Read's errors.</summary>
        public static Error ReadRoutes(NetworkRouteRecord* records, out int count)
        {
            count = 0;
            byte* raw = stackalloc byte[MaximumRoutes * NetworkRouteRecord.Length];
            Error error = Ask(SocketOperation.Routes, null, 0, raw, MaximumRoutes, NetworkRouteRecord.Length, out int answered);
            for (int i = 0; i < answered && error == Error.None; i++)
                if (NetworkRouteRecord.Decode(raw + i * NetworkRouteRecord.Length, out records[i]) != SocketMessageProblem.None)
                    error = Error.InputOutput;
            if (error == Error.None)
                count = answered;
            return error;
        }

        public const int MaximumRoutes = NetworkRouteRecord.MaximumRoutes;

        /// <summary>
        /// Changes an address, IFF_UP or a route (the caller checked the privilege): the service's error, as Linux's; ENODEV
        /// without a network service.
        /// </summary>
        public static Error Change(ref NetworkChange change)
        {
            byte* encoded = stackalloc byte[NetworkChange.Length];
            if (!change.Encode(encoded))
                return Error.Invalid;
            Error error = Ask(SocketOperation.ChangeNetwork, encoded, NetworkChange.Length, null, 0, 0, out _);
            return error == Error.AddressFamilyNotSupported ? Error.NoDevice : error;
        }

        // One request without a socket: 'data' into the slot, up to 'maximum' records of 'recordLength' out of it.
        private static Error Ask(SocketOperation operation, byte* data, int dataLength, byte* answer, int maximum, int recordLength, out int records)
        {
            records = 0;
            Error error = SocketChannel.Acquire(out SocketChannel channel);
            if (error != Error.None)
                return error;
            int slot = channel.BeginRequest();
            if (slot < 0)
            {
                channel.Release();
                return Error.NetworkDown;
            }
            if (dataLength > 0)
                channel.WriteSlot(slot, data, dataLength);
            var request = new SocketRequest { Operation = operation, DataLength = (uint)dataLength };
            error = channel.Exchange(slot, ref request, null, out SocketCompletion completion);
            if (error == Error.None)
                error = (Error)completion.Status;
            if (error == Error.None && maximum > 0)
            {
                if (completion.Value > (ulong)maximum || completion.DataLength != completion.Value * (ulong)recordLength)
                    error = Error.InputOutput;
                else
                {
                    channel.ReadSlot(slot, answer, (int)completion.DataLength);
                    records = (int)completion.Value;
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
