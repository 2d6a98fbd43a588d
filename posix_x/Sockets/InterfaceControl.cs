using Exo.Kernel.Memory;
using Exo.PosixX.Sockets.Internet;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// The interface ioctls Linux answers on any socket (net/core/dev_ioctl.c, net/ipv4/devinet.c), for ifconfig and
    /// route: SIOCGIFCONF, SIOCGIFNAME, SIOCGIFINDEX and the SIOCGIF* of one interface (flags, addresses, netmask,
    /// broadcast, hardware address, MTU, metric, map, transmit queue length), from the network service's facts
    /// (<see cref="NetworkInterfaces"/>). SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS (IFF_UP), SIOCADDRT and SIOCDELRT change
    /// the card through the service (<see cref="NetworkChange"/>), root only (EPERM otherwise, Linux's CAP_NET_ADMIN); the
    /// other setters (broadcast, MTU, metric, hardware address, queue, map) are EOPNOTSUPP for root.
    /// </summary>
    public static unsafe class InterfaceControl
    {
        // linux/sockios.h
        private const uint AddRoute = 0x890B, DeleteRoute = 0x890C, GetName = 0x8910, GetConfiguration = 0x8912, GetFlags = 0x8913,
            SetFlags = 0x8914, GetAddress = 0x8915, SetAddress = 0x8916, GetDestination = 0x8917, SetDestination = 0x8918,
            GetBroadcast = 0x8919, SetBroadcast = 0x891A, GetNetmask = 0x891B, SetNetmask = 0x891C, GetMetric = 0x891D,
            SetMetric = 0x891E, GetMtu = 0x8921, SetMtu = 0x8922, SetHardwareAddress = 0x8924, GetHardwareAddress = 0x8927,
            GetIndex = 0x8933, GetTransmitQueue = 0x8942, SetTransmitQueue = 0x8943, GetMap = 0x8970, SetMap = 0x8971;
        /// <summary>struct ifreq: the name (IFNAMSIZ) and a 24-byte union.</summary>
        private const int RequestLength = 40, NameLength = 16;
        /// <summary>struct ifconf: ifc_len (int), padding, then the buffer's address.</summary>
        private const int ConfigurationLength = 16;
        private const ushort InternetFamily = 2;

        /// <summary>ioctl on a socket, for a request its family does not know: ENOTTY unless it is one of these.</summary>
        public static Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            switch (request)
            {
                case AddRoute: case DeleteRoute: case SetFlags: case SetAddress: case SetNetmask:
                    if (!KernelInterface.LinuxProcess.Current.Credentials.IsPrivileged)
                        return Error.NotPermitted;
                    return request == AddRoute || request == DeleteRoute ? ChangeRoute(request == AddRoute, argument) : SetInterface(request, argument);
                case SetDestination: case SetBroadcast: case SetMetric: case SetMtu: case SetHardwareAddress: case SetTransmitQueue: case SetMap:
                    return KernelInterface.LinuxProcess.Current.Credentials.IsPrivileged ? Error.NotSupported : Error.NotPermitted;
                case GetConfiguration:
                    return Configuration(argument);
                case GetName: case GetFlags: case GetAddress: case GetDestination: case GetBroadcast: case GetNetmask: case GetMetric:
                case GetMtu: case GetHardwareAddress: case GetIndex: case GetTransmitQueue: case GetMap:
                    return OneInterface(request, argument);
                default:
                    return Error.NotATerminal;
            }
        }

        private static Error OneInterface(uint request, ulong argument)
        {
            byte* ifreq = stackalloc byte[RequestLength];
            if (!UserMemory.CopyFromUser(ifreq, argument, RequestLength))
                return Error.BadAddress;
            ifreq[NameLength - 1] = 0;   // as Linux: the name ends within IFNAMSIZ
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            Error error = NetworkInterfaces.Read(records, out int count);
            if (error != Error.None)
                return error == Error.AddressFamilyNotSupported ? Error.NoDevice : error;
            int found = -1;
            if (request == GetName)
            {
                int index = *(int*)(ifreq + NameLength);
                for (int i = 0; i < count; i++)
                    if (records[i].Index == (uint)index)
                        found = i;
            }
            else
            {
                found = NetworkInterfaces.Find(records, count, ifreq);
            }
            if (found < 0)
                return Error.NoDevice;
            NetworkInterfaceRecord* record = &records[found];
            byte* value = ifreq + NameLength;
            for (int i = 0; i < RequestLength - NameLength; i++)
                value[i] = 0;
            switch (request)
            {
                case GetName:
                    for (int i = 0; i < NameLength; i++)
                        ifreq[i] = record->Name[i];
                    *(int*)value = (int)record->Index;
                    break;
                case GetIndex: *(int*)value = (int)record->Index; break;
                case GetFlags: *(short*)value = (short)record->Flags; break;
                case GetMetric: break;   // 0 (ifconfig shows it plus one)
                case GetMtu: *(int*)value = (int)record->Mtu; break;
                case GetTransmitQueue: *(int*)value = NetworkInterfaces.TransmitQueueLength; break;
                case GetMap: break;   // no I/O ports, memory or IRQ to show
                case GetHardwareAddress:
                    *(ushort*)value = record->HardwareType;
                    for (int i = 0; i < 6; i++)
                        value[2 + i] = record->HardwareAddress[i];
                    break;
                default:
                {
                    // The IPv4 addresses: none on an interface without one (EADDRNOTAVAIL, as devinet_ioctl says).
                    if (record->Address == 0)
                        return Error.AddressNotAvailable;
                    uint address = request == GetNetmask ? NetworkInterfaces.MaskOf(record->PrefixLength)
                        : request == GetBroadcast ? NetworkInterfaces.BroadcastOf(record) : record->Address;
                    WriteInternetAddress(value, address);
                    break;
                }
            }
            return UserMemory.CopyToUser(argument, ifreq, RequestLength) ? Error.None : Error.BadAddress;
        }

        private const short FlagUp = 0x1;   // IFF_UP
        // struct rtentry (linux/route.h, x86-64): the destination, gateway and mask sockaddrs, flags, the device's name pointer.
        private const int RouteEntryLength = 120, RouteDestinationOffset = 8, RouteGatewayOffset = 24, RouteMaskOffset = 40, RouteFlagsOffset = 56,
            RouteDeviceOffset = 88;
        private const ushort RouteFlagGateway = 0x2, RouteFlagHost = 0x4;   // RTF_GATEWAY, RTF_HOST

        // SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS, as devinet_ioctl and dev_ifsioc do them.
        private static Error SetInterface(uint request, ulong argument)
        {
            byte* ifreq = stackalloc byte[RequestLength];
            if (!UserMemory.CopyFromUser(ifreq, argument, RequestLength))
                return Error.BadAddress;
            ifreq[NameLength - 1] = 0;
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            Error error = NetworkInterfaces.Read(records, out int count);
            if (error != Error.None)
                return error == Error.AddressFamilyNotSupported ? Error.NoDevice : error;
            int found = NetworkInterfaces.Find(records, count, ifreq);
            if (found < 0)
                return Error.NoDevice;
            NetworkInterfaceRecord* record = &records[found];
            var change = new NetworkChange { Index = record->Index };
            byte* value = ifreq + NameLength;
            if (request == SetFlags)
            {
                change.Kind = (*(short*)value & FlagUp) != 0 ? NetworkChange.Up : NetworkChange.Down;
                if (((record->Flags & NetworkInterfaceRecord.FlagUp) != 0) == (change.Kind == NetworkChange.Up))
                    return Error.None;   // nothing to change (the other flags are not the service's)
                return NetworkInterfaces.Change(ref change);
            }
            if (*(ushort*)value != InternetFamily)
                return Error.Invalid;
            uint address = ReadInternetAddress(value);
            change.Kind = NetworkChange.SetAddress;
            if (request == SetAddress)
            {
                // A new address takes its class's prefix (inet_abc_len); class D and E are refused.
                int prefix = ClassPrefixOf(address);
                if (prefix < 0)
                    return Error.Invalid;
                if (address == record->Address)
                    return Error.None;
                change.Address = address;
                change.PrefixLength = (byte)prefix;
            }
            else
            {
                if (record->Address == 0)
                    return Error.AddressNotAvailable;
                int prefix = PrefixOf(address);
                if (prefix < 0)
                    return Error.Invalid;   // not a contiguous mask (bad_mask)
                change.Address = record->Address;
                change.PrefixLength = (byte)prefix;
            }
            return NetworkInterfaces.Change(ref change);
        }

        // SIOCADDRT and SIOCDELRT (ip_rt_ioctl, rtentry_to_fib_config): a host route or a network and its mask, maybe a gateway.
        private static Error ChangeRoute(bool add, ulong argument)
        {
            byte* entry = stackalloc byte[RouteEntryLength];
            if (!UserMemory.CopyFromUser(entry, argument, RouteEntryLength))
                return Error.BadAddress;
            if (*(ushort*)(entry + RouteDestinationOffset) != InternetFamily)
                return Error.AddressFamilyNotSupported;
            ushort flags = *(ushort*)(entry + RouteFlagsOffset);
            uint destination = ReadInternetAddress(entry + RouteDestinationOffset);
            int prefix = 32;
            if ((flags & RouteFlagHost) == 0)
            {
                ushort maskFamily = *(ushort*)(entry + RouteMaskOffset);
                uint mask = ReadInternetAddress(entry + RouteMaskOffset);
                if (maskFamily != InternetFamily && !(maskFamily == 0 && mask == 0))
                    return Error.AddressFamilyNotSupported;
                prefix = PrefixOf(mask);
                if (prefix < 0 || (destination & ~mask) != 0)
                    return Error.Invalid;
            }
            uint gateway = 0;
            if ((flags & RouteFlagGateway) != 0)
            {
                if (*(ushort*)(entry + RouteGatewayOffset) != InternetFamily)
                    return Error.Invalid;
                gateway = ReadInternetAddress(entry + RouteGatewayOffset);
            }
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            Error error = NetworkInterfaces.Read(records, out int count);
            if (error != Error.None)
                return error == Error.AddressFamilyNotSupported ? Error.NoDevice : error;
            // The device named (rt_dev), or the card: the one interface a route can go through.
            int found = -1;
            ulong device = *(ulong*)(entry + RouteDeviceOffset);
            if (device != 0)
            {
                byte* name = stackalloc byte[NameLength];
                for (int i = 0; i < NameLength; i++)
                    name[i] = 0;
                // The name, byte by byte up to its zero (it may end just before an unmapped page).
                for (int i = 0; i < NameLength - 1; i++)
                {
                    if (!UserMemory.CopyFromUser(name + i, device + (ulong)i, 1))
                        return Error.BadAddress;
                    if (name[i] == 0)
                        break;
                }
                found = NetworkInterfaces.Find(records, count, name);
                if (found < 0)
                    return Error.NoDevice;
            }
            else
            {
                for (int i = 0; i < count && found < 0; i++)
                    if ((records[i].Flags & NetworkInterfaceRecord.FlagLoopback) == 0)
                        found = i;
                if (found < 0)
                    return Error.NoDevice;
            }
            var change = new NetworkChange
            {
                Kind = add ? NetworkChange.AddRoute : NetworkChange.DeleteRoute, Index = records[found].Index,
                Address = destination, PrefixLength = (byte)prefix, Gateway = gateway,
            };
            return NetworkInterfaces.Change(ref change);
        }

        private static uint ReadInternetAddress(byte* sockaddr) =>
            (uint)sockaddr[4] << 24 | (uint)sockaddr[5] << 16 | (uint)sockaddr[6] << 8 | sockaddr[7];

        /// <summary>A contiguous mask's prefix length, or -1.</summary>
        public static int PrefixOf(uint mask)
        {
            int prefix = 0;
            while (prefix < 32 && (mask & (0x80000000u >> prefix)) != 0)
                prefix++;
            return NetworkInterfaces.MaskOf(prefix) == mask ? prefix : -1;
        }

        // inet_abc_len: 0 for 0.0.0.0, 8, 16 or 24 by class, -1 for class D and E.
        private static int ClassPrefixOf(uint address) =>
            address == 0 ? 0 : (address & 0x80000000u) == 0 ? 8 : (address & 0xC0000000u) == 0x80000000u ? 16
            : (address & 0xE0000000u) == 0xC0000000u ? 24 : -1;

        /// <summary>SIOCGIFCONF: an ifreq (name and address) per interface with an IPv4 address that fits; a null buffer asks the length.</summary>
        private static Error Configuration(ulong argument)
        {
            byte* ifconf = stackalloc byte[ConfigurationLength];
            if (!UserMemory.CopyFromUser(ifconf, argument, ConfigurationLength))
                return Error.BadAddress;
            int room = *(int*)ifconf;
            ulong buffer = *(ulong*)(ifconf + 8);
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            Error error = NetworkInterfaces.Read(records, out int count);
            if (error == Error.AddressFamilyNotSupported)
                count = 0;   // no network service: no interface
            else if (error != Error.None)
                return error;
            int written = 0;
            byte* ifreq = stackalloc byte[RequestLength];
            for (int i = 0; i < count; i++)
            {
                if (records[i].Address == 0)
                    continue;
                if (buffer != 0)
                {
                    if (room - written < RequestLength)
                        break;
                    for (int j = 0; j < RequestLength; j++)
                        ifreq[j] = 0;
                    for (int j = 0; j < NameLength; j++)
                        ifreq[j] = records[i].Name[j];
                    WriteInternetAddress(ifreq + NameLength, records[i].Address);
                    if (!UserMemory.CopyToUser(buffer + (ulong)written, ifreq, RequestLength))
                        return Error.BadAddress;
                }
                written += RequestLength;
            }
            return UserMemory.CopyToUser(argument, &written, sizeof(int)) ? Error.None : Error.BadAddress;
        }

        /// <summary>A sockaddr_in with 'address' (host order) and port 0.</summary>
        private static void WriteInternetAddress(byte* sockaddr, uint address)
        {
            *(ushort*)sockaddr = InternetFamily;
            sockaddr[2] = 0;
            sockaddr[3] = 0;
            sockaddr[4] = (byte)(address >> 24);
            sockaddr[5] = (byte)(address >> 16);
            sockaddr[6] = (byte)(address >> 8);
            sockaddr[7] = (byte)address;
        }
    }
}
