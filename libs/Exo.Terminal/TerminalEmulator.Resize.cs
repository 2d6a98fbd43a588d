using System;

namespace Exo.Terminal
{
    /// <summary>
    /// A new size. Like xterm, lines are cropped, not reflowed: columns past the new width are lost, new columns are blank.
    /// When the main screen gets shorter, blank rows below the cursor go first, then rows from the top move into the
    /// scroll-back (the cursor's line stays in view); when it gets taller, lines come back from the scroll-back at the
    /// top. The alternate screen loses or gains rows at the bottom (its program redraws on SIGWINCH). The scroll region
    /// becomes the whole screen, tab stops past the old width are set every 8 columns, and the cursor stays in bounds.
    /// </summary>
    public sealed partial class TerminalEmulator
    {
        public void Resize(int columns, int rows)
        {
            columns = Math.Clamp(columns, 1, MaxColumns);
            rows = Math.Clamp(rows, 1, MaxRows);
            if (columns == Columns && rows == Rows)
                return;

            int cursorRow;
            if (AlternateScreenActive)
            {
                // The main screen's cursor is the one mode 1049 saved.
                main.Saved.Row = ResizeRows(main, rows, columns, main.Saved.Row, keepHistory: true);
                cursorRow = ResizeRows(alternate, rows, columns, CursorRow, keepHistory: false);
            }
            else
            {
                cursorRow = ResizeRows(main, rows, columns, CursorRow, keepHistory: true);
                ResizeRows(alternate, rows, columns, 0, keepHistory: false);
            }
            foreach (TerminalLine line in main.Lines) line.Resize(columns);
            foreach (TerminalLine line in alternate.Lines) line.Resize(columns);

            int oldColumns = Columns;
            Array.Resize(ref tabStops, columns);
            if (columns > oldColumns)
                ResetTabStops(oldColumns);

            Columns = columns;
            Rows = rows;
            CursorRow = Math.Clamp(cursorRow, 0, rows - 1);
            CursorColumn = Math.Clamp(CursorColumn, 0, columns - 1);
            pendingWrap = false;
            scrollTop = 0;
            scrollBottom = rows - 1;
            ClampSaved(ref main.Saved);
            ClampSaved(ref alternate.Saved);
            ViewOffset = Math.Min(ViewOffset, AlternateScreenActive ? 0 : scrollback.Count);
            Generation++;
        }

        /// <summary>Gives 'buffer' 'rows' rows; returns where the row 'cursorRow' went.</summary>
        private int ResizeRows(ScreenBuffer buffer, int rows, int columns, int cursorRow, bool keepHistory)
        {
            int oldRows = buffer.Rows;
            if (rows == oldRows)
                return cursorRow;
            var lines = new System.Collections.Generic.List<TerminalLine>(buffer.Lines);
            if (rows < oldRows)
            {
                int excess = oldRows - rows;
                if (keepHistory)
                {
                    // Blank rows below the cursor first, then rows from the top into the scroll-back.
                    while (excess > 0 && lines.Count - 1 > cursorRow && lines[lines.Count - 1].IsBlank())
                    {
                        lines.RemoveAt(lines.Count - 1);
                        excess--;
                    }
                    for (; excess > 0; excess--)
                    {
                        scrollback.Push(lines[0]);
                        lines.RemoveAt(0);
                        cursorRow--;
                    }
                }
                else
                {
                    lines.RemoveRange(rows, excess);
                }
            }
            else
            {
                int missing = rows - oldRows;
                for (; missing > 0 && keepHistory && scrollback.Count > 0; missing--)
                {
                    lines.Insert(0, scrollback.PopNewest());
                    cursorRow++;
                }
                for (; missing > 0; missing--)
                    lines.Add(new TerminalLine(columns));
            }
            buffer.Lines = lines.ToArray();
            return Math.Clamp(cursorRow, 0, rows - 1);
        }

        private void ClampSaved(ref SavedCursor saved)
        {
            saved.Row = Math.Clamp(saved.Row, 0, Rows - 1);
            saved.Column = Math.Clamp(saved.Column, 0, Columns - 1);
        }
    }
}
