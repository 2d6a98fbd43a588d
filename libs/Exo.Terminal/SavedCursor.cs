namespace Exo.Terminal
{
    /// <summary>What DECSC (ESC 7, CSI s, mode 1049) saves and DECRC restores: position, rendition, wrap state, origin mode, character sets.</summary>
    internal struct SavedCursor
    {
        public int Row;
        public int Column;
        public Cell Pen;
        public bool PendingWrap;
        public bool OriginMode;
        public bool G0Graphics;
        public bool G1Graphics;
        public bool ShiftOut;

        public static SavedCursor Home => default;
    }
}
