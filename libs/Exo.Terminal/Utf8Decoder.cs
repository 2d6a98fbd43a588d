namespace Exo.Terminal
{
    /// <summary>
    /// Decodes UTF-8 one byte at a time, as bytes arrive from the pseudo-terminal in arbitrary pieces. Malformed input
    /// (a stray continuation byte, a lead byte cut short, an overlong form, a surrogate, a value past U+10FFFF) gives
    /// U+FFFD, never an exception; a cut-short sequence's next byte is then decoded afresh.
    /// </summary>
    public struct Utf8Decoder
    {
        public const int ReplacementCharacter = 0xFFFD;
        /// <summary>Returned by <see cref="Decode"/> while a multi-byte sequence is incomplete.</summary>
        public const int NeedMore = -1;

        private int value;
        private int remaining;
        private int minimum;

        public bool InSequence => remaining != 0;

        /// <summary>Drops a sequence in progress (a control byte interrupted it).</summary>
        public void Reset() { remaining = 0; }

        /// <summary>
        /// Feeds one byte: a code point, <see cref="NeedMore"/>, or U+FFFD. When a sequence is cut short,
        /// 'reprocess' is set: the caller shows the U+FFFD and feeds the same byte again.
        /// </summary>
        public int Decode(byte input, out bool reprocess)
        {
            reprocess = false;
            if (remaining != 0)
            {
                if ((input & 0xC0) != 0x80)
                {
                    remaining = 0;
                    reprocess = true;
                    return ReplacementCharacter;
                }
                value = (value << 6) | (input & 0x3F);
                if (--remaining != 0)
                    return NeedMore;
                if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
                    return ReplacementCharacter;
                return value;
            }
            if (input < 0x80)
                return input;
            if ((input & 0xE0) == 0xC0) { value = input & 0x1F; remaining = 1; minimum = 0x80; return NeedMore; }
            if ((input & 0xF0) == 0xE0) { value = input & 0x0F; remaining = 2; minimum = 0x800; return NeedMore; }
            if ((input & 0xF8) == 0xF0) { value = input & 0x07; remaining = 3; minimum = 0x10000; return NeedMore; }
            return ReplacementCharacter;
        }
    }
}
