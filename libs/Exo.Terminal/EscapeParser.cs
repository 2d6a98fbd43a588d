using System;

namespace Exo.Terminal
{
    /// <summary>
    /// The byte-level state machine of an xterm-compatible terminal, after Paul Williams' DEC ANSI parser
    /// (vt100.net/emu/dec_ansi_parser): ground, escape, CSI entry/parameter/intermediate/ignore, OSC string and an
    /// ignored-string state for DCS, SOS, PM and APC. Text in the ground state is UTF-8 (so 0x80..0x9F are not C1
    /// controls, as in xterm's UTF-8 mode). Every limit is fixed and checked: input of any shape never throws and never
    /// grows memory; sequences past the limits are dropped, not misread.
    /// </summary>
    public sealed class EscapeParser
    {
        /// <summary>Parameters kept per control sequence; more make the sequence ignored.</summary>
        public const int MaxParameters = 32;
        /// <summary>A parameter's value saturates here (no overflow on a long run of digits).</summary>
        public const int MaxParameterValue = 65535;
        /// <summary>An OSC string's bytes kept; the rest is dropped (the string still ends at its terminator).</summary>
        public const int MaxStringBytes = 512;

        private const byte Escape = 0x1B, Cancel = 0x18, Substitute = 0x1A, Bell = 0x07, Delete = 0x7F;

        private readonly IParserHandler handler;
        private readonly int[] parameters = new int[MaxParameters];
        private readonly byte[] oscBytes = new byte[MaxStringBytes];
        private int parameterCount;
        private bool parameterStarted;
        private bool parameterOverflow;
        private byte privateMarker;
        private byte intermediate;
        private bool intermediateOverflow;
        private int oscLength;
        private Utf8Decoder utf8;

        public EscapeParser(IParserHandler handler) { this.handler = handler; }

        public ParserState State { get; private set; }

        public void Feed(ReadOnlySpan<byte> input)
        {
            for (int index = 0; index < input.Length; index++)
                Feed(input[index]);
        }

        public void Feed(byte input)
        {
            if (State == ParserState.Ground && (input >= 0x80 || utf8.InSequence))
            {
                int codePoint = utf8.Decode(input, out bool reprocess);
                if (reprocess)
                {
                    // A sequence cut short: show it as U+FFFD, then read this byte afresh (a control or a new lead).
                    handler.Print(Utf8Decoder.ReplacementCharacter);
                    Feed(input);
                }
                else if (codePoint != Utf8Decoder.NeedMore)
                {
                    handler.Print(codePoint);
                }
                return;
            }

            // Transitions from anywhere.
            if (input == Cancel || input == Substitute)
            {
                if (State == ParserState.Ground || State == ParserState.Escape || IsCsiState)
                    handler.Execute(input);
                State = ParserState.Ground;
                return;
            }
            if (input == Escape)
            {
                if (State == ParserState.OscString)
                    DispatchOsc();
                EnterEscape();
                return;
            }

            switch (State)
            {
                case ParserState.Ground:
                    if (input < 0x20) handler.Execute(input);
                    else if (input != Delete) handler.Print(input);
                    break;
                case ParserState.Escape:
                    if (input < 0x20) handler.Execute(input);
                    else if (input <= 0x2F) { Collect(input); State = ParserState.EscapeIntermediate; }
                    else if (input == '[') EnterCsi();
                    else if (input == ']') { oscLength = 0; State = ParserState.OscString; }
                    else if (input == 'P' || input == 'X' || input == '^' || input == '_') State = ParserState.StringIgnore;
                    else if (input < Delete) { handler.EscapeDispatch(0, input); State = ParserState.Ground; }
                    else if (input > Delete) State = ParserState.Ground;
                    break;
                case ParserState.EscapeIntermediate:
                    if (input < 0x20) handler.Execute(input);
                    else if (input <= 0x2F) Collect(input);
                    else if (input < Delete)
                    {
                        if (!intermediateOverflow) handler.EscapeDispatch(intermediate, input);
                        State = ParserState.Ground;
                    }
                    else if (input > Delete) State = ParserState.Ground;
                    break;
                case ParserState.CsiEntry:
                case ParserState.CsiParameter:
                    if (input < 0x20) handler.Execute(input);
                    else if (input <= 0x2F) { Collect(input); State = ParserState.CsiIntermediate; }
                    else if (input <= 0x3B) { Parameter(input); State = ParserState.CsiParameter; }
                    else if (input <= 0x3F)
                    {
                        if (State == ParserState.CsiEntry) { privateMarker = input; State = ParserState.CsiParameter; }
                        else State = ParserState.CsiIgnore;
                    }
                    else if (input < Delete) DispatchCsi(input);
                    else if (input > Delete) State = ParserState.CsiIgnore;
                    break;
                case ParserState.CsiIntermediate:
                    if (input < 0x20) handler.Execute(input);
                    else if (input <= 0x2F) Collect(input);
                    else if (input <= 0x3F) State = ParserState.CsiIgnore;
                    else if (input < Delete) DispatchCsi(input);
                    else if (input > Delete) State = ParserState.CsiIgnore;
                    break;
                case ParserState.CsiIgnore:
                    if (input < 0x20) handler.Execute(input);
                    else if (input >= 0x40 && input < Delete) State = ParserState.Ground;
                    break;
                case ParserState.OscString:
                    if (input == Bell) { DispatchOsc(); State = ParserState.Ground; }
                    else if (input >= 0x20 && oscLength < MaxStringBytes) oscBytes[oscLength++] = input;
                    break;
                case ParserState.StringIgnore:
                    break;
            }
        }

        private bool IsCsiState => State >= ParserState.CsiEntry && State <= ParserState.CsiIgnore;

        private void EnterEscape()
        {
            utf8.Reset();
            intermediate = 0;
            intermediateOverflow = false;
            State = ParserState.Escape;
        }

        private void EnterCsi()
        {
            Array.Clear(parameters);
            parameterCount = 0;
            parameterStarted = false;
            parameterOverflow = false;
            privateMarker = 0;
            intermediate = 0;
            intermediateOverflow = false;
            State = ParserState.CsiEntry;
        }

        private void Collect(byte input)
        {
            if (intermediate != 0) intermediateOverflow = true;
            else intermediate = input;
        }

        private void Parameter(byte input)
        {
            if (input == ';' || input == ':')
            {
                // The parameter before the separator counts even when empty.
                if (!parameterStarted) Advance();
                parameterStarted = false;
                return;
            }
            if (!parameterStarted) { parameterStarted = true; Advance(); }
            if (parameterOverflow) return;
            int slot = parameterCount - 1;
            int value = parameters[slot] * 10 + (input - '0');
            parameters[slot] = value > MaxParameterValue ? MaxParameterValue : value;
        }

        private void Advance()
        {
            if (parameterCount == MaxParameters) { parameterOverflow = true; return; }
            parameters[parameterCount++] = 0;
        }

        private void DispatchCsi(byte final)
        {
            State = ParserState.Ground;
            if (parameterOverflow || intermediateOverflow)
                return;
            // "CSI 1;" has a second, empty parameter.
            int count = parameterCount;
            if (!parameterStarted && count > 0 && count < MaxParameters) { parameters[count] = 0; count++; }
            handler.CsiDispatch(new ReadOnlySpan<int>(parameters, 0, count), privateMarker, intermediate, final);
        }

        private void DispatchOsc()
        {
            handler.OscDispatch(new ReadOnlySpan<byte>(oscBytes, 0, oscLength));
            oscLength = 0;
        }
    }
}
