namespace Exo.Storage.Ext
{
    /// <summary>
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as ext4's metadata checksums use it: the running value
    /// is passed in and returned without the final inversion (the kernel's ext4_chksum), so checksums chain over
    /// several pieces. The 1 KiB table lives in memory the owner provides (no static initialisers in the core library).
    /// </summary>
    public unsafe struct Crc32c
    {
        public const int TableBytes = 256 * sizeof(uint);
        private uint* _table;

        public Crc32c(uint* table)
        {
            _table = table;
            for (uint i = 0; i < 256; i++)
            {
                uint value = i;
                for (int bit = 0; bit < 8; bit++)
                    value = (value & 1) != 0 ? (value >> 1) ^ 0x82F63B78u : value >> 1;
                table[i] = value;
            }
        }

        public uint Update(uint crc, byte* data, int length)
        {
            for (int i = 0; i < length; i++)
                crc = _table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        public uint UpdateWord(uint crc, uint littleEndianWord)
        {
            byte* bytes = stackalloc byte[4];
            *(uint*)bytes = littleEndianWord;
            return Update(crc, bytes, 4);
        }
    }
}
