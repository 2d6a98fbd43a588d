using System;

namespace Exo.Terminal
{
    /// <summary>A row of cells, on the screen or in the scroll-back, and whether its text continues on the next row (auto-wrap).</summary>
    public sealed class TerminalLine
    {
        private Cell[] cells;

        public TerminalLine(int columns) { cells = new Cell[columns]; }

        public int Length => cells.Length;

        /// <summary>Set when the text ran past the last column onto the next line (copying joins the two without a newline).</summary>
        public bool Wrapped { get; set; }

        public ref Cell this[int column] => ref cells[column];

        public Span<Cell> Cells => cells;

        /// <summary>The cell at 'column', or an empty one past the line's end (scroll-back lines keep the width they had).</summary>
        public Cell CellAt(int column) => (uint)column < (uint)cells.Length ? cells[column] : default;

        public void Erase(int start, int end, TerminalColor background)
        {
            start = Math.Clamp(start, 0, cells.Length);
            end = Math.Clamp(end, start, cells.Length);
            cells.AsSpan(start, end - start).Fill(Cell.Blank(background));
        }

        public void Reset(int columns)
        {
            if (cells.Length != columns)
                cells = new Cell[columns];
            else
                Array.Clear(cells);
            Wrapped = false;
        }

        /// <summary>Crops or pads to 'columns' (xterm crops: what was past the new width is lost).</summary>
        public void Resize(int columns)
        {
            if (columns == cells.Length)
                return;
            Array.Resize(ref cells, columns);
        }

        public bool IsBlank()
        {
            foreach (Cell cell in cells)
                if ((cell.CodePoint != 0 && cell.CodePoint != ' ') || cell.Background.Kind != ColorKind.Default)
                    return false;
            return true;
        }
    }
}
