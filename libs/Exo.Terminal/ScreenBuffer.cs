using System;

namespace Exo.Terminal
{
    /// <summary>A screen's rows (the main screen or the alternate one) and the cursor state DECSC saved for it.</summary>
    internal sealed class ScreenBuffer
    {
        public TerminalLine[] Lines;
        public SavedCursor Saved;

        public ScreenBuffer(int columns, int rows)
        {
            Lines = new TerminalLine[rows];
            for (int row = 0; row < rows; row++)
                Lines[row] = new TerminalLine(columns);
            Saved = SavedCursor.Home;
        }

        public int Rows => Lines.Length;

        public void Clear(TerminalColor background)
        {
            foreach (TerminalLine line in Lines)
            {
                line.Erase(0, line.Length, background);
                line.Wrapped = false;
            }
        }

        /// <summary>
        /// Moves rows [top, bottom] up by 'count', the rows leaving at the top handed to 'leaving' (the scroll-back) or
        /// reused; the rows entering at the bottom are blank.
        /// </summary>
        public void ScrollUp(int top, int bottom, int count, int columns, TerminalColor background, Scrollback leaving)
        {
            count = Math.Min(count, bottom - top + 1);
            for (int step = 0; step < count; step++)
            {
                TerminalLine gone = Lines[top];
                Array.Copy(Lines, top + 1, Lines, top, bottom - top);
                TerminalLine fresh = leaving != null ? leaving.Push(gone) : gone;
                if (fresh == null) fresh = new TerminalLine(columns);
                fresh.Reset(columns);
                fresh.Erase(0, columns, background);
                Lines[bottom] = fresh;
            }
        }

        /// <summary>Moves rows [top, bottom] down by 'count'; blank rows enter at the top.</summary>
        public void ScrollDown(int top, int bottom, int count, int columns, TerminalColor background)
        {
            count = Math.Min(count, bottom - top + 1);
            for (int step = 0; step < count; step++)
            {
                TerminalLine gone = Lines[bottom];
                Array.Copy(Lines, top, Lines, top + 1, bottom - top);
                gone.Reset(columns);
                gone.Erase(0, columns, background);
                Lines[top] = gone;
            }
        }
    }
}
