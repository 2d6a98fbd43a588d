using System;
using System.Collections.Generic;
using System.Text;

namespace Exo.Terminal
{
    /// <summary>
    /// An xterm-compatible terminal (the subset full-screen programs, shells and `ls --color` use): bytes from the
    /// pseudo-terminal's master go in through <see cref="Feed"/>, the screen (a grid of <see cref="Cell"/>), the cursor,
    /// the scroll-back, the title and the modes come out; answers to queries (DSR, DA) wait in <see cref="TakeResponses"/>
    /// for the caller to write back to the master. Never throws on any input or size; sizes are clamped to
    /// [1, <see cref="MaxColumns"/>] x [1, <see cref="MaxRows"/>].
    /// Not handled: double-width characters (every code point takes one cell), combining characters (one cell each),
    /// mouse reporting, DCS strings (ignored), 132-column mode.
    /// </summary>
    public sealed partial class TerminalEmulator : IParserHandler
    {
        public const int MaxColumns = 1000;
        public const int MaxRows = 500;
        /// <summary>Answers kept for the caller before more are dropped (a program flooding DSR cannot grow memory).</summary>
        public const int MaxResponseBytes = 4096;
        /// <summary>The title's characters kept.</summary>
        public const int MaxTitleLength = 256;
        private const int TabWidth = 8;

        private readonly EscapeParser parser;
        private readonly Scrollback scrollback;
        private readonly List<byte> responses = new List<byte>();
        private ScreenBuffer main;
        private ScreenBuffer alternate;
        private ScreenBuffer screen;
        private bool[] tabStops;
        private Cell pen;
        private bool pendingWrap;
        private int scrollTop;
        private int scrollBottom;
        private bool g0Graphics;
        private bool g1Graphics;
        private bool shiftOut;
        private int lastPrinted = ' ';

        public TerminalEmulator(int columns, int rows, int scrollbackLines = Scrollback.DefaultCapacity)
        {
            Columns = Math.Clamp(columns, 1, MaxColumns);
            Rows = Math.Clamp(rows, 1, MaxRows);
            parser = new EscapeParser(this);
            scrollback = new Scrollback(scrollbackLines);
            main = new ScreenBuffer(Columns, Rows);
            alternate = new ScreenBuffer(Columns, Rows);
            screen = main;
            tabStops = new bool[Columns];
            ResetTabStops(0);
            ResetModes();
        }

        public int Columns { get; private set; }
        public int Rows { get; private set; }
        public int CursorRow { get; private set; }
        public int CursorColumn { get; private set; }
        public bool CursorVisible { get; private set; }
        public bool AutoWrap { get; private set; }
        public bool OriginMode { get; private set; }
        public bool InsertMode { get; private set; }
        public bool NewLineMode { get; private set; }
        /// <summary>DECCKM (mode 1): arrows and Home/End send SS3 forms.</summary>
        public bool ApplicationCursorKeys { get; private set; }
        /// <summary>Mode 2004: pasted text is bracketed by ESC [200~ and ESC [201~.</summary>
        public bool BracketedPaste { get; private set; }
        public bool AlternateScreenActive => screen == alternate;
        /// <summary>Mode 1004: focus in and out are reported.</summary>
        public bool FocusReporting { get; private set; }
        public string Title { get; private set; } = "";
        /// <summary>Incremented by each BEL in the text (the caller compares it with the count it last saw).</summary>
        public int BellCount { get; private set; }
        /// <summary>Incremented by every change of the screen, the cursor or the title (the caller redraws when it moved).</summary>
        public long Generation { get; private set; }
        public Scrollback Scrollback => scrollback;
        public int ScrollTop => scrollTop;
        public int ScrollBottom => scrollBottom;
        /// <summary>The rendition new text gets (SGR).</summary>
        public Cell Pen => pen;

        /// <summary>How many lines the view is scrolled back into the scroll-back (0: the live screen).</summary>
        public int ViewOffset { get; private set; }

        public void Feed(ReadOnlySpan<byte> input)
        {
            if (input.IsEmpty)
                return;
            parser.Feed(input);
            Generation++;
        }

        /// <summary>The answers to queries (cursor position, device attributes) to write back to the master, and forgets them.</summary>
        public byte[] TakeResponses()
        {
            byte[] taken = responses.ToArray();
            responses.Clear();
            return taken;
        }

