using Exo.Terminal;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;

namespace Terminal;

/// <summary>
/// Cells in the toolkit's anti-aliased monospace atlas (DejaVu Sans Mono, mono-SIZE.atlas from /usr/share/exo/fonts;
/// docs/desktop.md "Fonts"). The cell geometry lives here (<see cref="CellOf"/>): the advance rounded up to a pixel wide,
/// the atlas's line height tall, the baseline at the ascent from the cell's top; every glyph at the cell's left edge plus
/// its bearing, clipped to the cell, blended into the background by its coverage (Colour.Blend, as the toolkit's Canvas
/// does). Bold also overstrikes the glyph one pixel to the right; underline and strikethrough are one-pixel rows.
/// Box-drawing (U+2500..U+257F), block elements (U+2580..U+259F), DEC's scan lines (U+23BA..U+23BD) and the diamond
/// (U+25C6) are drawn as shapes filling the cell, so that lines join from cell to cell. Any other character the atlas
/// lacks (it holds ASCII and Latin-1) is drawn as an outlined box the height of a capital letter.
/// </summary>
public sealed class AtlasGlyphPainter : IGlyphPainter
{
    public const int DefaultSize = 16;
    public const string FontName = "mono";

    private readonly GlyphAtlas _atlas;
    private readonly byte[] _coverage;

    public int CellWidth { get; }
    public int CellHeight { get; }
    /// <summary>The baseline's row from the cell's top.</summary>
    public int Baseline { get; }
    /// <summary>The top row of a capital letter (the replacement box's top).</summary>
    public int CapitalTop { get; }
    public int UnderlineRow { get; }
    public int StrikethroughRow { get; }
    public int PixelSize => _atlas.PixelSize;

    public AtlasGlyphPainter(GlyphAtlas atlas)
    {
        _atlas = atlas;
        (CellWidth, CellHeight, Baseline) = CellOf(atlas);
        CapitalTop = Math.Clamp(Baseline - atlas.GlyphFor('M').Top, 0, Baseline - 1);
        UnderlineRow = Math.Min(Baseline + Math.Max(1, atlas.Descent / 2), CellHeight - 1);
        int xHeight = atlas.TryGetGlyph('x', out Glyph x) ? x.Top : (Baseline - CapitalTop) / 2;
        StrikethroughRow = Math.Clamp(Baseline - (xHeight + 1) / 2, 0, CellHeight - 1);
        _coverage = new byte[CellWidth * CellHeight];
    }

    /// <summary>The cell for 'atlas': the advance (of 'M'; the font is monospaced) rounded up, the line height, the baseline at the ascent.</summary>
    public static (int Width, int Height, int Baseline) CellOf(GlyphAtlas atlas)
        => (Math.Max(1, atlas.Measure("M")),
            Math.Max(atlas.LineHeight, atlas.Ascent + atlas.Descent), atlas.Ascent);

    /// <summary>The atlas file for 'size' in 'directory' (FontSet.Directory: /usr/share/exo/fonts or $EXO_FONTS).</summary>
    public static string AtlasPath(int size, string? directory = null) => Path.Combine(directory ?? FontSet.Directory, $"{FontName}-{size}.atlas");

    public static AtlasGlyphPainter Load(int size = DefaultSize, string? directory = null) => new(GlyphAtlas.LoadFile(AtlasPath(size, directory)));

    /// <summary>True when the atlas has a glyph for 'codePoint' (the rest are shapes or the replacement box).</summary>
    public bool HasGlyph(int codePoint) => _atlas.TryGetGlyph(codePoint, out _);

    public void Paint(Span<uint> pixels, int stride, int x, int y, int codePoint, uint foreground, uint background, CellFlags flags)
    {
        Span<byte> coverage = Coverage(codePoint, flags);
        for (int row = 0; row < CellHeight; row++)
        {
            Span<uint> line = pixels.Slice((y + row) * stride + x, CellWidth);
            ReadOnlySpan<byte> alpha = coverage.Slice(row * CellWidth, CellWidth);
            for (int column = 0; column < CellWidth; column++)
                line[column] = Colour.Blend(background, foreground, alpha[column]);
        }
    }

    /// <summary>The cell's coverage (CellWidth x CellHeight bytes, 0 background to 255 foreground); valid until the next call.</summary>
    public Span<byte> Coverage(int codePoint, CellFlags flags)
    {
        Span<byte> coverage = _coverage;
        coverage.Clear();
        if (codePoint is 0 or ' ' or 0xA0)
        {
        }
        else if (BoxDrawing.TryDraw(codePoint, coverage, CellWidth, CellHeight))
        {
        }
        else if (_atlas.TryGetGlyph(codePoint, out Glyph glyph))
            DrawGlyph(coverage, glyph);
        else
            DrawReplacementBox(coverage);
        if ((flags & CellFlags.Bold) != 0)
            for (int row = 0; row < CellHeight; row++)
            {
                Span<byte> line = coverage.Slice(row * CellWidth, CellWidth);
                for (int column = CellWidth - 1; column > 0; column--)
                    line[column] = Math.Max(line[column], line[column - 1]);
            }
        if ((flags & CellFlags.Underline) != 0)
            coverage.Slice(UnderlineRow * CellWidth, CellWidth).Fill(255);
        if ((flags & CellFlags.Strikethrough) != 0)
            coverage.Slice(StrikethroughRow * CellWidth, CellWidth).Fill(255);
        return coverage;
    }

    private void DrawGlyph(Span<byte> coverage, Glyph glyph)
    {
        ReadOnlySpan<byte> plane = _atlas.Plane;
        int left = glyph.Left, top = Baseline - glyph.Top;
        for (int row = Math.Max(0, -top); row < glyph.Height && top + row < CellHeight; row++)
        {
            ReadOnlySpan<byte> source = plane.Slice((glyph.Y + row) * _atlas.PlaneWidth + glyph.X, glyph.Width);
            for (int column = Math.Max(0, -left); column < glyph.Width && left + column < CellWidth; column++)
                coverage[(top + row) * CellWidth + left + column] = source[column];
        }
    }

    /// <summary>A missing glyph: a one-pixel outline from the capital height to the baseline, a pixel in from each side.</summary>
    private void DrawReplacementBox(Span<byte> coverage)
    {
        int left = CellWidth > 4 ? 1 : 0, right = CellWidth > 4 ? CellWidth - 2 : CellWidth - 1;
        int top = CapitalTop, bottom = Math.Max(top, Baseline - 1);
        for (int column = left; column <= right; column++)
        {
            coverage[top * CellWidth + column] = 255;
            coverage[bottom * CellWidth + column] = 255;
        }
        for (int row = top; row <= bottom; row++)
        {
            coverage[row * CellWidth + left] = 255;
            coverage[row * CellWidth + right] = 255;
        }
    }
}
