using Exo.PosixX.Sockets.Internet;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// /proc/net/dev and /proc/net/route in Linux's formats, from the network service's interface facts
    /// (NetworkInterfaces; empty tables without a service). dev: bytes, packets, errors and drops received and sent per
    /// interface as the service counts them (fifo, frame, compressed, multicast, collisions and carrier show 0). route: the main
    /// table as the service lists it (the default route, routes added by hand, the subnet's) (loopback's routes live in
    /// Linux's local table, which this file does not show either). posix_x/resolv.conf: a nameserver line per DNS server
    /// the DHCP leases named (what a DHCP client would write into /etc/resolv.conf, which links here).
    /// </summary>
    public static unsafe class NetworkFiles
    {
        private const uint RouteUp = 0x1, RouteGateway = 0x2, RouteHost = 0x4;   // RTF_UP, RTF_GATEWAY, RTF_HOST
        /// <summary>Linux pads every line of /proc/net/route to this many characters.</summary>
        private const int RouteLineLength = 127;

        public static void Devices(ref ProcText text)
        {
            text.Text("Inter-|   Receive                                                |  Transmit\n");
            text.Text(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n");
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            if (NetworkInterfaces.Read(records, out int count) != Error.None)
                return;
            ulong* values = stackalloc ulong[DeviceFields];
            for (int i = 0; i < count; i++)
            {
                int nameLength = records[i].NameLengthOrInvalid();
                for (int pad = nameLength; pad < 6; pad++)
                    text.Char(' ');
                text.Bytes(records[i].Name, nameLength);
                text.Char(':');
                // As dev_seq_printf_stats: receive bytes packets errs drop fifo frame compressed multicast, then transmit
                // bytes packets errs drop fifo colls carrier compressed (the fields the service does not count are 0).
                NetworkInterfaceRecord* record = &records[i];
                for (int field = 0; field < DeviceFields; field++)
                    values[field] = 0;
                values[0] = record->ReceivedBytes; values[1] = record->ReceivedPackets; values[2] = record->ReceiveErrors; values[3] = record->ReceiveDrops;
                values[8] = record->SentBytes; values[9] = record->SentPackets; values[10] = record->SendErrors; values[11] = record->SendDrops;
                for (int field = 0; field < DeviceFields; field++)
                {
                    if (field > 0)
                        text.Char(' ');
                    text.DecimalPadded(values[field], DeviceFieldWidth(field));
                }
                text.Line();
            }
        }

        /// <summary>The fields of a /proc/net/dev line, and each one's width (dev_seq_printf_stats's "%8llu %7llu %4llu...").</summary>
        private const int DeviceFields = 16;

        private static int DeviceFieldWidth(int field)
        {
            switch (field)
            {
                case 0: case 8: return 8;
                case 1: case 9: return 7;
                case 5: case 13: return 5;
                case 6: case 15: return 10;
                case 7: return 9;
                case 14: return 7;
                default: return 4;
            }
        }

        public static void Routes(ref ProcText text)
        {
            text.Text("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
            text.PadTo(RouteLineLength);
            text.Line();
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            NetworkRouteRecord* routes = stackalloc NetworkRouteRecord[NetworkInterfaces.MaximumRoutes];
            if (NetworkInterfaces.Read(records, out int count) != Error.None || NetworkInterfaces.ReadRoutes(routes, out int routeCount) != Error.None)
                return;
            for (int i = 0; i < routeCount; i++)
            {
                NetworkRouteRecord* route = &routes[i];
                int owner = -1;
                for (int j = 0; j < count; j++)
                    if (records[j].Index == route->Index)
                        owner = j;
                if (owner < 0)
                    continue;
                uint flags = RouteUp | (route->Gateway != 0 ? RouteGateway : 0) | (route->PrefixLength == 32 ? RouteHost : 0);
                Route(ref text, &records[owner], route->Destination, route->Gateway, NetworkInterfaces.MaskOf(route->PrefixLength), flags);
            }
        }

        private static void Route(ref ProcText text, NetworkInterfaceRecord* record, uint destination, uint gateway, uint mask, uint flags)
        {
            text.Bytes(record->Name, record->NameLengthOrInvalid());
            text.Char('\t');
            Address(ref text, destination);
            text.Char('\t');
            Address(ref text, gateway);
            text.Char('\t');
            text.Hex(flags, 4, true);
            text.Text("\t0\t0\t0\t");
            Address(ref text, mask);
            text.Text("\t0\t0\t0");
            text.PadTo(RouteLineLength);
            text.Line();
        }

        public static void ResolverConfiguration(ref ProcText text)
        {
            text.Text("# The DNS servers of the network service's DHCP lease (Exo-OS: /proc/posix_x/resolv.conf)\n");
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            if (NetworkInterfaces.Read(records, out int count) != Error.None)
                return;
            for (int i = 0; i < count; i++)
            {
                uint server = records[i].DnsServer;
                if (server == 0)
                    continue;
                text.Text("nameserver ");
                for (int shift = 24; shift >= 0; shift -= 8)
                {
                    text.Decimal((server >> shift) & 0xFF);
                    if (shift > 0)
                        text.Char('.');
                }
                text.Line();
            }
        }

        // As Linux prints it: the address's network-order bytes read as a little-endian number, "%08X".
        private static void Address(ref ProcText text, uint address)
        {
            uint swapped = (address >> 24) | ((address >> 8) & 0xFF00) | ((address << 8) & 0xFF0000) | (address << 24);
            text.Hex(swapped, 8, true);
        }
    }
}
