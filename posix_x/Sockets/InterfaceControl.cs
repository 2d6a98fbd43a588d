using Exo.Kernel.Memory;
using Exo.PosixX.Sockets.Internet;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// The interface ioctls Linux answers on any socket (net/core/dev_ioctl.c, net/ipv4/devinet.c), for ifconfig and
    /// route: SIOCGIFCONF, SIOCGIFNAME, SIOCGIFINDEX and the SIOCGIF* of one interface (flags, addresses, netmask,
    /// broadcast, hardware address, MTU, metric, map, transmit queue length), from the network service's facts
    /// (<see cref="NetworkInterfaces"/>). Setting (SIOCSIF*, SIOCADDRT, SIOCDELRT) is EPERM without root and EOPNOTSUPP
    /// with it: addresses and routes come from DHCP only.
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
                case AddRoute: case DeleteRoute: case SetFlags: case SetAddress: case SetDestination: case SetBroadcast: case SetNetmask:
                case SetMetric: case SetMtu: case SetHardwareAddress: case SetTransmitQueue: case SetMap:
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
