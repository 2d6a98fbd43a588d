namespace Exo.Storage.Ext
{
    /// <summary>CRC-16 (the reflected polynomial 0xA001, Linux's crc16) for uninit_bg's group descriptor checksums; bitwise, as it covers a few dozen bytes.</summary>
    public static unsafe class Crc16
    {
        public static ushort Update(ushort crc, byte* data, int length)
        {
            uint value = crc;
            for (int i = 0; i < length; i++)
            {
                value ^= data[i];
                for (int bit = 0; bit < 8; bit++)
                    value = (value & 1) != 0 ? (value >> 1) ^ 0xA001u : value >> 1;
            }
            return (ushort)value;
        }
    }
}
