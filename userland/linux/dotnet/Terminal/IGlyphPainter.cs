namespace Terminal;

/// <summary>
/// Draws one character cell: the seam between the terminal and its font. <see cref="BitmapGlyphPainter"/> (the
/// compositor's 5x8 bitmap font, scaled) stands in until the toolkit's TrueType atlas (libs/Exo.Toolkit) replaces it.
/// </summary>
public unsafe interface IGlyphPainter
{
    int CellWidth { get; }
    int CellHeight { get; }

    /// <summary>
    /// Fills the cell at pixel (x, y) of a 32-bit buffer ('stride' pixels a row) with 'background' and draws
    /// 'codePoint' in 'foreground' (underlined when asked).
    /// </summary>
    void Paint(uint* pixels, int stride, int x, int y, int codePoint, uint foreground, uint background, bool underline);
}