        /// <summary>Screen row 'row' (0 = top of the live screen).</summary>
        public TerminalLine ScreenLine(int row) => screen.Lines[Math.Clamp(row, 0, Rows - 1)];

        public Cell CellAt(int row, int column) => ScreenLine(row).CellAt(column);

        /// <summary>Lines in the scroll-back and on the screen together: absolute line numbers run 0 .. TotalLines-1, the scroll-back first.</summary>
        public int TotalLines => (AlternateScreenActive ? 0 : scrollback.Count) + Rows;

        /// <summary>Absolute line 'index' (see <see cref="TotalLines"/>); out of range gives the nearest line.</summary>
        public TerminalLine Line(int index)
        {
            int history = AlternateScreenActive ? 0 : scrollback.Count;
            index = Math.Clamp(index, 0, history + Rows - 1);
            return index < history ? scrollback[index] : screen.Lines[index - history];
        }

        /// <summary>The absolute line shown at screen row 'row' with the current <see cref="ViewOffset"/>.</summary>
        public int VisibleLineIndex(int row) => TotalLines - Rows - ViewOffset + Math.Clamp(row, 0, Rows - 1);

        /// <summary>Scrolls the view 'lines' back (positive) or forward (negative), within the scroll-back.</summary>
        public void ScrollView(int lines)
        {
            int limit = AlternateScreenActive ? 0 : scrollback.Count;
            int offset = (int)Math.Clamp((long)ViewOffset + lines, 0, limit);
            if (offset != ViewOffset) { ViewOffset = offset; Generation++; }
        }

        public void ResetView()
        {
            if (ViewOffset != 0) { ViewOffset = 0; Generation++; }
        }

        // ---- Parser actions ----

        void IParserHandler.Print(int codePoint)
        {
            if (codePoint < 0x80 && (shiftOut ? g1Graphics : g0Graphics))
                codePoint = DecSpecialGraphics.Map(codePoint);
            lastPrinted = codePoint;
            PrintCharacter(codePoint);
        }

        private void PrintCharacter(int codePoint)
        {
            if (pendingWrap && AutoWrap)
            {
                screen.Lines[CursorRow].Wrapped = true;
                CursorColumn = 0;
                LineFeed();
            }
            pendingWrap = false;
            TerminalLine line = screen.Lines[CursorRow];
            if (InsertMode)
                InsertCells(line, CursorColumn, 1);
            Cell cell = pen;
            cell.CodePoint = codePoint;
            line[CursorColumn] = cell;
            if (CursorColumn == Columns - 1)
                pendingWrap = AutoWrap;
            else
                CursorColumn++;
        }

        void IParserHandler.Execute(byte control)
        {
            switch (control)
            {
                case 0x07: BellCount++; break;
                case 0x08: // BS: stops at the left margin; clears a pending wrap like xterm
                    if (pendingWrap) pendingWrap = false;
                    else if (CursorColumn > 0) CursorColumn--;
                    break;
                case 0x09: TabForward(1); break;
                case 0x0A:
                case 0x0B:
                case 0x0C:
                    LineFeed();
                    if (NewLineMode) CursorColumn = 0;
                    break;
                case 0x0D: CursorColumn = 0; pendingWrap = false; break;
                case 0x0E: shiftOut = true; break;
                case 0x0F: shiftOut = false; break;
            }
        }

        void IParserHandler.EscapeDispatch(byte intermediate, byte final)
        {
            if (intermediate == '(' || intermediate == ')')
            {
                bool graphics = final == '0';
                if (intermediate == '(') g0Graphics = graphics; else g1Graphics = graphics;
                return;
            }
            if (intermediate == '#')
            {
                if (final == '8') AlignmentTest();
                return;
            }
            if (intermediate != 0)
                return;
            switch (final)
            {
                case (byte)'7': SaveCursor(); break;
                case (byte)'8': RestoreCursor(); break;
                case (byte)'D': LineFeed(); break;
                case (byte)'E': CursorColumn = 0; LineFeed(); break;
                case (byte)'M': ReverseIndex(); break;
                case (byte)'H': tabStops[CursorColumn] = true; break;
                case (byte)'c': FullReset(); break;
                // '=' and '>' (keypad modes), '\\' (string terminator): nothing to do.
            }
        }

