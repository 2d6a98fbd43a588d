using Exo.Terminal;

namespace Terminal;

/// <summary>
/// Draws one character cell: the seam between the terminal and its font (<see cref="AtlasGlyphPainter"/>: the toolkit's
/// anti-aliased DejaVu Sans Mono atlas).
/// </summary>
public interface IGlyphPainter
{
    int CellWidth { get; }
    int CellHeight { get; }

    /// <summary>
    /// Fills the cell at pixel (x, y) of a 32-bit buffer ('stride' pixels a row) with 'background' and draws
    /// 'codePoint' in 'foreground' with the cell's 'flags' (bold, underline and strikethrough are the painter's; colours,
    /// inverse and hidden are already resolved into the two colours).
    /// </summary>
    void Paint(Span<uint> pixels, int stride, int x, int y, int codePoint, uint foreground, uint background, CellFlags flags);
}
