namespace Exo.Storage.Ext
{
    /// <summary>
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as ext4's metadata checksums use it: the running value
    /// is passed in and returned without the final inversion (the kernel's ext4_chksum), so checksums chain over
    /// several pieces. Eight bytes a step with eight 1 KiB tables (slicing-by-8): a directory or bitmap block's
    /// checksum was a byte loop of some 27,000 instructions per 4 KiB, counted at every metadata change. The 8 KiB of
    /// tables live in memory the owner provides (no static initialisers in the core library).
    /// </summary>
    public unsafe struct Crc32c
    {
        public const int TableBytes = 8 * 256 * sizeof(uint);
        private uint* _table;   // table k at _table + 256 * k: the CRC of a byte followed by k zero bytes

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
            for (int k = 1; k < 8; k++)
                for (uint i = 0; i < 256; i++)
                {
                    uint previous = table[256 * (k - 1) + i];
                    table[256 * k + i] = table[previous & 0xFF] ^ (previous >> 8);
                }
        }

        public uint Update(uint crc, byte* data, int length)
        {
            uint* t = _table;
            int i = 0;
            for (; i + 8 <= length; i += 8)
            {
                uint low = *(uint*)(data + i) ^ crc, high = *(uint*)(data + i + 4);
                crc = t[7 * 256 + (low & 0xFF)] ^ t[6 * 256 + ((low >> 8) & 0xFF)] ^ t[5 * 256 + ((low >> 16) & 0xFF)] ^ t[4 * 256 + (low >> 24)]
                    ^ t[3 * 256 + (high & 0xFF)] ^ t[2 * 256 + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            }
            for (; i < length; i++)
                crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
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