        void IParserHandler.OscDispatch(ReadOnlySpan<byte> data)
        {
            int separator = data.IndexOf((byte)';');
            if (separator <= 0)
                return;
            ReadOnlySpan<byte> command = data.Slice(0, separator);
            if (!(command.SequenceEqual("0"u8) || command.SequenceEqual("2"u8)))
                return;
            string text = Encoding.UTF8.GetString(data.Slice(separator + 1));
            var title = new StringBuilder(Math.Min(text.Length, MaxTitleLength));
            foreach (char character in text)
            {
                if (title.Length == MaxTitleLength) break;
                if (character >= 0x20 && character != 0x7F) title.Append(character);
            }
            Title = title.ToString();
        }

        // ---- Movement and scrolling ----

        private void LineFeed()
        {
            pendingWrap = false;
            if (CursorRow == scrollBottom)
                ScrollUp(1);
            else if (CursorRow < Rows - 1)
                CursorRow++;
        }

        private void ReverseIndex()
        {
            pendingWrap = false;
            if (CursorRow == scrollTop)
                screen.ScrollDown(scrollTop, scrollBottom, 1, Columns, pen.Background);
            else if (CursorRow > 0)
                CursorRow--;
        }

        private void ScrollUp(int count)
        {
            // Lines leave for the scroll-back only from the main screen and when the region starts at the top (xterm).
            bool keep = screen == main && scrollTop == 0;
            screen.ScrollUp(scrollTop, scrollBottom, count, Columns, pen.Background, keep ? scrollback : null);
            // A view scrolled back stays on the same text while output goes on.
            if (keep && ViewOffset > 0)
                ViewOffset = Math.Min(scrollback.Count, ViewOffset + count);
        }

        private void TabForward(int count)
        {
            pendingWrap = false;
            for (int step = 0; step < count && CursorColumn < Columns - 1; step++)
            {
                do CursorColumn++;
                while (CursorColumn < Columns - 1 && !tabStops[CursorColumn]);
            }
        }

        private void TabBackward(int count)
        {
            pendingWrap = false;
            for (int step = 0; step < count && CursorColumn > 0; step++)
            {
                do CursorColumn--;
                while (CursorColumn > 0 && !tabStops[CursorColumn]);
            }
        }

        private void MoveTo(int row, int column)
        {
            pendingWrap = false;
            if (OriginMode)
                CursorRow = Math.Clamp(scrollTop + row, scrollTop, scrollBottom);
            else
                CursorRow = Math.Clamp(row, 0, Rows - 1);
            CursorColumn = Math.Clamp(column, 0, Columns - 1);
        }

        private void MoveVertically(int delta)
        {
            pendingWrap = false;
            int top = CursorRow >= scrollTop ? scrollTop : 0;
            int bottom = CursorRow <= scrollBottom ? scrollBottom : Rows - 1;
            CursorRow = Math.Clamp(CursorRow + delta, top, bottom);
        }

        private void MoveHorizontally(int delta)
        {
            pendingWrap = false;
            CursorColumn = Math.Clamp(CursorColumn + delta, 0, Columns - 1);
        }

        // ---- Editing ----

        private static void InsertCells(TerminalLine line, int column, int count)
        {
            Span<Cell> cells = line.Cells;
            count = Math.Min(count, cells.Length - column);
            cells.Slice(column, cells.Length - column - count).CopyTo(cells.Slice(column + count));
        }

        private void InsertCharacters(int count)
        {
            TerminalLine line = screen.Lines[CursorRow];
            count = Math.Min(count, Columns - CursorColumn);
            InsertCells(line, CursorColumn, count);
            line.Erase(CursorColumn, CursorColumn + count, pen.Background);
            pendingWrap = false;
        }

        private void DeleteCharacters(int count)
        {
            Span<Cell> cells = screen.Lines[CursorRow].Cells;
            count = Math.Min(count, Columns - CursorColumn);
            cells.Slice(CursorColumn + count).CopyTo(cells.Slice(CursorColumn));
            screen.Lines[CursorRow].Erase(Columns - count, Columns, pen.Background);
            pendingWrap = false;
        }

        private void InsertLines(int count)
        {
            if (CursorRow < scrollTop || CursorRow > scrollBottom)
                return;
            screen.ScrollDown(CursorRow, scrollBottom, count, Columns, pen.Background);
            CursorColumn = 0;
            pendingWrap = false;
        }

