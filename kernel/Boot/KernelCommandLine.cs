namespace Exo.Kernel.Boot
{
    /// <summary>
    /// Words of the kernel command line (docs/serial-protocols.md): "test=SUITE[,SUITE]", "bench",
    /// "quick". Works on a byte buffer so that it runs the same in the kernel and in host tests.
    /// </summary>
    public static unsafe class KernelCommandLine
    {
        /// <summary>True if the command line has the word 'word' (alone, or as 'word=...').</summary>
        public static bool HasWord(byte* text, int length, string word)
        {
            return FindValue(text, length, word, out _, out _) || FindWord(text, length, word);
        }

        /// <summary>Finds 'key=value'; returns the value's start offset and length.</summary>
        public static bool FindValue(byte* text, int length, string key, out int valueStart, out int valueLength)
        {
            valueStart = 0;
            valueLength = 0;
            int position = 0;
            while (position < length)
            {
                while (position < length && text[position] == ' ') position++;
                int wordStart = position;
                while (position < length && text[position] != ' ') position++;
                int wordLength = position - wordStart;
                if (wordLength > key.Length && text[wordStart + key.Length] == '=' && StartsWith(text + wordStart, key))
                {
                    valueStart = wordStart + key.Length + 1;
                    valueLength = wordLength - key.Length - 1;
                    return true;
                }
            }
            return false;
        }

        /// <summary>True if the command line has 'key=value' with exactly this value.</summary>
        public static bool HasValue(byte* text, int length, string key, string value)
            => FindValue(text, length, key, out int start, out int valueLength)
                && valueLength == value.Length && StartsWith(text + start, value);

        private static bool FindWord(byte* text, int length, string word)
        {
            int position = 0;
            while (position < length)
            {
                while (position < length && text[position] == ' ') position++;
                int wordStart = position;
                while (position < length && text[position] != ' ') position++;
                if (position - wordStart == word.Length && StartsWith(text + wordStart, word))
                    return true;
            }
            return false;
        }

        /// <summary>True if the comma-separated list (value of test=) names 'item' or is "all".</summary>
        public static bool ListContains(byte* list, int length, string item)
        {
            int position = 0;
            while (position <= length)
            {
                int start = position;
                while (position < length && list[position] != ',') position++;
                int itemLength = position - start;
                if ((itemLength == item.Length && StartsWith(list + start, item)) || (itemLength == 3 && StartsWith(list + start, "all")))
                    return true;
                position++;
            }
            return false;
        }

        private static bool StartsWith(byte* text, string prefix)
        {
            for (int i = 0; i < prefix.Length; i++)
                if (text[i] != prefix[i])
                    return false;
            return true;
        }
    }
}
