using Exo.PosixX.Sockets.Internet;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets.Netlink
{
    /// <summary>
    /// NETLINK_ROUTE's answers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h), from the network
    /// service's interface facts (<see cref="NetworkInterfaces"/>): dumps of RTM_GETLINK (RTM_NEWLINK per interface),
    /// RTM_GETADDR (RTM_NEWADDR per IPv4 address) and RTM_GETROUTE (RTM_NEWROUTE for the main table: each subnet and the
    /// default route), each ended by NLMSG_DONE; no IPv6 (an AF_INET6 dump is empty). Anything else a request asks
    /// (a single GET, NEW, DEL, SET) is NLMSG_ERROR: EPERM without root for a change; RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE
    /// and RTM_DELROUTE change the card through the service (<see cref="Change"/>), anything else is EOPNOTSUPP; NLM_F_ACK
    /// gets an acknowledgement. A malformed message ends the reading of a send, as Linux's netlink_rcv_skb does.
    /// </summary>
    public static unsafe class RouteNetlink
    {
        /// <summary>The longest answer to one send (every dump of <see cref="NetworkInterfaces.Maximum"/> interfaces fits).</summary>
        public const int MaximumAnswer = 8192;

        private const int HeaderLength = 16;   // struct nlmsghdr
        private const ushort ErrorMessage = 2, Done = 3, MinimumType = 16;
        private const ushort FlagRequest = 0x1, FlagMulti = 0x2, FlagAcknowledge = 0x4, FlagDump = 0x300;
        private const ushort NewLink = 16, GetLink = 18, NewAddress = 20, DeleteAddress = 21, GetAddress = 22, NewRoute = 24, DeleteRoute = 25, GetRoute = 26, LastType = 127;
        private const byte Internet6 = 10, Internet = 2;
        private const ushort LinkAddress = 1, LinkBroadcast = 2, LinkName = 3, LinkMtu = 4, LinkTransmitQueue = 13, LinkOperationalState = 16,
            LinkStatistics = 7, LinkStatistics64 = 23;
        /// <summary>struct rtnl_link_stats and rtnl_link_stats64: 24 and 25 counters, rx_packets first.</summary>
        private const int StatisticsFields = 24, Statistics64Fields = 25;
        private const byte OperationalUnknown = 0, OperationalDown = 2, OperationalUp = 6;
        private const uint LowerUp = 0x10000;   // IFF_LOWER_UP
        private const ushort AddressAttribute = 1, LocalAttribute = 2, LabelAttribute = 3, BroadcastAttribute = 4;
        private const byte AddressPermanent = 0x80;
        private const byte ScopeUniverse = 0, ScopeLink = 253, ScopeHost = 254;
        private const ushort RouteDestination = 1, RouteOutput = 4, RouteGateway = 5, RoutePreferredSource = 7, RouteTable = 15;
        private const byte MainTable = 254, ProtocolKernel = 2, ProtocolBoot = 3, Unicast = 1;

        /// <summary>Writes the answer to the messages of one send into 'answer' (MaximumAnswer bytes): its length, 0 for none.</summary>
        public static int Answer(byte* request, int length, uint portId, byte* answer)
        {
            var writer = new Writer(answer, MaximumAnswer);
            int offset = 0;
            while (length - offset >= HeaderLength)
            {
                byte* message = request + offset;
                uint messageLength = *(uint*)message;
                if (messageLength < HeaderLength || messageLength > (uint)(length - offset))
                    break;
                ushort type = *(ushort*)(message + 4), flags = *(ushort*)(message + 6);
                uint sequence = *(uint*)(message + 8);
                int start = writer.Length;
                Error error = Error.None;
                bool dumped = false;
                if ((flags & FlagRequest) != 0 && type >= MinimumType)
                {
                    int kind = type & 3;   // new, del, get, set
                    if (type > LastType)
                        error = Error.NotSupported;
                    else if (kind != 2 && !KernelInterface.LinuxProcess.Current.Credentials.IsPrivileged)
                        error = Error.NotPermitted;
                    else if (type == NewAddress || type == DeleteAddress || type == NewRoute || type == DeleteRoute)
                        error = Change(type, message, (int)messageLength);
                    else if ((type == GetLink || type == GetAddress || type == GetRoute) && (flags & FlagDump) == FlagDump)
                    {
                        byte family = messageLength > HeaderLength ? message[HeaderLength] : (byte)0;
                        dumped = Dump(ref writer, type, family, sequence, portId);
                        if (!dumped)
                        {
                            writer.Length = start;   // no room: the dump is not given at all
                            break;
                        }
                    }
                    else
                        error = Error.NotSupported;
                }
                if (!dumped && (error != Error.None || (flags & FlagAcknowledge) != 0))
                {
                    // NLMSG_ERROR: the error (negative; 0 acknowledges), then the request's header (and, for an error, the request).
                    int quoted = error != Error.None ? (int)messageLength : HeaderLength;
                    int at = writer.Begin(ErrorMessage, 0, sequence, portId);
                    if (at < 0 || !writer.Int(-(int)error) || !writer.Bytes(message, quoted))
                    {
                        writer.Length = start;
                        break;
                    }
                    *(uint*)(writer.At(at)) = (uint)(writer.Length - at);
                    writer.Align();
                }
                offset += Align((int)messageLength);
            }
            return writer.Length;
        }

        private static bool Dump(ref Writer writer, ushort type, byte family, uint sequence, uint portId)
        {
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            int count = 0;
            if (family != Internet6 && NetworkInterfaces.Read(records, out count) != Error.None)
                count = 0;   // no network service: no interface
            if (type == GetRoute)
            {
                NetworkRouteRecord* routes = stackalloc NetworkRouteRecord[NetworkInterfaces.MaximumRoutes];
                int routeCount = 0;
                if (count > 0 && NetworkInterfaces.ReadRoutes(routes, out routeCount) != Error.None)
                    routeCount = 0;
                for (int i = 0; i < routeCount; i++)
                    for (int j = 0; j < count; j++)
                        if (records[j].Index == routes[i].Index && !Route(ref writer, &records[j], &routes[i], sequence, portId))
                            return false;
                count = 0;
            }
            for (int i = 0; i < count; i++)
            {
                bool fits = type == GetLink ? Link(ref writer, &records[i], sequence, portId)
                    : records[i].Address == 0 || Address(ref writer, &records[i], sequence, portId);
                if (!fits)
                    return false;
            }
            int at = writer.Begin(Done, FlagMulti, sequence, portId);
            return at >= 0 && writer.Int(0) && writer.End(at);
        }

        private static bool Link(ref Writer writer, NetworkInterfaceRecord* record, uint sequence, uint portId)
        {
            int at = writer.Begin(NewLink, FlagMulti, sequence, portId);
            bool running = (record->Flags & NetworkInterfaceRecord.FlagRunning) != 0;
            bool loopback = (record->Flags & NetworkInterfaceRecord.FlagLoopback) != 0;
            // struct ifinfomsg: family, pad, type, index, flags, change.
            bool fits = at >= 0 && writer.Byte(0) && writer.Byte(0) && writer.Short(record->HardwareType) && writer.Int((int)record->Index)
                && writer.Int((int)(record->Flags | (running ? LowerUp : 0))) && writer.Int(0);
            byte* broadcast = stackalloc byte[6];
            for (int i = 0; i < 6; i++)
                broadcast[i] = loopback ? (byte)0 : (byte)0xFF;
            fits = fits && writer.Attribute(LinkName, record->Name, record->NameLengthOrInvalid() + 1)
                && writer.IntAttribute(LinkMtu, record->Mtu) && writer.IntAttribute(LinkTransmitQueue, NetworkInterfaces.TransmitQueueLength)
                && writer.ByteAttribute(LinkOperationalState, loopback ? OperationalUnknown : running ? OperationalUp : OperationalDown)
                && writer.Attribute(LinkAddress, record->HardwareAddress, 6) && writer.Attribute(LinkBroadcast, broadcast, 6);
            // IFLA_STATS and IFLA_STATS64 (ip -s link): the counters the service keeps, the rest 0.
            ulong* statistics = stackalloc ulong[Statistics64Fields];
            for (int i = 0; i < Statistics64Fields; i++)
                statistics[i] = 0;
            statistics[0] = record->ReceivedPackets;
            statistics[1] = record->SentPackets;
            statistics[2] = record->ReceivedBytes;
            statistics[3] = record->SentBytes;
            statistics[4] = record->ReceiveErrors;
            statistics[5] = record->SendErrors;
            statistics[6] = record->ReceiveDrops;
            statistics[7] = record->SendDrops;
            uint* narrow = stackalloc uint[StatisticsFields];
            for (int i = 0; i < StatisticsFields; i++)
                narrow[i] = (uint)statistics[i];
            fits = fits && writer.Attribute(LinkStatistics, (byte*)narrow, StatisticsFields * sizeof(uint))
                && writer.Attribute(LinkStatistics64, (byte*)statistics, Statistics64Fields * sizeof(ulong));
            return fits && writer.End(at);
        }

        private static bool Address(ref Writer writer, NetworkInterfaceRecord* record, uint sequence, uint portId)
        {
            int at = writer.Begin(NewAddress, FlagMulti, sequence, portId);
            bool loopback = (record->Flags & NetworkInterfaceRecord.FlagLoopback) != 0;
            // struct ifaddrmsg: family, prefix length, flags, scope, index.
            bool fits = at >= 0 && writer.Byte(Internet) && writer.Byte(record->PrefixLength) && writer.Byte(loopback ? AddressPermanent : (byte)0)
                && writer.Byte(loopback ? ScopeHost : ScopeUniverse) && writer.Int((int)record->Index)
                && writer.AddressAttribute(AddressAttribute, record->Address) && writer.AddressAttribute(LocalAttribute, record->Address);
            uint broadcast = NetworkInterfaces.BroadcastOf(record);
            if (broadcast != 0)
                fits = fits && writer.AddressAttribute(BroadcastAttribute, broadcast);
            fits = fits && writer.Attribute(LabelAttribute, record->Name, record->NameLengthOrInvalid() + 1);
            return fits && writer.End(at);
        }

        private static bool Route(ref Writer writer, NetworkInterfaceRecord* record, NetworkRouteRecord* route, uint sequence, uint portId)
        {
            int at = writer.Begin(NewRoute, FlagMulti, sequence, portId);
            bool onLink = route->Gateway == 0;
            // The subnet's route is the kernel's (proto kernel, scope link, with the address as its source); others are static.
            bool subnet = onLink && route->PrefixLength == record->PrefixLength
                && route->Destination == (record->Address & NetworkInterfaces.MaskOf(record->PrefixLength));
            // struct rtmsg: family, destination length, source length, tos, table, protocol, scope, type, flags.
            bool fits = at >= 0 && writer.Byte(Internet) && writer.Byte(route->PrefixLength) && writer.Byte(0) && writer.Byte(0) && writer.Byte(MainTable)
                && writer.Byte(subnet ? ProtocolKernel : ProtocolBoot) && writer.Byte(onLink ? ScopeLink : ScopeUniverse) && writer.Byte(Unicast)
                && writer.Int(0) && writer.IntAttribute(RouteTable, MainTable);
            if (route->PrefixLength != 0)
                fits = fits && writer.AddressAttribute(RouteDestination, route->Destination);
            if (subnet)
                fits = fits && writer.AddressAttribute(RoutePreferredSource, record->Address);
            if (!onLink)
                fits = fits && writer.AddressAttribute(RouteGateway, route->Gateway);
            fits = fits && writer.IntAttribute(RouteOutput, record->Index);
            return fits && writer.End(at);
        }

        /// <summary>
        /// RTM_NEWADDR, RTM_DELADDR (struct ifaddrmsg, IFA_LOCAL or IFA_ADDRESS), RTM_NEWROUTE, RTM_DELROUTE (struct rtmsg,
        /// RTA_DST, RTA_GATEWAY, RTA_OIF) as a change for the service: one IPv4 address per interface, so a new one replaces it.
        /// </summary>
        private static Error Change(ushort type, byte* message, int length)
        {
            bool address = type == NewAddress || type == DeleteAddress;
            int fixedLength = address ? 8 : 12;
            if (length < HeaderLength + fixedLength)
                return Error.Invalid;
            byte* body = message + HeaderLength;
            if (body[0] != Internet)
                return Error.AddressFamilyNotSupported;
            byte prefix = body[1];
            if (prefix > 32)
                return Error.Invalid;
            uint index = address ? *(uint*)(body + 4) : 0, local = 0, destination = 0, gateway = 0;
            bool hasLocal = false;
            // The attributes: struct rtattr (length, type), payloads padded to four bytes; a malformed one is EINVAL.
            int offset = HeaderLength + fixedLength;
            while (length - offset >= 4)
            {
                int attributeLength = *(ushort*)(message + offset);
                ushort attribute = *(ushort*)(message + offset + 2);
                if (attributeLength < 4 || attributeLength > length - offset)
                    return Error.Invalid;
                byte* payload = message + offset + 4;
                bool four = attributeLength == 8;
                uint value = four ? (uint)payload[0] << 24 | (uint)payload[1] << 16 | (uint)payload[2] << 8 | payload[3] : 0;
                if (address && (attribute == LocalAttribute || (attribute == AddressAttribute && !hasLocal)) && four)
                {
                    local = value;
                    hasLocal = true;
                }
                else if (!address && attribute == RouteDestination && four)
                    destination = value;
                else if (!address && attribute == RouteGateway && four)
                    gateway = value;
                else if (!address && attribute == RouteOutput && four)
                    index = *(uint*)payload;
                offset += Align(attributeLength);
            }
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            Error error = NetworkInterfaces.Read(records, out int count);
            if (error != Error.None)
                return error == Error.AddressFamilyNotSupported ? Error.NoDevice : error;
            int found = -1;
            for (int i = 0; i < count; i++)
                if (index != 0 ? records[i].Index == index : (records[i].Flags & NetworkInterfaceRecord.FlagLoopback) == 0)
                    found = i;
            if (found < 0)
                return Error.NoDevice;
            var change = new NetworkChange { Index = records[found].Index, PrefixLength = prefix };
            if (address)
            {
                if (!hasLocal)
                    return Error.Invalid;
                if (type == DeleteAddress)
                {
                    if (records[found].Address != local)
                        return Error.AddressNotAvailable;   // inet_rtm_deladdr: no such address
                    local = 0;
                    change.PrefixLength = 0;
                }
                else if (records[found].Address == local && records[found].PrefixLength == prefix)
                    return Error.AlreadyExists;
                change.Kind = NetworkChange.SetAddress;
                change.Address = local;
            }
            else
            {
                if ((destination & ~NetworkInterfaces.MaskOf(prefix)) != 0)
                    return Error.Invalid;
                change.Kind = type == NewRoute ? NetworkChange.AddRoute : NetworkChange.DeleteRoute;
                change.Address = destination;
                change.Gateway = gateway;
            }
            return NetworkInterfaces.Change(ref change);
        }

        private static int Align(int length) => (length + 3) & ~3;

        /// <summary>Netlink messages into a bounded buffer: every write says whether it fit.</summary>
        private struct Writer
        {
            private readonly byte* _buffer;
            private readonly int _capacity;
            public int Length;

            public Writer(byte* buffer, int capacity)
            {
                _buffer = buffer;
                _capacity = capacity;
                Length = 0;
            }

            public byte* At(int offset) => _buffer + offset;

            /// <summary>A message header (its length filled by End); where it starts, or -1 when it does not fit.</summary>
            public int Begin(ushort type, ushort flags, uint sequence, uint portId)
            {
                int at = Length;
                if (!Int(0) || !Short(type) || !Short(flags) || !Int((int)sequence) || !Int((int)portId))
                    return -1;
                return at;
            }

            public bool End(int at)
            {
                *(uint*)(_buffer + at) = (uint)(Length - at);
                return Align();
            }

            public bool Align()
            {
                while ((Length & 3) != 0)
                    if (!Byte(0))
                        return false;
                return true;
            }

            public bool Byte(byte value)
            {
                if (Length + 1 > _capacity)
                    return false;
                _buffer[Length++] = value;
                return true;
            }

            public bool Short(ushort value) => Byte((byte)value) && Byte((byte)(value >> 8));

            public bool Int(int value) => Short((ushort)value) && Short((ushort)((uint)value >> 16));

            public bool Bytes(byte* bytes, int count)
            {
                if (count < 0 || Length + count > _capacity)
                    return false;
                for (int i = 0; i < count; i++)
                    _buffer[Length++] = bytes[i];
                return true;
            }

            /// <summary>struct rtattr: length (header and payload, unpadded), type, then the payload padded to four bytes.</summary>
            public bool Attribute(ushort type, byte* payload, int count) => Short((ushort)(4 + count)) && Short(type) && Bytes(payload, count) && Align();

            public bool IntAttribute(ushort type, uint value) => Attribute(type, (byte*)&value, 4);

            public bool ByteAttribute(ushort type, byte value) => Attribute(type, &value, 1);

            /// <summary>An IPv4 address in network order.</summary>
            public bool AddressAttribute(ushort type, uint address)
            {
                byte* bytes = stackalloc byte[4];
                bytes[0] = (byte)(address >> 24);
                bytes[1] = (byte)(address >> 16);
                bytes[2] = (byte)(address >> 8);
                bytes[3] = (byte)address;
                return Attribute(type, bytes, 4);
            }
        }
    }
}
