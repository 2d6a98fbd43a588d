namespace Exo.Kernel.Console
{
    /// <summary>Text output on the serial console, without allocating: strings, characters and numbers.</summary>
    public static unsafe class KernelConsole
    {
        public static void Write(char value)
        {
            if (value == '\n')
                SerialPort.Write((byte)'\r');
            SerialPort.Write(value < 0x80 ? (byte)value : (byte)'?');
        }

        public static void Write(string text)
        {
            if (text == null)
                return;
            for (int i = 0; i < text.Length; i++)
                Write(text[i]);
        }

        public static void Write(byte* text, int length)
        {
            for (int i = 0; i < length; i++)
                Write((char)text[i]);
        }

        public static void WriteLine(string text)
        {
            Write(text);
            Write('\n');
        }

        public static void WriteLine() => Write('\n');

        public static void WriteDecimal(ulong value)
        {
            char* digits = stackalloc char[20];
            int count = 0;
            do
            {
                digits[count++] = (char)('0' + (int)(value % 10));
                value /= 10;
            } while (value != 0);
            while (count > 0)
                Write(digits[--count]);
        }

        public static void WriteDecimal(long value)
        {
            if (value < 0)
            {
                Write('-');
                WriteDecimal((ulong)(-value));
            }
            else
            {
                WriteDecimal((ulong)value);
            }
        }

        /// <summary>Hexadecimal with a 0x prefix, padded to 'digits' digits (16 for addresses).</summary>
        public static void WriteHex(ulong value, int digits = 16)
        {
            Write('0');
            Write('x');
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                int nibble = (int)((value >> shift) & 0xF);
                Write((char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
            }
        }

        /// <summary>Bytes as a human-readable size: 512 B, 64 KiB, 255 MiB.</summary>
        public static void WriteSize(ulong bytes)
        {
            if (bytes >= 16UL << 30) { WriteDecimal(bytes >> 30); Write(" GiB"); }
            else if (bytes >= 16UL << 20) { WriteDecimal(bytes >> 20); Write(" MiB"); }
            else if (bytes >= 16UL << 10) { WriteDecimal(bytes >> 10); Write(" KiB"); }
            else { WriteDecimal(bytes); Write(" B"); }
        }
    }
}
