namespace Exo.Storage.Partitions
{
    /// <summary>
    /// CRC-32 as GPT's header and entry-array checksums use it (IEEE 802.3: reflected polynomial 0xEDB88320, initial
    /// value and final inversion 0xFFFFFFFF). Bit by bit, with no table: a partition table is read once per mount.
    /// </summary>
    public static unsafe class Crc32
    {
        public const uint Initial = 0xFFFFFFFF;

        /// <summary>The running value over 'length' more bytes (start from Initial; Finish gives the checksum).</summary>
        public static uint Update(uint crc, byte* data, int length)
        {
            for (int i = 0; i < length; i++)
            {
                crc ^= data[i];
                for (int bit = 0; bit < 8; bit++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            return crc;
        }

        public static uint Finish(uint crc) => ~crc;
    }
}
