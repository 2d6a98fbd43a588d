namespace Exo.Network
{
    /// <summary>The IPv4 header's fields (RFC 791 3.1), read and written at a pointer; callers check lengths first.</summary>
    public static unsafe class Ipv4Header
    {
        public const int MinimumLength = 20;
        public const int MaximumLength = 60;
        public const int MaximumDatagram = 65535;
        public const ushort FlagDontFragment = 0x4000;
        public const ushort FlagMoreFragments = 0x2000;
        public const ushort OffsetMask = 0x1FFF;

        public static int Version(byte* header) => header[0] >> 4;
        public static int HeaderLength(byte* header) => (header[0] & 0xF) * 4;
        public static int TotalLength(byte* header) => NetworkOrder.ReadUInt16(header + 2);
        public static ushort Identification(byte* header) => NetworkOrder.ReadUInt16(header + 4);
        public static ushort FlagsAndOffset(byte* header) => NetworkOrder.ReadUInt16(header + 6);
        public static byte TimeToLive(byte* header) => header[8];
        public static byte Protocol(byte* header) => header[9];
        public static Ipv4Address Source(byte* header) => Ipv4Address.Read(header + 12);
        public static Ipv4Address Destination(byte* header) => Ipv4Address.Read(header + 16);

        /// <summary>Writes a 20-byte header (no options) with its checksum.</summary>
        public static void Write(byte* header, int totalLength, ushort identification, ushort flagsAndOffset, byte timeToLive,
            byte protocol, Ipv4Address source, Ipv4Address destination)
        {
            header[0] = 0x45;
            header[1] = 0;
            NetworkOrder.WriteUInt16(header + 2, (ushort)totalLength);
            NetworkOrder.WriteUInt16(header + 4, identification);
            NetworkOrder.WriteUInt16(header + 6, flagsAndOffset);
            header[8] = timeToLive;
            header[9] = protocol;
            header[10] = 0;
            header[11] = 0;
            source.Write(header + 12);
            destination.Write(header + 16);
            NetworkOrder.WriteUInt16(header + 10, InternetChecksum.ComputeMinimumHeader(header));
        }
    }
}
