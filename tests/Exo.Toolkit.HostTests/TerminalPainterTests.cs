using Exo.Terminal;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Terminal;

namespace Exo.Toolkit.HostTests;

/// <summary>
/// The desktop terminal's cells (userland/linux/dotnet/Terminal/AtlasGlyphPainter.cs) in the mono atlas: the geometry,
/// glyphs the same as the toolkit's text drawing, the characters the old bitmap font lacked, the replacement box,
/// bold, underline, strikethrough and the box-drawing shapes.
/// </summary>
public sealed class TerminalPainterTests
{
    private const uint Foreground = 0xE5E5E5, Background = 0x000000;
    private static readonly AtlasGlyphPainter Painter = new(TestFonts.Fonts.MonoLarge);
    private static int W => Painter.CellWidth;
    private static int H => Painter.CellHeight;

    private static uint[] Cell(int codePoint, CellFlags flags = CellFlags.None, uint foreground = Foreground, uint background = Background)
    {
        // Painted at (W, H) of a 3 x 3 cell buffer: nothing may land outside the cell.
        var pixels = new uint[9 * W * H];
        Array.Fill(pixels, 0x123456u);
        Painter.Paint(pixels, 3 * W, W, H, codePoint, foreground, background, flags);
        var cell = new uint[W * H];
        for (int index = 0; index < pixels.Length; index++)
        {
            int x = index % (3 * W), y = index / (3 * W);
            if (x >= W && x < 2 * W && y >= H && y < 2 * H)
                cell[(y - H) * W + x - W] = pixels[index];
            else
                Assert.Equal(0x123456u, pixels[index]);
        }
        return cell;
    }

    private static int Ink(uint[] cell, uint background = Background) => cell.Count(pixel => pixel != background);

    [Fact]
    public void Cells_are_the_advance_by_the_line_height_and_80x24_fit_the_default_window()
    {
        var atlas = TestFonts.Fonts.MonoLarge;
        Assert.Equal(16, Painter.PixelSize);
        Assert.Equal((atlas.GlyphFor('M').Advance + 63) / 64, W);
        Assert.Equal(atlas.LineHeight, H);
        Assert.Equal(atlas.Ascent, Painter.Baseline);
        Assert.Equal((10, 19), (W, H));
        // The compositor's first window has its content at (48, 64) on a 1024 x 768 screen.
        Assert.True(48 + 80 * W <= 1024 && 64 + 24 * H <= 768, $"80x24 cells of {W}x{H}");
    }

    [Fact]
    public void Glyphs_are_drawn_as_the_toolkit_draws_text()
    {
        var atlas = TestFonts.Fonts.MonoLarge;
        foreach (char character in "Ag|\\~{}^`_@\u00e9\u00ff")
        {
            var canvas = new Canvas(W, H);
            canvas.Fill(new Rect(0, 0, W, H), 0x0000FF);
            atlas.DrawLine(canvas, character.ToString(), 0, 0, 0xFFFF00);
            Assert.Equal(canvas.Pixels, Cell(character, CellFlags.None, 0xFFFF00, 0x0000FF));
        }
    }

    [Fact]
    public void The_characters_the_bitmap_font_lacked_have_ink()
    {
        foreach (char character in "\\^`{|}~")
        {
            Assert.True(Painter.HasGlyph(character));
            Assert.True(Ink(Cell(character)) >= 4, $"{character} drawn");
        }
        // The bar: a vertical stroke (anti-aliased over two columns, unhinted) through most of the cell's height.
        uint[] bar = Cell('|');
        int rowsWithInk = Enumerable.Range(0, H).Count(row => Enumerable.Range(0, W).Any(column => (bar[row * W + column] & 0xFF) >= 0x80));
        Assert.True(rowsWithInk >= H * 3 / 4, $"| covers {rowsWithInk} of {H} rows");
    }

