using Exo.Abi;

namespace Exo.Std
{
    /// <summary>
    /// Text output on the system console (SYS_CONSOLE_WRITE). Strings are converted from UTF-16 to UTF-8
    /// through a stack buffer, a chunk per system call: nothing is allocated.
    /// </summary>
    public static unsafe class Console
    {
        private const int BufferSize = 256;

        public static void Write(string text)
        {
            if (text == null)
                return;
            byte* buffer = stackalloc byte[BufferSize];
            int used = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (used > BufferSize - 4)
                {
                    Append(buffer, used);
                    used = 0;
                }
                uint code = text[i];
                // A surrogate pair is one code point; a lone surrogate becomes U+FFFD.
                if (code >= 0xD800 && code <= 0xDFFF)
                {
                    if (code <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                        code = 0x10000 + ((code - 0xD800) << 10) + (uint)(text[++i] - 0xDC00);
                    else
                        code = 0xFFFD;
                }
                used += EncodeUtf8(code, buffer + used);
            }
            Append(buffer, used);
        }

        public static void WriteLine(string text)
        {
            Write(text);
            WriteLine();
        }

        public static void WriteLine()
        {
            byte newLine = (byte)'\n';
            Append(&newLine, 1);
        }

        public static void Write(char character)
        {
            byte* buffer = stackalloc byte[4];
            Append(buffer, EncodeUtf8(character >= 0xD800 && character <= 0xDFFF ? 0xFFFDu : character, buffer));
        }

        public static void Write(int value) => Write((long)value);
        public static void Write(uint value) => Write((ulong)value);

        public static void Write(long value)
        {
            if (value < 0)
            {
                Write('-');
                Write(unchecked(0UL - (ulong)value));   // also right for long.MinValue
            }
            else
            {
                Write((ulong)value);
            }
        }

        public static void Write(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int start = 20;
            do
            {
                digits[--start] = (byte)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            Append(digits + start, 20 - start);
        }

        /// <summary>"0x" and the value in hexadecimal, without leading zeros.</summary>
        public static void WriteHex(ulong value)
        {
            byte* digits = stackalloc byte[18];
            int start = 18;
            do
            {
                uint digit = (uint)(value & 15);
                digits[--start] = (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
                value >>= 4;
            } while (value != 0);
            digits[--start] = (byte)'x';
            digits[--start] = (byte)'0';
            Append(digits + start, 18 - start);
        }

        // The text methods gather a line and write it with one system call at its end (or when the buffer is
        // full): the kernel writes each call whole, so lines from processes printing at once do not interleave.
        private struct LineBuffer { public fixed byte Bytes[BufferSize]; }
        private static LineBuffer s_line;
        private static int s_lineLength;

        private static void Append(byte* bytes, int length)
        {
            fixed (byte* line = s_line.Bytes)
            {
                for (int i = 0; i < length; i++)
                {
                    if (s_lineLength == BufferSize)
                        Flush();
                    line[s_lineLength++] = bytes[i];
                    if (bytes[i] == (byte)'\n')
                        Flush();
                }
            }
        }

        /// <summary>Writes out a line begun but not ended (Process.Exit and the end of Main do it).</summary>
        public static void Flush()
        {
            int length = s_lineLength;
            s_lineLength = 0;
            fixed (byte* line = s_line.Bytes)
                WriteNow(line, length);
        }

        /// <summary>
        /// Writes raw bytes (UTF-8 expected) as part of the line being built, like the other writes: a line made of
        /// text and raw pieces still goes to the kernel in one write when its newline comes, so another program's
        /// output cannot land inside it (writing the pieces at once let a preempted program's newline fall in the
        /// middle of another's line). Returns 'length'.
        /// </summary>
        public static long WriteBytes(byte* bytes, int length)
        {
            Append(bytes, length);
            return length;
        }

        private static long WriteNow(byte* bytes, int length)
        {
            if (length <= 0)
                return 0;
            return SystemCall.Call(SystemCallNumber.ConsoleWrite, (ulong)bytes, (ulong)length);
        }

        private static int EncodeUtf8(uint code, byte* output)
        {
            if (code < 0x80)
            {
                output[0] = (byte)code;
                return 1;
            }
            if (code < 0x800)
            {
                output[0] = (byte)(0xC0 | (code >> 6));
                output[1] = (byte)(0x80 | (code & 0x3F));
                return 2;
            }
            if (code < 0x10000)
            {
                output[0] = (byte)(0xE0 | (code >> 12));
                output[1] = (byte)(0x80 | ((code >> 6) & 0x3F));
                output[2] = (byte)(0x80 | (code & 0x3F));
                return 3;
            }
            output[0] = (byte)(0xF0 | (code >> 18));
            output[1] = (byte)(0x80 | ((code >> 12) & 0x3F));
            output[2] = (byte)(0x80 | ((code >> 6) & 0x3F));
            output[3] = (byte)(0x80 | (code & 0x3F));
            return 4;
        }
    }
}
