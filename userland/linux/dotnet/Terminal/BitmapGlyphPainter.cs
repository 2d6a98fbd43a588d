using Exo.Compositor.Scene;

namespace Terminal;

/// <summary>
/// Cells from the compositor's title font (<see cref="TitleFont"/>, 5x8 for printable ASCII), each font pixel drawn as
/// Scale x Scale: a cell is (5 + 1) x (8 + 2) font pixels, the glyph at column 0 and row 1. Box-drawing characters fall
/// back to ASCII (- | +), other characters outside ASCII to '?'.
/// </summary>
public sealed unsafe class BitmapGlyphPainter : IGlyphPainter
{
    public const int GlyphLeft = 0, GlyphTop = 1;
    public int Scale { get; }
    public int CellWidth => TitleFont.Advance * Scale;
    public int CellHeight => (TitleFont.GlyphHeight + 2) * Scale;

    public BitmapGlyphPainter(int scale) => Scale = Math.Clamp(scale, 1, 4);

    /// <summary>The character the font draws for 'codePoint'.</summary>
    public static int FontCharacter(int codePoint) => codePoint switch
    {
        >= 0x20 and < 0x7F => codePoint,
        0x2500 or 0x2501 or 0x23BA or 0x23BB or 0x23BC or 0x23BD => '-',
        0x2502 or 0x2503 => '|',
        > 0x2503 and <= 0x257F => '+',
        0x00A0 => ' ',
        _ => '?',
    };

    public void Paint(uint* pixels, int stride, int x, int y, int codePoint, uint foreground, uint background, bool underline)
    {
        int character = FontCharacter(codePoint);
        for (int row = 0; row < CellHeight; row++)
        {
            uint* line = pixels + (long)(y + row) * stride + x;
            int fontRow = row / Scale - GlyphTop;
            for (int column = 0; column < CellWidth; column++)
            {
                int fontColumn = column / Scale - GlyphLeft;
                bool ink = character != ' ' && fontRow >= 0 && fontRow < TitleFont.GlyphHeight && fontColumn >= 0
                    && fontColumn < TitleFont.GlyphWidth && TitleFont.IsInk(character, fontRow, fontColumn);
                if (underline && row >= CellHeight - Scale)
                    ink = true;
                line[column] = ink ? foreground : background;
            }
        }
    }
}
