using Exo.FontAtlas;
using Exo.Toolkit.Text;

namespace Exo.Toolkit.HostTests;

/// <summary>Rasterised DejaVu glyphs: stems fully covered, holes empty, anti-aliased edges, advances as hmtx scaled.</summary>
public sealed class GlyphRasterizerTests
{
    private static GlyphBitmap Render(char c, int size)
    {
        var font = TestFonts.Sans.Value;
        return GlyphRasterizer.Rasterize(font.Outline(font.GlyphIndex(c)), (double)size / font.UnitsPerEm);
    }

    [Fact]
    public void The_stem_of_l_is_a_covered_column()
    {
        var l = Render('l', 24);
        Assert.InRange(l.Width, 2, 5);
        Assert.InRange(l.Height, 16, 20);
        // Some column is fully covered through the stem's middle rows.
        bool covered = Enumerable.Range(0, l.Width).Any(x => Enumerable.Range(2, l.Height - 4).All(y => l[x, y] >= 250));
        Assert.True(covered, "no fully covered column in 'l'");
        // The box's top at the ascender: DejaVu's l is 1556 units tall, 18.2 pixels at 24.
        Assert.InRange(l.Top, 18, 19);
    }

    [Fact]
    public void The_hole_of_O_is_empty_and_its_ring_is_ink()
    {
        var o = Render('O', 24);
        Assert.Equal(0, o[o.Width / 2, o.Height / 2]);
        Assert.True(o[o.Width / 2, 0] > 128 || o[o.Width / 2, 1] > 128, "the top of the ring");
        Assert.True(o[0, o.Height / 2] > 128 || o[1, o.Height / 2] > 128, "the left of the ring");
    }

    [Fact]
    public void Edges_are_anti_aliased()
    {
        var o = Render('O', 13);
        int partial = o.Alpha.Count(a => a is > 20 and < 235);
        Assert.True(partial >= 10, $"only {partial} partly covered pixels in 'O' at 13 px");
        Assert.Contains(o.Alpha, a => a == 0);
    }

    [Fact]
    public void Sizes_scale_the_glyph()
    {
        Assert.True(Render('H', 24).Height > Render('H', 11).Height * 2 - 2);
        Assert.Empty(Render(' ', 16).Alpha);
    }

    [Fact]
    public void A_square_covers_whole_pixels_and_half_pixels_exactly()
    {
        // A 2 x 1.5 pixel square at scale 1, from (0.5, 0) to (2.5, 1.5) in font units = pixels (y up).
        var outline = new GlyphOutline();
        outline.Contours.Add([new(0.5, 0, true), new(0.5, 1.5, true), new(2.5, 1.5, true), new(2.5, 0, true)]);
        var bitmap = GlyphRasterizer.Rasterize(outline, 1);
        Assert.Equal((3, 2), (bitmap.Width, bitmap.Height));
        // Row 1 (y 0..1 above the baseline, fully inside): half, full, half. Row 0 (y 1..2): half a pixel high.
        Assert.Equal(new byte[] { 64, 128, 64, 128, 255, 128 }, bitmap.Alpha);
    }

    [Fact]
    public void Overlapping_contours_follow_non_zero_winding()
    {
        // Two squares in the same direction, overlapping: the overlap is covered once (not cancelled as even-odd would).
        var outline = new GlyphOutline();
        outline.Contours.Add([new(0, 0, true), new(0, 4, true), new(4, 4, true), new(4, 0, true)]);
        outline.Contours.Add([new(2, 0, true), new(2, 4, true), new(6, 4, true), new(6, 0, true)]);
        var bitmap = GlyphRasterizer.Rasterize(outline, 1);
        Assert.All(bitmap.Alpha, a => Assert.Equal(255, a));
    }

    [Fact]
    public void Atlas_advances_are_hmtx_scaled()
    {
        var atlas = GlyphAtlas.Load(AtlasBuilder.Build(TestFonts.Sans.Value, "sans", 16, AtlasBuilder.DefaultCharacters));
        int Advance(char c) => atlas.GlyphFor(c).Advance;
        Assert.Equal((int)Math.Round(1401 * 16.0 / 2048 * 64), Advance('A'));
        Assert.Equal((int)Math.Round(569 * 16.0 / 2048 * 64), Advance('l'));
        Assert.Equal((int)Math.Round(651 * 16.0 / 2048 * 64), Advance(' '));
        Assert.Equal(95 + 96, atlas.GlyphCount);
        Assert.Equal(16, atlas.PixelSize);
        Assert.Equal("sans", atlas.Name);
        Assert.True(atlas.LineHeight >= 18);
    }

    [Fact]
    public void A_broken_atlas_is_refused()
    {
        byte[] good = AtlasBuilder.Build(TestFonts.Sans.Value, "sans", 11, AtlasBuilder.DefaultCharacters);
        Assert.Throws<GlyphAtlasException>(() => GlyphAtlas.Load(good[..40]));
        Assert.Throws<GlyphAtlasException>(() => GlyphAtlas.Load(good[..(good.Length - 100)]));
        byte[] wrongMagic = (byte[])good.Clone();
        wrongMagic[0] ^= 0xFF;
        Assert.Contains("magic", Assert.Throws<GlyphAtlasException>(() => GlyphAtlas.Load(wrongMagic)).Message);
    }
}