    [Fact]
    public void A_missing_glyph_is_a_box_and_blanks_are_blank()
    {
        Assert.False(Painter.HasGlyph(0x4E00));
        uint[] box = Cell(0x4E00);
        int top = Painter.CapitalTop, bottom = Painter.Baseline - 1;
        for (int column = 1; column <= W - 2; column++)
        {
            Assert.Equal(Foreground, box[top * W + column]);
            Assert.Equal(Foreground, box[bottom * W + column]);
        }
        for (int row = top; row <= bottom; row++)
        {
            Assert.Equal(Foreground, box[row * W + 1]);
            Assert.Equal(Foreground, box[row * W + W - 2]);
        }
        Assert.Equal(Background, box[(top + bottom) / 2 * W + W / 2]);
        Assert.Equal(Cell(0xFFFD), box);
        foreach (int blank in new[] { 0, ' ', 0xA0 })
            Assert.Equal(0, Ink(Cell(blank)));
    }

    [Fact]
    public void Underline_strikethrough_and_bold()
    {
        uint[] underlined = Cell(' ', CellFlags.Underline);
        Assert.Equal(W, Ink(underlined));
        Assert.All(Enumerable.Range(0, W), column => Assert.Equal(Foreground, underlined[Painter.UnderlineRow * W + column]));
        Assert.True(Painter.UnderlineRow > Painter.Baseline && Painter.UnderlineRow < H);
        uint[] struck = Cell(' ', CellFlags.Strikethrough);
        Assert.Equal(W, Ink(struck));
        Assert.True(Painter.StrikethroughRow < Painter.Baseline && Painter.StrikethroughRow > Painter.CapitalTop);
        // Bold overstrikes one pixel to the right: more ink, never less at any pixel.
        uint[] regular = Cell('l'), bold = Cell('l', CellFlags.Bold);
        Assert.True(Ink(bold) > Ink(regular));
        for (int index = 0; index < regular.Length; index++)
            Assert.True((bold[index] & 0xFF) >= (regular[index] & 0xFF));
    }

    [Fact]
    public void Colours_blend_between_background_and_foreground()
    {
        uint[] cell = Cell('@', CellFlags.None, 0xCD0000, 0x0000EE);
        Assert.Contains(0xCD0000u, cell);
        Assert.Contains(0x0000EEu, cell);
        Assert.Contains(cell, pixel => pixel != 0xCD0000 && pixel != 0x0000EE);
        Assert.All(cell, pixel => Assert.Equal(0u, pixel & 0x00FF00));
    }

    [Fact]
    public void Box_drawing_lines_join_across_cells()
    {
        int centreX = (W - 1) / 2, centreY = (H - 1) / 2;
        uint[] horizontal = Cell(0x2500), vertical = Cell(0x2502), cross = Cell(0x253C), corner = Cell(0x250C);
        Assert.Equal(W, Ink(horizontal));
        Assert.All(Enumerable.Range(0, W), column => Assert.Equal(Foreground, horizontal[centreY * W + column]));
        Assert.Equal(H, Ink(vertical));
        Assert.All(Enumerable.Range(0, H), row => Assert.Equal(Foreground, vertical[row * W + centreX]));
        Assert.Equal(W + H - 1, Ink(cross));
        // ┌: from the centre to the right edge and the bottom edge, nothing up or left.
        Assert.Equal(Foreground, corner[centreY * W + W - 1]);
        Assert.Equal(Foreground, corner[(H - 1) * W + centreX]);
        Assert.Equal(Background, corner[centreY * W]);
        Assert.Equal(Background, corner[centreX]);
        Assert.Equal((W - centreX) + (H - centreY) - 1, Ink(corner));
        // Heavy is two pixels wide, double two lines with a gap.
        Assert.Equal(2 * W, Ink(Cell(0x2501)));
        uint[] doubled = Cell(0x2550);
        Assert.Equal(2 * W, Ink(doubled));
        Assert.Equal(Background, doubled[centreY * W]);
        // Every box-drawing character but the diagonals is a shape; a full block fills the cell; DEC's scan lines are rows.
        for (int c = 0x2500; c <= 0x257F; c++)
            Assert.Equal(c is >= 0x2571 and <= 0x2573, BoxDrawing.Arms(c) == 0);
        Assert.Equal(W * H, Ink(Cell(0x2588)));
        Assert.Equal(W, Ink(Cell(0x23BA)));
        Assert.Equal(Foreground, Cell(0x23BA)[3]);
        Assert.Equal(Foreground, Cell(0x23BD)[(H - 1) * W]);
        Assert.True(Ink(Cell(0x25C6)) > W);
    }
}
