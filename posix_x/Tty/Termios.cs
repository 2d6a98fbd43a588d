namespace Exo.PosixX.Tty
{
    /// <summary>
    /// The kernel's struct termios (TCGETS and TCSETS exchange it: 36 bytes, NCCS = 19) and the flag bits and
    /// control-character slots POSIX-X's terminals act on, with Linux's values and defaults.
    /// </summary>
    public unsafe struct Termios
    {
        public const int ControlCharacterCount = 19;

        public uint InputFlags, OutputFlags, ControlFlags, LocalFlags;
        public byte LineDiscipline;
        public fixed byte ControlCharacters[ControlCharacterCount];

        // c_iflag
        public const uint IgnoreBreak = 0x1, InterruptOnBreak = 0x2, StripEighthBit = 0x20, NewlineToReturn = 0x40,
            IgnoreReturn = 0x80, ReturnToNewline = 0x100, OutputFlowControl = 0x400, InputUtf8 = 0x4000;
        // c_oflag
        public const uint PostProcess = 0x1, NewlineToReturnNewline = 0x4;
        // c_lflag
        public const uint Signals = 0x1, Canonical = 0x2, Echo = 0x8, EchoErase = 0x10, EchoKill = 0x20, EchoNewline = 0x40,
            NoFlush = 0x80, StopBackgroundOutput = 0x100, EchoControl = 0x200, EchoKillErase = 0x800, Extended = 0x8000,
            ExternalProcessing = 0x10000;   // EXTPROC
        // c_cc slots
        public const int Interrupt = 0, Quit = 1, Erase = 2, Kill = 3, EndOfFile = 4, Time = 5, Minimum = 6, Start = 8,
            Stop = 9, Suspend = 10, EndOfLine = 11, Reprint = 12, Discard = 13, WordErase = 14, LiteralNext = 15, EndOfLine2 = 16;

        /// <summary>What a new terminal starts with (Linux's tty_std_termios): canonical, echo, signals, CR to NL, NL to CR NL.</summary>
        public static Termios Defaults
        {
            get
            {
                Termios t = default;
                t.InputFlags = ReturnToNewline | OutputFlowControl | InputUtf8;
                t.OutputFlags = PostProcess | NewlineToReturnNewline;
                t.ControlFlags = 0xBF;   // B38400 | CS8 | CREAD | HUPCL
                t.LocalFlags = Signals | Canonical | Echo | EchoErase | EchoKill | EchoControl | EchoKillErase | Extended;
                t.ControlCharacters[Interrupt] = 3;     // ^C
                t.ControlCharacters[Quit] = 0x1C;       // ^\
                t.ControlCharacters[Erase] = 0x7F;      // DEL
                t.ControlCharacters[Kill] = 0x15;       // ^U
                t.ControlCharacters[EndOfFile] = 4;     // ^D
                t.ControlCharacters[Time] = 0;
                t.ControlCharacters[Minimum] = 1;
                t.ControlCharacters[Start] = 0x11;      // ^Q
                t.ControlCharacters[Stop] = 0x13;       // ^S
                t.ControlCharacters[Suspend] = 0x1A;    // ^Z
                t.ControlCharacters[Reprint] = 0x12;    // ^R
                t.ControlCharacters[Discard] = 0x0F;    // ^O
                t.ControlCharacters[WordErase] = 0x17;  // ^W
                t.ControlCharacters[LiteralNext] = 0x16; // ^V
                return t;
            }
        }
    }

    /// <summary>struct winsize (TIOCGWINSZ, TIOCSWINSZ).</summary>
    public struct WindowSize
    {
        public ushort Rows, Columns, PixelWidth, PixelHeight;
    }
}
