using Exo.PosixX.Sockets.Internet;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// /proc/net/dev and /proc/net/route in Linux's formats, from the network service's interface facts
    /// (NetworkInterfaces; empty tables without a service). dev: frames received and sent per interface (the service
    /// counts the card's frames; bytes, errors and drops are not counted and show 0; loopback's are 0). route: the main
    /// table as DHCP set it, the subnet's route and the default route through the gateway (loopback's routes live in
    /// Linux's local table, which this file does not show either). posix_x/resolv.conf: a nameserver line per DNS server
    /// the DHCP leases named (what a DHCP client would write into /etc/resolv.conf, which links here).
    /// </summary>
    public static unsafe class NetworkFiles
    {
        private const uint RouteUp = 0x1, RouteGateway = 0x2;   // RTF_UP, RTF_GATEWAY
        /// <summary>Linux pads every line of /proc/net/route to this many characters.</summary>
        private const int RouteLineLength = 127;

        public static void Devices(ref ProcText text)
        {
            text.Text("Inter-|   Receive                                                |  Transmit\n");
            text.Text(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n");
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            if (NetworkInterfaces.Read(records, out int count) != Error.None)
                return;
            for (int i = 0; i < count; i++)
            {
                int nameLength = records[i].NameLengthOrInvalid();
                for (int pad = nameLength; pad < 6; pad++)
                    text.Char(' ');
                text.Bytes(records[i].Name, nameLength);
                text.Char(':');
                // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop fifo colls carrier compressed.
                Counters(ref text, records[i].FramesReceived, 8);
                Counters(ref text, records[i].FramesSent, 8);
                text.Line();
            }
        }

        private static void Counters(ref ProcText text, ulong packets, int fields)
        {
            text.Char(' ');
            text.DecimalPadded(0, 8);
            text.Char(' ');
            text.DecimalPadded(packets, 7);
            for (int i = 2; i < fields; i++)
            {
                text.Char(' ');
                text.DecimalPadded(0, 4);
            }
        }

        public static void Routes(ref ProcText text)
        {
            text.Text("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
            text.PadTo(RouteLineLength);
            text.Line();
            NetworkInterfaceRecord* records = stackalloc NetworkInterfaceRecord[NetworkInterfaces.Maximum];
            if (NetworkInterfaces.Read(records, out int count) != Error.None)
                return;
            for (int i = 0; i < count; i++)
            {
                NetworkInterfaceRecord* record = &records[i];
                if ((record->Flags & NetworkInterfaceRecord.FlagLoopback) != 0 || record->Address == 0)
                    continue;
                if (record->Gateway != 0)
                    Route(ref text, record, 0, record->Gateway, 0, RouteUp | RouteGateway);
                uint mask = NetworkInterfaces.MaskOf(record->PrefixLength);
                Route(ref text, record, record->Address & mask, 0, mask, RouteUp);
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
