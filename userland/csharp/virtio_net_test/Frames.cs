namespace VirtioNetTest
{
    /// <summary>
    /// The few frames the test builds and parses by hand (no network stack): Ethernet II headers, ARP for IPv4 over
    /// Ethernet (RFC 826) and ICMP echo in IPv4 (RFC 792, 791). Addresses: MACs in bytes 0-5 of a ulong, IPv4 addresses
    /// as written (10.0.2.15 is 0x0A00020F); multi-byte fields in network byte order.
    /// </summary>
    internal static unsafe class Frames
    {
        public const int EthernetHeader = 14;
        public const ushort TypeIpv4 = 0x0800, TypeArp = 0x0806;
        public const int ArpFrameLength = EthernetHeader + 28;
        public const ushort ArpRequest = 1, ArpReply = 2;
        public const int Ipv4Header = 20, IcmpHeader = 8;
        public const byte ProtocolIcmp = 1, EchoReply = 0, EchoRequest = 8;
        public const ulong Broadcast = 0xFFFFFFFFFFFF;

        public static void PutMac(byte* at, ulong mac)
        {
            for (int i = 0; i < 6; i++)
                at[i] = (byte)(mac >> (8 * i));
        }

        public static ulong GetMac(byte* at)
        {
            ulong mac = 0;
            for (int i = 0; i < 6; i++)
                mac |= (ulong)at[i] << (8 * i);
            return mac;
        }

        public static void Put16(byte* at, uint value) { at[0] = (byte)(value >> 8); at[1] = (byte)value; }
        public static void Put32(byte* at, uint value) { Put16(at, value >> 16); Put16(at + 2, value); }
        public static ushort Get16(byte* at) => (ushort)(at[0] << 8 | at[1]);
        public static uint Get32(byte* at) => (uint)Get16(at) << 16 | Get16(at + 2);

        public static int Ethernet(byte* frame, ulong destination, ulong source, ushort type)
        {
            PutMac(frame, destination);
            PutMac(frame + 6, source);
            Put16(frame + 12, type);
            return EthernetHeader;
        }

        /// <summary>An ARP request or reply; its length.</summary>
        public static int Arp(byte* frame, ushort operation, ulong destination, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp)
        {
            byte* arp = frame + Ethernet(frame, destination, senderMac, TypeArp);
            Put16(arp, 1);             // hardware: Ethernet
            Put16(arp + 2, TypeIpv4);  // protocol: IPv4
            arp[4] = 6;
            arp[5] = 4;
            Put16(arp + 6, operation);
            PutMac(arp + 8, senderMac);
            Put32(arp + 14, senderIp);
            PutMac(arp + 18, targetMac);
            Put32(arp + 24, targetIp);
            return ArpFrameLength;
        }

        /// <summary>An ARP frame's operation, sender and target; false if 'frame' is not ARP for IPv4 over Ethernet.</summary>
        public static bool ParseArp(byte* frame, int length, out ushort operation, out ulong senderMac, out uint senderIp, out uint targetIp)
        {
            operation = 0;
            senderMac = 0;
            senderIp = targetIp = 0;
            if (length < ArpFrameLength || Get16(frame + 12) != TypeArp)
                return false;
            byte* arp = frame + EthernetHeader;
            if (Get16(arp) != 1 || Get16(arp + 2) != TypeIpv4 || arp[4] != 6 || arp[5] != 4)
                return false;
            operation = Get16(arp + 6);
            senderMac = GetMac(arp + 8);
            senderIp = Get32(arp + 14);
            targetIp = Get32(arp + 24);
            return true;
        }

        /// <summary>An ICMP echo request with 'payload' bytes (byte k = sequence + k); its length.</summary>
        public static int EchoRequestFrame(byte* frame, ulong destination, ulong source, uint sourceIp, uint destinationIp, ushort identifier, ushort sequence, int payload)
        {
            byte* ip = frame + Ethernet(frame, destination, source, TypeIpv4);
            int total = Ipv4Header + IcmpHeader + payload;
            ip[0] = 0x45;
            ip[1] = 0;
            Put16(ip + 2, (uint)total);
            Put16(ip + 4, sequence);
            Put16(ip + 6, 0x4000);   // don't fragment
            ip[8] = 64;
            ip[9] = ProtocolIcmp;
            Put16(ip + 10, 0);
            Put32(ip + 12, sourceIp);
            Put32(ip + 16, destinationIp);
            Put16(ip + 10, Checksum(ip, Ipv4Header));
            byte* icmp = ip + Ipv4Header;
            icmp[0] = EchoRequest;
            icmp[1] = 0;
            Put16(icmp + 2, 0);
            Put16(icmp + 4, identifier);
            Put16(icmp + 6, sequence);
            for (int k = 0; k < payload; k++)
                icmp[IcmpHeader + k] = (byte)(sequence + k);
            Put16(icmp + 2, Checksum(icmp, IcmpHeader + payload));
            return EthernetHeader + total;
        }

        /// <summary>True if 'frame' is an ICMP echo reply from 'fromIp' with 'identifier', good checksums and the payload its
        /// request had; its sequence number.</summary>
        public static bool ParseEchoReply(byte* frame, int length, uint fromIp, ushort identifier, int payload, out ushort sequence)
        {
            sequence = 0;
            if (length < EthernetHeader + Ipv4Header + IcmpHeader + payload || Get16(frame + 12) != TypeIpv4)
                return false;
            byte* ip = frame + EthernetHeader;
            if (ip[0] != 0x45 || ip[9] != ProtocolIcmp || Get32(ip + 12) != fromIp || Checksum(ip, Ipv4Header) != 0)
                return false;
            int total = Get16(ip + 2);
            if (total != Ipv4Header + IcmpHeader + payload)
                return false;
            byte* icmp = ip + Ipv4Header;
            if (icmp[0] != EchoReply || icmp[1] != 0 || Get16(icmp + 4) != identifier || Checksum(icmp, IcmpHeader + payload) != 0)
                return false;
            sequence = Get16(icmp + 6);
            for (int k = 0; k < payload; k++)
                if (icmp[IcmpHeader + k] != (byte)(sequence + k))
                    return false;
            return true;
        }

        /// <summary>The Internet checksum (RFC 1071) of 'length' bytes: 0 over data that holds its own correct checksum.</summary>
        public static ushort Checksum(byte* data, int length)
        {
            uint sum = 0;
            for (int i = 0; i + 1 < length; i += 2)
                sum += (uint)(data[i] << 8 | data[i + 1]);
            if ((length & 1) != 0)
                sum += (uint)data[length - 1] << 8;
            while ((sum >> 16) != 0)
                sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }
    }
}
