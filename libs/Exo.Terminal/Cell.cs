namespace Exo.Terminal
{
    /// <summary>One character cell: a code point (0 for a cell never written, shown as a space) and its rendition.</summary>
    public struct Cell
    {
        public int CodePoint;
        public TerminalColor Foreground;
        public TerminalColor Background;
        public CellFlags Flags;

        /// <summary>An erased cell: empty, with the background the erase used (xterm's background colour erase).</summary>
        public static Cell Blank(TerminalColor background) => new Cell { Background = background };

        /// <summary>The character to show or copy: a space for an empty cell.</summary>
        public int Character => CodePoint == 0 ? ' ' : CodePoint;
    }
}