        private void DeleteLines(int count)
        {
            if (CursorRow < scrollTop || CursorRow > scrollBottom)
                return;
            screen.ScrollUp(CursorRow, scrollBottom, count, Columns, pen.Background, null);
            CursorColumn = 0;
            pendingWrap = false;
        }

        private void EraseInDisplay(int mode)
        {
            switch (mode)
            {
                case 0:
                    EraseInLine(0);
                    for (int row = CursorRow + 1; row < Rows; row++) EraseRow(row);
                    break;
                case 1:
                    EraseInLine(1);
                    for (int row = 0; row < CursorRow; row++) EraseRow(row);
                    break;
                case 2:
                    for (int row = 0; row < Rows; row++) EraseRow(row);
                    break;
                case 3:
                    scrollback.Clear();
                    ViewOffset = 0;
                    break;
            }
        }

        private void EraseRow(int row)
        {
            screen.Lines[row].Erase(0, Columns, pen.Background);
            screen.Lines[row].Wrapped = false;
        }

        private void EraseInLine(int mode)
        {
            TerminalLine line = screen.Lines[CursorRow];
            switch (mode)
            {
                case 0: line.Erase(CursorColumn, Columns, pen.Background); line.Wrapped = false; break;
                case 1: line.Erase(0, CursorColumn + 1, pen.Background); break;
                case 2: line.Erase(0, Columns, pen.Background); line.Wrapped = false; break;
            }
        }

        private void AlignmentTest()
        {
            scrollTop = 0;
            scrollBottom = Rows - 1;
            foreach (TerminalLine line in screen.Lines)
                for (int column = 0; column < Columns; column++)
                    line[column] = new Cell { CodePoint = 'E' };
            MoveTo(0, 0);
        }

        // ---- Cursor saving, screens, reset ----

        private void SaveCursor()
        {
            screen.Saved = new SavedCursor
            {
                Row = CursorRow, Column = CursorColumn, Pen = pen, PendingWrap = pendingWrap, OriginMode = OriginMode,
                G0Graphics = g0Graphics, G1Graphics = g1Graphics, ShiftOut = shiftOut,
            };
        }

        private void RestoreCursor()
        {
            SavedCursor saved = screen.Saved;
            CursorRow = Math.Clamp(saved.Row, 0, Rows - 1);
            CursorColumn = Math.Clamp(saved.Column, 0, Columns - 1);
            pen = saved.Pen;
            pendingWrap = saved.PendingWrap && CursorColumn == Columns - 1;
            OriginMode = saved.OriginMode;
            g0Graphics = saved.G0Graphics;
            g1Graphics = saved.G1Graphics;
            shiftOut = saved.ShiftOut;
        }

        private void SwitchScreen(bool toAlternate, bool saveAndClear)
        {
            if (toAlternate == AlternateScreenActive)
                return;
            if (toAlternate)
            {
                if (saveAndClear) SaveCursor();
                screen = alternate;
                if (saveAndClear) alternate.Clear(pen.Background);
                ViewOffset = 0;
            }
            else
            {
                screen = main;
                if (saveAndClear) RestoreCursor();
            }
            pendingWrap = false;
        }

        private void ResetModes()
        {
            CursorVisible = true;
            AutoWrap = true;
            OriginMode = false;
            InsertMode = false;
            NewLineMode = false;
            ApplicationCursorKeys = false;
            BracketedPaste = false;
            FocusReporting = false;
            scrollTop = 0;
            scrollBottom = Rows - 1;
            pen = default;
            g0Graphics = g1Graphics = shiftOut = false;
        }

        private void FullReset()
        {
            screen = main;
            ResetModes();
            main.Clear(default);
            alternate.Clear(default);
            main.Saved = alternate.Saved = SavedCursor.Home;
            ResetTabStops(0);
            CursorRow = CursorColumn = 0;
            pendingWrap = false;
            Title = "";
            ViewOffset = 0;
        }

        private void ResetTabStops(int from)
        {
            for (int column = from; column < tabStops.Length; column++)
                tabStops[column] = column % TabWidth == 0 && column != 0;
        }

        private void Respond(string text)
        {
            if (responses.Count + text.Length > MaxResponseBytes)
                return;
            foreach (char character in text)
                responses.Add((byte)character);
        }
    }
}
