namespace Exo.Network
{
    /// <summary>Ethernet II framing: destination MAC, source MAC, EtherType, then the payload (the NIC adds the FCS).</summary>
    public static unsafe class EthernetFrame
    {
        public const int HeaderLength = 14;
        public const ushort EtherTypeIpv4 = 0x0800;
        public const ushort EtherTypeArp = 0x0806;
        /// <summary>A frame's largest payload the stack accepts or builds (the standard Ethernet MTU; jumbo frames are not used).</summary>
        public const int MaximumPayload = 1500;
        public const int MaximumLength = HeaderLength + MaximumPayload;

        public static MacAddress Destination(byte* frame) => MacAddress.Read(frame);
        public static MacAddress Source(byte* frame) => MacAddress.Read(frame + 6);
        public static ushort EtherType(byte* frame) => NetworkOrder.ReadUInt16(frame + 12);

        public static void WriteHeader(byte* frame, MacAddress destination, MacAddress source, ushort etherType)
        {
            destination.Write(frame);
            source.Write(frame + 6);
            NetworkOrder.WriteUInt16(frame + 12, etherType);
        }

        /// <summary>The MAC address an IPv4 multicast group maps to (RFC 1112 6.4: 01:00:5e and the group's low 23 bits).</summary>
        public static MacAddress MulticastMac(Ipv4Address group) => new MacAddress(0x01005E000000UL | (group.Value & 0x7FFFFF));
    }
}
