namespace Exo.Kernel.Console
{
    /// <summary>
    /// Text output on the console, without allocating: strings, characters and numbers. Each call's text goes
    /// to <see cref="ConsoleOutput"/> as one piece (newlines become CR LF, other bytes past ASCII '?').
    /// </summary>
    public static unsafe class KernelConsole
    {
        private const int PieceSize = 512;   // a system call's 256-byte chunk, every byte a newline, is one piece

        public static void Write(char value)
        {
            byte* piece = stackalloc byte[2];
            int count = Encode(value, piece);
            ConsoleOutput.Write(piece, count);
        }

        public static void Write(string text)
        {
            if (text == null)
                return;
            byte* piece = stackalloc byte[PieceSize + 2];
            int count = 0;
            for (int i = 0; i < text.Length; i++)
            {
                count += Encode(text[i], piece + count);
                if (count >= PieceSize)
                {
                    ConsoleOutput.Write(piece, count);
                    count = 0;
                }
            }
            ConsoleOutput.Write(piece, count);
        }

        public static void Write(byte* text, int length)
        {
            byte* piece = stackalloc byte[PieceSize + 2];
            int count = 0;
            for (int i = 0; i < length; i++)
            {
                count += Encode((char)text[i], piece + count);
                if (count >= PieceSize)
                {
                    ConsoleOutput.Write(piece, count);
                    count = 0;
                }
            }
            ConsoleOutput.Write(piece, count);
        }

        private static int Encode(char value, byte* destination)
        {
            if (value == '\n')
            {
                destination[0] = (byte)'\r';
                destination[1] = (byte)'\n';
                return 2;
            }
            destination[0] = value < 0x80 ? (byte)value : (byte)'?';
            return 1;
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
            char* reversed = stackalloc char[20];
            for (int i = 0; i < count; i++)
                reversed[i] = digits[count - 1 - i];
            Write(reversed, count);
        }

        private static void Write(char* characters, int count)
        {
            byte* piece = stackalloc byte[24];
            for (int i = 0; i < count; i++)
                piece[i] = (byte)characters[i];
            ConsoleOutput.Write(piece, count);
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
            char* text = stackalloc char[18];
            if (digits > 16)
                digits = 16;
            text[0] = '0';
            text[1] = 'x';
            int count = 2;
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                int nibble = (int)((value >> shift) & 0xF);
                text[count++] = (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            }
            Write(text, count);
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
