namespace Exo.Network
{
    /// <summary>An ARP packet for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4.</summary>
    public static unsafe class ArpPacket
    {
        public const int Length = 28;
        public const ushort HardwareEthernet = 1;
        public const ushort OperationRequest = 1;
        public const ushort OperationReply = 2;

        public static ushort Operation(byte* packet) => NetworkOrder.ReadUInt16(packet + 6);
        public static MacAddress SenderMac(byte* packet) => MacAddress.Read(packet + 8);
        public static Ipv4Address SenderAddress(byte* packet) => Ipv4Address.Read(packet + 14);
        public static MacAddress TargetMac(byte* packet) => MacAddress.Read(packet + 18);
        public static Ipv4Address TargetAddress(byte* packet) => Ipv4Address.Read(packet + 24);

        /// <summary>Whether 'length' bytes hold an Ethernet/IPv4 request or reply.</summary>
        public static bool IsValid(byte* packet, int length)
        {
            if (length < Length)
                return false;
            ushort operation = Operation(packet);
            return NetworkOrder.ReadUInt16(packet) == HardwareEthernet && NetworkOrder.ReadUInt16(packet + 2) == EthernetFrame.EtherTypeIpv4
                && packet[4] == 6 && packet[5] == 4 && (operation == OperationRequest || operation == OperationReply);
        }

        public static void Write(byte* packet, ushort operation, MacAddress senderMac, Ipv4Address sender, MacAddress targetMac, Ipv4Address target)
        {
            NetworkOrder.WriteUInt16(packet, HardwareEthernet);
            NetworkOrder.WriteUInt16(packet + 2, EthernetFrame.EtherTypeIpv4);
            packet[4] = 6;
            packet[5] = 4;
            NetworkOrder.WriteUInt16(packet + 6, operation);
            senderMac.Write(packet + 8);
            sender.Write(packet + 14);
            targetMac.Write(packet + 18);
            target.Write(packet + 24);
        }
    }
}
