namespace Exo.Network
{
    /// <summary>Big-endian (network byte order) loads and stores at any alignment: every header field goes through here.</summary>
    public static unsafe class NetworkOrder
    {
        public static ushort ReadUInt16(byte* bytes) => (ushort)(bytes[0] << 8 | bytes[1]);

        public static uint ReadUInt32(byte* bytes) => (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];

        public static void WriteUInt16(byte* bytes, ushort value)
        {
            bytes[0] = (byte)(value >> 8);
            bytes[1] = (byte)value;
        }

        public static void WriteUInt32(byte* bytes, uint value)
        {
            bytes[0] = (byte)(value >> 24);
            bytes[1] = (byte)(value >> 16);
            bytes[2] = (byte)(value >> 8);
            bytes[3] = (byte)value;
        }
    }
}
