namespace DeviceManager
{
    /// <summary>Builds a program's command line in a byte buffer (the manager allocates nothing for it).</summary>
    internal static unsafe class CommandLine
    {
        public static int Append(byte* buffer, int at, string text)
        {
            for (int i = 0; i < text.Length; i++)
                buffer[at++] = (byte)text[i];
            return at;
        }

        public static int AppendHex(byte* buffer, int at, uint value, int digits)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                uint nibble = (value >> shift) & 0xF;
                buffer[at++] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            }
            return at;
        }

        /// <summary>A PCI address as the listing writes it: bb:dd.f.</summary>
        public static int AppendPciAddress(byte* buffer, int at, int address)
        {
            at = AppendHex(buffer, at, (uint)address >> 8, 2);
            buffer[at++] = (byte)':';
            at = AppendHex(buffer, at, (uint)(address >> 3) & 31, 2);
            buffer[at++] = (byte)'.';
            return AppendHex(buffer, at, (uint)address & 7, 1);
        }

        /// <summary>A small decimal number (a disk's index).</summary>
        public static int AppendDecimal(byte* buffer, int at, int value)
        {
            if (value >= 10)
                at = AppendDecimal(buffer, at, value / 10);
            buffer[at++] = (byte)('0' + value % 10);
            return at;
        }
    }
}
