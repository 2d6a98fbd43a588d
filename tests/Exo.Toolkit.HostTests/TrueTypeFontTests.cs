using Exo.FontAtlas;

namespace Exo.Toolkit.HostTests;

/// <summary>The TrueType parser against DejaVu Sans (metrics checked against its hmtx by hand) and against broken files.</summary>
public sealed class TrueTypeFontTests
{
    [Fact]
    public void DejaVu_sans_metrics_are_read()
    {
        var font = TestFonts.Sans.Value;
        Assert.Equal(2048, font.UnitsPerEm);
        Assert.True(font.GlyphCount > 3000);
        Assert.True(font.Ascender > 1500 && font.Descender < -300);
        // Advance widths from DejaVuSans.ttf's hmtx (font units).
        Assert.Equal(651, font.AdvanceWidth(font.GlyphIndex(' ')));
        Assert.Equal(1401, font.AdvanceWidth(font.GlyphIndex('A')));
        Assert.Equal(569, font.AdvanceWidth(font.GlyphIndex('l')));
        Assert.Equal(1995, font.AdvanceWidth(font.GlyphIndex('m')));
        Assert.Equal(1260, font.AdvanceWidth(font.GlyphIndex('\u00e9')));
        Assert.Equal(1233, TestFonts.Mono.Value.AdvanceWidth(TestFonts.Mono.Value.GlyphIndex('W')));
    }

    [Fact]
    public void Every_printable_ASCII_and_Latin1_character_has_a_glyph()
    {
        var font = TestFonts.Sans.Value;
        Assert.All(AtlasBuilder.DefaultCharacters, c => Assert.True(font.HasGlyph(c), $"U+{c:X4}"));
        Assert.False(font.HasGlyph(0x0001));
    }

    [Fact]
    public void A_composite_glyph_has_its_components_contours()
    {
        var font = TestFonts.Sans.Value;
        var e = font.Outline(font.GlyphIndex('e'));
        var eAcute = font.Outline(font.GlyphIndex('\u00e9'));
        Assert.True(eAcute.Contours.Count > e.Contours.Count, $"é has {eAcute.Contours.Count} contours, e {e.Contours.Count}");
        // The accent sits above the e's top.
        double eTop = e.Contours.SelectMany(c => c).Max(p => p.Y);
        Assert.Contains(eAcute.Contours.SelectMany(c => c), p => p.Y > eTop + 100);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(200)]
    [InlineData(5000)]
    public void A_truncated_font_is_a_clear_error(int length)
    {
        byte[] bytes = TestFonts.SansBytes[..length];
        var problem = Assert.Throws<FontFormatException>(() => new TrueTypeFont(bytes, "cut.ttf"));
        Assert.StartsWith("cut.ttf", problem.Message);
    }

    [Fact]
    public void A_font_cut_inside_its_glyphs_fails_on_the_glyph_not_with_a_crash()
    {
        byte[] whole = TestFonts.SansBytes;
        // Keep the tables' directory consistent but zero the second half: glyph data become nonsense.
        byte[] damaged = (byte[])whole.Clone();
        Array.Fill(damaged, (byte)0xFF, whole.Length / 2, whole.Length / 2);
        try
        {
            var font = new TrueTypeFont(damaged, "damaged.ttf");
            foreach (int c in AtlasBuilder.DefaultCharacters)
                GlyphRasterizer.Rasterize(font.Outline(font.GlyphIndex(c)), 16.0 / font.UnitsPerEm);
        }
        catch (FontFormatException)
        {
            // A clear error is what is wanted; anything else (IndexOutOfRange...) fails the test.
        }
    }

    [Fact]
    public void Garbage_is_not_a_font()
    {
        var random = new Random(17);
        byte[] garbage = new byte[4096];
        random.NextBytes(garbage);
        Assert.Contains("not a TrueType font", Assert.Throws<FontFormatException>(() => new TrueTypeFont(garbage, "garbage")).Message);
        // A TrueType version with garbage after it.
        garbage[0] = 0; garbage[1] = 1; garbage[2] = 0; garbage[3] = 0;
        Assert.Throws<FontFormatException>(() => new TrueTypeFont(garbage, "garbage"));
    }

    [Fact]
    public void A_missing_table_is_named()
    {
        byte[] bytes = TestFonts.SansBytes;
        // Rename the 'glyf' table's tag in the directory.
        int tables = bytes[4] << 8 | bytes[5];
        for (int i = 0; i < tables; i++)
        {
            int record = 12 + i * 16;
            if (bytes[record] == 'g' && bytes[record + 1] == 'l' && bytes[record + 2] == 'y' && bytes[record + 3] == 'f')
                bytes[record] = (byte)'x';
        }
        Assert.Contains("'glyf' table is missing", Assert.Throws<FontFormatException>(() => new TrueTypeFont(bytes, "x.ttf")).Message);
    }
}
