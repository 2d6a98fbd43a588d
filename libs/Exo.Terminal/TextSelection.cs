using System;
using System.Text;

namespace Exo.Terminal
{
    /// <summary>A place in the terminal's text: an absolute line (<see cref="TerminalEmulator.Line"/>) and a column.</summary>
    public readonly record struct TextPosition(int Line, int Column)
    {
        public bool Before(TextPosition other) => Line < other.Line || (Line == other.Line && Column < other.Column);
    }

    /// <summary>
    /// A selection over the scroll-back and the screen, from where the button went down (the anchor) to where the
    /// pointer is (the head), in reading order whichever way it was dragged; both ends included. Positions are absolute
    /// line numbers: once the scroll-back is full, each new line shifts them by one (the terminal drops its selection
    /// on input, as xterm does on output into the selected lines).
    /// </summary>
    public sealed class TextSelection
    {
        /// <summary>The characters copied at most (a selection over the whole scroll-back is cut there).</summary>
        public const int MaxCopiedCharacters = 1 << 20;

        public TextSelection(TextPosition anchor) { Anchor = anchor; Head = anchor; }

        public TextPosition Anchor { get; }
        public TextPosition Head { get; set; }
        public TextPosition Start => Head.Before(Anchor) ? Head : Anchor;
        public TextPosition End => Head.Before(Anchor) ? Anchor : Head;

        public bool Contains(int line, int column)
        {
            TextPosition start = Start, end = End;
            if (line < start.Line || line > end.Line) return false;
            if (line == start.Line && column < start.Column) return false;
            if (line == end.Line && column > end.Column) return false;
            return true;
        }

        /// <summary>
        /// The selected text: each line's trailing blanks dropped, lines joined with '\n' unless the first ran on into
        /// the next by auto-wrap (then the text is joined as it was written).
        /// </summary>
        public string Text(TerminalEmulator terminal)
        {
            TextPosition start = Start, end = End;
            int firstLine = Math.Clamp(start.Line, 0, terminal.TotalLines - 1);
            int lastLine = Math.Clamp(end.Line, 0, terminal.TotalLines - 1);
            var text = new StringBuilder();
            for (int index = firstLine; index <= lastLine && text.Length < MaxCopiedCharacters; index++)
            {
                TerminalLine line = terminal.Line(index);
                int from = index == start.Line ? Math.Max(0, start.Column) : 0;
                int to = index == end.Line ? Math.Min(end.Column, line.Length - 1) : line.Length - 1;
                bool joins = index < lastLine && line.Wrapped && to == line.Length - 1;
                int lastInk = to;
                if (!joins)
                    while (lastInk >= from && line.CellAt(lastInk).Character == ' ') lastInk--;
                for (int column = from; column <= lastInk; column++)
                    text.Append(char.ConvertFromUtf32(Printable(line.CellAt(column).Character)));
                if (index < lastLine && !joins)
                    text.Append('\n');
            }
            if (text.Length > MaxCopiedCharacters)
                text.Length = MaxCopiedCharacters;
            return text.ToString();
        }

        private static int Printable(int codePoint) =>
            codePoint < 0x20 || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF) ? Utf8Decoder.ReplacementCharacter : codePoint;
    }
}
