namespace Exo.PosixX.Tty
{
    /// <summary>
    /// Linux's N_TTY line discipline over a terminal's input, for one terminal: in canonical mode bytes gather in an
    /// edit line (erase, word erase, kill, end of file) and become readable a line at a time; otherwise each byte is
    /// readable at once. Echo, CR/NL translation, and the signal characters (interrupt, quit, suspend) come out as
    /// what the caller must do. Holds no lock and allocates nothing: its terminal calls it under its own lock, from
    /// the input interrupt. Pure logic over fixed buffers, so the host tests run it.
    /// </summary>
    public unsafe struct LineDiscipline
    {
        public const int BufferSize = 4096;   // Linux's N_TTY_BUF_SIZE
        public const int MaximumLines = 256;

        public Termios Settings;
        // Readable bytes: a ring.
        private fixed byte _ready[BufferSize];
        private int _readyHead, _readyCount;
        // The canonical edit line.
        private fixed byte _line[BufferSize];
        private int _lineLength;
        // Canonical mode: the lengths of the committed lines in the readable bytes, oldest first (a line ended by
        // end of file has no newline, and may be empty: the read that reaches it returns 0, as a terminal's EOF).
        private fixed int _lines[MaximumLines];
        private int _lineHead, _lineCount;

        public int ReadableCount => _readyCount;
        /// <summary>Bytes in the canonical edit line, not yet readable.</summary>
        public int EditLength => _lineLength;

        /// <summary>What one input byte asks the terminal to do besides buffering it.</summary>
        public enum Action : byte { None, Interrupt, Quit, Suspend }

        public void Reset()
        {
            _readyHead = _readyCount = _lineLength = _lineHead = _lineCount = 0;
        }

        /// <summary>
        /// Takes one input byte; writes what must be echoed into 'echo' (at most 8 bytes) and its count into
        /// 'echoCount', then how many columns the echo must rub out after it ("\b \b" each: <see cref="WriteErasure"/>) into
        /// 'erasures'; says which signal, if any, the byte raises. 'readable' becomes true when a reader may wake.
        /// </summary>
        public Action Input(byte value, byte* echo, out int echoCount, out int erasures, out bool readable)
        {
            echoCount = 0;
            erasures = 0;
            readable = false;
            uint input = Settings.InputFlags, local = Settings.LocalFlags;
            if (value == (byte)'\r')
            {
                if ((input & Termios.IgnoreReturn) != 0)
                    return Action.None;
                if ((input & Termios.ReturnToNewline) != 0)
                    value = (byte)'\n';
            }
            else if (value == (byte)'\n' && (input & Termios.NewlineToReturn) != 0)
            {
                value = (byte)'\r';
            }
            if ((local & Termios.Signals) != 0)
            {
                Action action = value == Settings.ControlCharacters[Termios.Interrupt] ? Action.Interrupt
                    : value == Settings.ControlCharacters[Termios.Quit] ? Action.Quit
                    : value == Settings.ControlCharacters[Termios.Suspend] ? Action.Suspend : Action.None;
                if (action != Action.None)
                {
                    if ((local & Termios.NoFlush) == 0)
                        Reset();
                    if ((local & Termios.Echo) != 0)
                        EchoControl(value, echo, ref echoCount, newline: false);   // "^C", as Linux's n_tty: the shell ends the line
                    return action;
                }
            }
            if ((local & Termios.Canonical) == 0)
            {
                if (_readyCount < BufferSize)
                    Push(value);
                if ((local & Termios.Echo) != 0)
                    EchoByte(value, echo, ref echoCount);
                readable = true;
                return Action.None;
            }
            if (value == Settings.ControlCharacters[Termios.Erase] || value == 0x08)
            {
                if (_lineLength > 0)
                    EraseBack(1, value, echo, ref echoCount, ref erasures);
                return Action.None;
            }
            if (value == Settings.ControlCharacters[Termios.WordErase] && (local & Termios.Extended) != 0)
            {
                int count = 0;
                while (count < _lineLength && _line[_lineLength - 1 - count] == (byte)' ')
                    count++;
                while (count < _lineLength && _line[_lineLength - 1 - count] != (byte)' ')
                    count++;
                if (count > 0)
                    EraseBack(count, value, echo, ref echoCount, ref erasures);
                return Action.None;
            }
            if (value == Settings.ControlCharacters[Termios.Kill])
            {
                const uint visualKill = Termios.EchoKill | Termios.EchoKillErase | Termios.EchoErase;
                if ((local & Termios.Echo) != 0 && (local & visualKill) != visualKill)
                {
                    // Linux's n_tty without ECHOKE: the kill character echoed, a newline after it with ECHOK.
                    EchoByte(value, echo, ref echoCount);
                    if ((local & Termios.EchoKill) != 0)
                        EchoByte((byte)'\n', echo, ref echoCount);
                    _lineLength = 0;
                }
                else if (_lineLength > 0)
                    EraseBack(_lineLength, value, echo, ref echoCount, ref erasures);
                return Action.None;
            }
            if (value == Settings.ControlCharacters[Termios.EndOfFile])
            {
                readable = CommitLine();
                return Action.None;
            }
            if (_lineLength < BufferSize - 1)
                _line[_lineLength++] = value;
            bool endOfLine = value == (byte)'\n' || (value != 0 && (value == Settings.ControlCharacters[Termios.EndOfLine]
                || value == Settings.ControlCharacters[Termios.EndOfLine2]));
            if ((local & Termios.Echo) != 0 || (value == (byte)'\n' && (local & Termios.EchoNewline) != 0))
                EchoByte(value, echo, ref echoCount);
            if (endOfLine)
                readable = CommitLine();
            return Action.None;
        }

