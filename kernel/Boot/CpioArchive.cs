namespace Exo.Kernel.Boot
{
    public enum CpioError { None, End, Truncated, BadMagic, BadHexField, BadNameSize }

    public unsafe struct CpioEntry
    {
        public byte* Name;
        public int NameLength;      // without the terminating NUL
        public byte* Data;
        public ulong Size;
        public uint Mode;
        public bool IsRegularFile => (Mode & 0xF000) == 0x8000;
    }

    /// <summary>
    /// Reads a cpio "newc" archive in memory (the initial RAM disk): each entry is "070701", thirteen 8-digit
    /// hex fields, the name (padded so header and name fill a multiple of 4 bytes) and the data (padded to 4);
    /// "TRAILER!!!" ends it. Every size is checked against the archive's length before use.
    /// </summary>
    public static unsafe class CpioArchive
    {
        private const int HeaderSize = 110;

        public static CpioError Next(byte* archive, ulong length, ref ulong offset, out CpioEntry entry)
        {
            entry = default;
            if (offset > length || length - offset < HeaderSize)
                return CpioError.Truncated;
            byte* header = archive + offset;
            if (header[0] != '0' || header[1] != '7' || header[2] != '0' || header[3] != '7' || header[4] != '0' || header[5] != '1')
                return CpioError.BadMagic;
            if (!Hex(header + 6 + 1 * 8, out uint mode) || !Hex(header + 6 + 6 * 8, out uint size) || !Hex(header + 6 + 11 * 8, out uint nameSize))
                return CpioError.BadHexField;
            if (nameSize == 0 || nameSize > 4096)
                return CpioError.BadNameSize;
            ulong nameEnd = offset + HeaderSize + nameSize;
            ulong dataStart = (nameEnd + 3) & ~3UL;
            if (dataStart > length || size > length - dataStart)
                return CpioError.Truncated;
            byte* name = header + HeaderSize;
            if (name[nameSize - 1] != 0)
                return CpioError.BadNameSize;
            entry.Name = name;
            entry.NameLength = (int)nameSize - 1;
            entry.Data = archive + dataStart;
            entry.Size = size;
            entry.Mode = mode;
            offset = (dataStart + size + 3) & ~3UL;
            if (Equals(entry.Name, entry.NameLength, "TRAILER!!!"))
                return CpioError.End;
            return CpioError.None;
        }

        /// <summary>A regular file by exact name ("./name" in the archive matches "name").</summary>
        public static bool TryFind(byte* archive, ulong length, byte* name, int nameLength, out CpioEntry entry)
        {
            ulong offset = 0;
            while (Next(archive, length, ref offset, out entry) == CpioError.None)
            {
                byte* candidate = entry.Name;
                int candidateLength = entry.NameLength;
                if (candidateLength >= 2 && candidate[0] == '.' && candidate[1] == '/') { candidate += 2; candidateLength -= 2; }
                if (entry.IsRegularFile && candidateLength == nameLength && SameBytes(candidate, name, nameLength))
                    return true;
            }
            entry = default;
            return false;
        }

        private static bool Hex(byte* field, out uint value)
        {
            value = 0;
            for (int i = 0; i < 8; i++)
            {
                byte c = field[i];
                uint digit = c >= '0' && c <= '9' ? (uint)(c - '0') : c >= 'a' && c <= 'f' ? (uint)(c - 'a' + 10) : c >= 'A' && c <= 'F' ? (uint)(c - 'A' + 10) : 16;
                if (digit == 16)
                    return false;
                value = value << 4 | digit;
            }
            return true;
        }

        private static bool SameBytes(byte* a, byte* b, int length)
        {
            for (int i = 0; i < length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }

        private static bool Equals(byte* text, int length, string expected)
        {
            if (length != expected.Length) return false;
            for (int i = 0; i < length; i++)
                if (text[i] != expected[i]) return false;
            return true;
        }
    }
}
