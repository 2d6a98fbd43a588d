using System.Runtime.Intrinsics.X86;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as ext4's metadata checksums use it: the running value
    /// is passed in and returned without the final inversion (the kernel's ext4_chksum), so checksums chain over
    /// several pieces. SSE4.2's CRC32 instruction, eight bytes a step (x86-64-v2, which user programs are built for;
    /// Linux's crc32c-intel does the same): a 4 KiB directory or bitmap block's checksum, counted at every metadata
    /// change, costs about 1,200 instructions where eight 1 KiB tables a step took some 15,000 and a byte loop 27,000.
    /// </summary>
    public static unsafe class Crc32c
    {
        public static uint Update(uint crc, byte* data, int length)
        {
            ulong value = crc;
            int i = 0;
            for (; i + 32 <= length; i += 32)
            {
                value = Sse42.X64.Crc32(value, *(ulong*)(data + i));
                value = Sse42.X64.Crc32(value, *(ulong*)(data + i + 8));
                value = Sse42.X64.Crc32(value, *(ulong*)(data + i + 16));
                value = Sse42.X64.Crc32(value, *(ulong*)(data + i + 24));
            }
            for (; i + 8 <= length; i += 8)
                value = Sse42.X64.Crc32(value, *(ulong*)(data + i));
            crc = (uint)value;
            for (; i < length; i++)
                crc = Sse42.Crc32(crc, data[i]);
            return crc;
        }

        public static uint UpdateWord(uint crc, uint littleEndianWord) => Sse42.Crc32(crc, littleEndianWord);
    }
}