        /// <summary>
        /// Takes readable bytes for a read of at most 'count': in canonical mode from one line at most (a line
        /// ended by end of file with nothing in it gives 0: end of file); otherwise what is there. The number copied.
        /// </summary>
        public int Take(byte* destination, int count)
        {
            bool canonical = (Settings.LocalFlags & Termios.Canonical) != 0;
            int available = _readyCount;
            if (canonical)
            {
                if (_lineCount == 0)
                    return 0;
                available = _lines[_lineHead];
            }
            int taken = count < available ? count : available;
            for (int i = 0; i < taken; i++)
            {
                destination[i] = _ready[_readyHead];
                _readyHead = (_readyHead + 1) % BufferSize;
            }
            _readyCount -= taken;
            if (canonical)
            {
                _lines[_lineHead] -= taken;
                if (_lines[_lineHead] == 0)
                {
                    _lineHead = (_lineHead + 1) % MaximumLines;
                    _lineCount--;
                }
            }
            return taken;
        }

        /// <summary>Whether a read in the current mode would return now (canonical: a committed line, maybe an end of file).</summary>
        public bool ReadReady
            => (Settings.LocalFlags & Termios.Canonical) != 0 ? _lineCount > 0
                : _readyCount >= (Settings.ControlCharacters[Termios.Minimum] == 0 ? 0 : 1);

        /// <summary>
        /// Whether poll reports the terminal readable (Linux's input_available_p for poll): a committed line; otherwise
        /// at least VMIN bytes when VTIME is 0, at least one byte else (VMIN=0 reads return at once, but with nothing).
        /// </summary>
        public bool PollReady
        {
            get
            {
                if ((Settings.LocalFlags & Termios.Canonical) != 0)
                    return _lineCount > 0;
                int minimum = Settings.ControlCharacters[Termios.Time] == 0 ? Settings.ControlCharacters[Termios.Minimum] : 1;
                return _readyCount >= (minimum > 1 ? minimum : 1);
            }
        }

        /// <summary>Leaving canonical mode: committed lines and the edit line become plain readable bytes.</summary>
        public void LeaveCanonical()
        {
            for (int i = 0; i < _lineLength && _readyCount < BufferSize; i++)
                Push(_line[i]);
            _lineLength = 0;
            _lineHead = _lineCount = 0;
        }

        /// <summary>Entering canonical mode: what is readable counts as one line (it may have no newline).</summary>
        public void EnterCanonical()
        {
            _lineHead = _lineCount = 0;
            if (_readyCount > 0)
            {
                _lines[0] = _readyCount;
                _lineCount = 1;
            }
        }

        // The edit line becomes a readable line; false if there is no room for another line (it stays in the editor).
        private bool CommitLine()
        {
            if (_lineCount == MaximumLines || _readyCount + _lineLength > BufferSize)
                return false;
            for (int i = 0; i < _lineLength; i++)
                Push(_line[i]);
            _lines[(_lineHead + _lineCount) % MaximumLines] = _lineLength;
            _lineCount++;
            _lineLength = 0;
            return true;
        }

        private void Push(byte value)
        {
            _ready[(_readyHead + _readyCount) % BufferSize] = value;
            _readyCount++;
        }

        private void EchoByte(byte value, byte* echo, ref int count)
        {
            if (value < 0x20 && value != (byte)'\n' && value != (byte)'\t' && (Settings.LocalFlags & Termios.EchoControl) != 0)
            {
                EchoControl(value, echo, ref count, newline: false);
                return;
            }
            if (value == (byte)'\n' && (Settings.OutputFlags & (Termios.PostProcess | Termios.NewlineToReturnNewline)) == (Termios.PostProcess | Termios.NewlineToReturnNewline))
                echo[count++] = (byte)'\r';
            echo[count++] = value;
        }

        private static void EchoControl(byte value, byte* echo, ref int count, bool newline)
        {
            echo[count++] = (byte)'^';
            echo[count++] = (byte)(value == 0x7F ? '?' : value + 0x40);
            if (newline)
            {
                echo[count++] = (byte)'\r';
                echo[count++] = (byte)'\n';
            }
        }

        /// <summary>What rubs out one column of echo: back, space, back (<see cref="WriteErasure"/>).</summary>
        public const int ErasureLength = 3;

        public static void WriteErasure(byte* destination)
        {
            destination[0] = 0x08;
            destination[1] = (byte)' ';
            destination[2] = 0x08;
        }

        // Takes the last 'count' bytes off the edit line. With ECHO and ECHOE, Linux rubs out their columns (two for a
        // control character echoed as ^X); with ECHO alone it echoes the erasing character itself.
        private void EraseBack(int count, byte character, byte* echo, ref int echoCount, ref int erasures)
        {
            uint local = Settings.LocalFlags;
            if ((local & Termios.Echo) != 0 && (local & Termios.EchoErase) == 0)
                EchoByte(character, echo, ref echoCount);
            for (int i = 0; i < count; i++)
            {
                byte erased = _line[--_lineLength];
                if ((local & (Termios.Echo | Termios.EchoErase)) == (Termios.Echo | Termios.EchoErase))
                    erasures += erased < 0x20 && erased != (byte)'\t' && (local & Termios.EchoControl) != 0 ? 2 : 1;
            }
        }
    }
}
