namespace Exo.Kernel.Console
{
    /// <summary>A shell input line split into words, in fixed storage (no allocation).</summary>
    public unsafe struct CommandLine
    {
        public const int Capacity = 256;
        public const int MaximumWords = 16;
        private fixed byte _text[Capacity];
        private fixed int _wordStart[MaximumWords];
        private fixed int _wordLength[MaximumWords];
        public int Length;
        public int WordCount;
        public bool TooManyWords;

        /// <summary>Appends a character; returns false when the line is full.</summary>
        public bool Append(byte value)
        {
            if (Length >= Capacity - 1)
                return false;
            _text[Length++] = value;
            return true;
        }

        public bool RemoveLast()
        {
            if (Length == 0)
                return false;
            Length--;
            return true;
        }

        public void Clear()
        {
            Length = 0;
            WordCount = 0;
            TooManyWords = false;
        }

        public void Split()
        {
            WordCount = 0;
            TooManyWords = false;
            int position = 0;
            while (position < Length)
            {
                while (position < Length && (_text[position] == ' ' || _text[position] == '\t')) position++;
                if (position == Length)
                    break;
                int start = position;
                while (position < Length && _text[position] != ' ' && _text[position] != '\t') position++;
                if (WordCount == MaximumWords)
                {
                    TooManyWords = true;
                    return;
                }
                _wordStart[WordCount] = start;
                _wordLength[WordCount] = position - start;
                WordCount++;
            }
        }

        public bool WordIs(int index, string text)
        {
            if (index >= WordCount || _wordLength[index] != text.Length)
                return false;
            for (int i = 0; i < text.Length; i++)
                if (_text[_wordStart[index] + i] != text[i])
                    return false;
            return true;
        }

        /// <summary>Copies word 'index' into 'destination' (at most 'capacity' bytes); its length, or -1 if too long or absent.</summary>
        public int CopyWord(int index, byte* destination, int capacity)
        {
            if (index >= WordCount || _wordLength[index] > capacity)
                return -1;
            for (int i = 0; i < _wordLength[index]; i++)
                destination[i] = _text[_wordStart[index] + i];
            return _wordLength[index];
        }

        /// <summary>
        /// Copies the words from 'first' on, separated by single spaces, into 'destination' (at most 'capacity'
        /// bytes): a command line to hand on. Its length, or -1 if it does not fit or there is no such word.
        /// </summary>
        public int CopyWordsFrom(int first, byte* destination, int capacity)
        {
            if (first >= WordCount)
                return -1;
            int length = 0;
            for (int index = first; index < WordCount; index++)
            {
                if (index > first)
                {
                    if (length == capacity)
                        return -1;
                    destination[length++] = (byte)' ';
                }
                int copied = CopyWord(index, destination + length, capacity - length);
                if (copied < 0)
                    return -1;
                length += copied;
            }
            return length;
        }

        public void WriteWord(int index)
        {
            if (index >= WordCount)
                return;
            fixed (byte* text = _text)
                KernelConsole.Write(text + _wordStart[index], _wordLength[index]);
        }

        /// <summary>Parses word 'index' as an unsigned decimal number.</summary>
        public bool TryParseNumber(int index, out ulong value)
        {
            value = 0;
            if (index >= WordCount || _wordLength[index] == 0 || _wordLength[index] > 19)
                return false;
            for (int i = 0; i < _wordLength[index]; i++)
            {
                byte digit = _text[_wordStart[index] + i];
                if (digit < '0' || digit > '9')
                    return false;
                value = value * 10 + (ulong)(digit - '0');
            }
            return true;
        }
    }
}
