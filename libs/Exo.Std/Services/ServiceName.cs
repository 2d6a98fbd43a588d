namespace Exo.Std.Services
{
    /// <summary>
    /// A service's name in the name service: 1 to 24 printable ASCII bytes (no spaces), packed little-endian
    /// into three message words (zero bytes after the end), so that a lookup or a registration is one call.
    /// </summary>
    public struct ServiceName
    {
        public const int MaximumLength = 24;

        public ulong Part0, Part1, Part2;

        /// <summary>The name 'text'; false if it is empty, longer than 24 bytes, or not printable ASCII.</summary>
        public static bool TryCreate(string text, out ServiceName name)
        {
            name = default;
            if (text == null || text.Length == 0 || text.Length > MaximumLength)
                return false;
            for (int i = 0; i < text.Length; i++)
            {
                if (!IsNameByte(text[i]))
                    return false;
                name.SetByte(i, (byte)text[i]);
            }
            return true;
        }

        /// <summary>The name in 'bytes'; false under the same rules as the string form.</summary>
        public static unsafe bool TryCreate(byte* bytes, int length, out ServiceName name)
        {
            name = default;
            if (bytes == null || length <= 0 || length > MaximumLength)
                return false;
            for (int i = 0; i < length; i++)
            {
                if (!IsNameByte((char)bytes[i]))
                    return false;
                name.SetByte(i, bytes[i]);
            }
            return true;
        }

        /// <summary>The name in three received words; false if they do not hold a well-formed name.</summary>
        public static bool TryFromWords(ulong part0, ulong part1, ulong part2, out ServiceName name)
        {
            name = new ServiceName { Part0 = part0, Part1 = part1, Part2 = part2 };
            int length = name.Length;
            if (length == 0)
                return false;
            for (int i = 0; i < MaximumLength; i++)
            {
                byte value = name.ByteAt(i);
                if (i < length ? !IsNameByte((char)value) : value != 0)
                    return false;   // a byte after the first zero: not a name this type makes
            }
            return true;
        }

        /// <summary>The number of bytes before the first zero.</summary>
        public int Length
        {
            get
            {
                int length = 0;
                while (length < MaximumLength && ByteAt(length) != 0)
                    length++;
                return length;
            }
        }

        public byte ByteAt(int index)
        {
            ulong part = index < 8 ? Part0 : index < 16 ? Part1 : Part2;
            return (byte)(part >> (8 * (index & 7)));
        }

        /// <summary>Copies the name's bytes to 'destination' (room for MaximumLength); returns how many.</summary>
        public unsafe int CopyTo(byte* destination)
        {
            int length = Length;
            for (int i = 0; i < length; i++)
                destination[i] = ByteAt(i);
            return length;
        }

        public bool Equals(in ServiceName other) => Part0 == other.Part0 && Part1 == other.Part1 && Part2 == other.Part2;

        public bool IsEmpty => Part0 == 0;

        private void SetByte(int index, byte value)
        {
            ulong bits = (ulong)value << (8 * (index & 7));
            if (index < 8) Part0 |= bits;
            else if (index < 16) Part1 |= bits;
            else Part2 |= bits;
        }

        private static bool IsNameByte(char value) => value > ' ' && value < 0x7F;
    }
}
