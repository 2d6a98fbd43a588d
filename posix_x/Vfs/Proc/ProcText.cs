namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// Text built into a byte buffer, as /proc's files are: bytes, strings, numbers in decimal, hexadecimal and two
    /// decimals, columns padded with spaces. Pure logic (no kernel type), compiled into the host tests too. Writing
    /// past the capacity drops the bytes but still counts them: <see cref="Length"/> is then what the whole text
    /// needs, so a caller can allocate that much and build it again.
    /// </summary>
    public unsafe struct ProcText
    {
        private readonly byte* _buffer;
        private readonly int _capacity;
        private int _length;
        private int _lineStart;

        public ProcText(byte* buffer, int capacity)
        {
            _buffer = buffer;
            _capacity = capacity;
            _length = 0;
            _lineStart = 0;
        }

        /// <summary>The bytes the text needs (more than the capacity if it overflowed).</summary>
        public int Length => _length;
        public bool Overflowed => _length > _capacity;

        public void Byte(byte value)
        {
            if (_length < _capacity)
                _buffer[_length] = value;
            _length++;
            if (value == (byte)'\n')
                _lineStart = _length;
        }

        public void Char(char value) => Byte((byte)value);

        /// <summary>An ASCII string (every character is one byte).</summary>
        public void Text(string text)
        {
            for (int i = 0; i < text.Length; i++)
                Byte((byte)text[i]);
        }

        public void Bytes(byte* bytes, int length)
        {
            for (int i = 0; i < length; i++)
                Byte(bytes[i]);
        }

        /// <summary>The bytes up to the first zero, at most 'maximum'.</summary>
        public void ZeroTerminated(byte* bytes, int maximum)
        {
            for (int i = 0; i < maximum && bytes[i] != 0; i++)
                Byte(bytes[i]);
        }

        public void Decimal(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int count = 0;
            do
            {
                digits[count++] = (byte)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            while (count > 0)
                Byte(digits[--count]);
        }

        public void SignedDecimal(long value)
        {
            if (value < 0)
            {
                Byte((byte)'-');
                Decimal(0UL - (ulong)value);
            }
            else
            {
                Decimal((ulong)value);
            }
        }

        /// <summary>Right-aligned in 'width' columns (wider numbers are written whole).</summary>
        public void DecimalPadded(ulong value, int width)
        {
            int digits = DigitCount(value);
            for (int i = digits; i < width; i++)
                Byte((byte)' ');
            Decimal(value);
        }

        /// <summary>Hexadecimal (lower-case unless asked), zero-padded to at least 'digits' digits.</summary>
        public void Hex(ulong value, int digits, bool upperCase = false)
        {
            int count = 1;
            for (ulong rest = value >> 4; rest != 0; rest >>= 4)
                count++;
            for (int i = count; i < digits; i++)
                Byte((byte)'0');
            for (int shift = (count - 1) * 4; shift >= 0; shift -= 4)
            {
                int digit = (int)((value >> shift) & 0xF);
                Byte((byte)(digit < 10 ? '0' + digit : (upperCase ? 'A' : 'a') + digit - 10));
            }
        }

        /// <summary>A number of hundredths as "units.hh" (uptime, load averages).</summary>
        public void Hundredths(ulong hundredths)
        {
            Decimal(hundredths / 100);
            Byte((byte)'.');
            ulong rest = hundredths % 100;
            Byte((byte)('0' + rest / 10));
            Byte((byte)('0' + rest % 10));
        }

        /// <summary>A number of thousandths as "units.ttt" (cpuinfo's MHz).</summary>
        public void Thousandths(ulong thousandths)
        {
            Decimal(thousandths / 1000);
            Byte((byte)'.');
            ulong rest = thousandths % 1000;
            Byte((byte)('0' + rest / 100));
            Byte((byte)('0' + rest / 10 % 10));
            Byte((byte)('0' + rest % 10));
        }

        /// <summary>Spaces until the current line is 'column' bytes long (nothing if it already is).</summary>
        public void PadTo(int column)
        {
            while (_length - _lineStart < column)
                Byte((byte)' ');
        }

        public void Line() => Byte((byte)'\n');

        public static int DigitCount(ulong value)
        {
            int count = 1;
            while (value >= 10)
            {
                value /= 10;
                count++;
            }
            return count;
        }
    }
}
