namespace Exo.Kernel.Console
{
    /// <summary>
    /// A console line assembled from parts in fixed storage and written as one piece, so that another processor's
    /// output cannot land in the middle of it (each <see cref="KernelConsole"/> call is a piece of its own). A line
    /// longer than the storage is cut, never spilled.
    /// </summary>
    public unsafe struct ConsoleLine
    {
        public const int Capacity = 256;
        private fixed byte _text[Capacity];
        private int _length;

        public void Append(string text)
        {
            if (text == null)
                return;
            for (int i = 0; i < text.Length; i++)
                Append(text[i]);
        }

        public void Append(byte* text, int length)
        {
            for (int i = 0; i < length; i++)
                Append((char)text[i]);
        }

        public void Append(char value)
        {
            if (_length < Capacity - 2)   // room kept for CR LF
                _text[_length++] = value < 0x80 && value != '\n' ? (byte)value : (byte)'?';
        }

        /// <summary>Ends the line (CR LF) and writes it.</summary>
        public void WriteLine()
        {
            _text[_length++] = (byte)'\r';
            _text[_length++] = (byte)'\n';
            fixed (byte* text = _text)
                ConsoleOutput.Write(text, _length);
            _length = 0;
        }
    }
}
