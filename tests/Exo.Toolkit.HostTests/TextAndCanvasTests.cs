using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;

namespace Exo.Toolkit.HostTests;

/// <summary>Measuring and drawing text with the atlases, and the canvas's clipping.</summary>
public sealed class TextAndCanvasTests
{
    private static GlyphAtlas Body => TestFonts.Fonts.Body;

    [Fact]
    public void Measuring_adds_the_advances()
    {
        int l = Body.GlyphFor('l').Advance;
        Assert.Equal(0, Body.Measure(""));
        Assert.Equal((2 * l + 63) / 64, Body.Measure("ll"));
        Assert.True(Body.Measure("mmmm") > Body.Measure("iiii") * 2);
        var mono = TestFonts.Fonts.Mono;
        Assert.Equal(mono.Measure("iiii"), mono.Measure("WWWW"));
        // A character without a glyph measures as '?'.
        Assert.Equal(Body.Measure("?"), Body.Measure("\u4e00"));
    }

    [Fact]
    public void Caret_positions_fall_on_the_nearest_boundary()
    {
        Assert.Equal(0, Body.IndexAt("hello", 0));
        Assert.Equal(5, Body.IndexAt("hello", 1000));
        int afterH = Body.Measure("h");
        Assert.Equal(1, Body.IndexAt("hello", afterH));
    }

    [Fact]
    public void Line_metrics_hold_the_glyphs()
    {
        foreach (var atlas in new[] { TestFonts.Fonts.Small, Body, TestFonts.Fonts.Large, TestFonts.Fonts.Title })
        {
            Assert.True(atlas.LineHeight >= atlas.Ascent + atlas.Descent);
            Assert.True(atlas.TryGetGlyph('\u00c9', out var capitalEAcute));
            Assert.True(capitalEAcute.Top <= atlas.Ascent + 1, $"É's top {capitalEAcute.Top} above the ascent {atlas.Ascent} at {atlas.PixelSize}");
            Assert.True(atlas.GlyphFor('g').Height - atlas.GlyphFor('g').Top <= atlas.Descent + 1, "g's descender below the line");
        }
    }

    [Fact]
    public void Drawn_text_is_blended_inside_its_box_with_intermediate_shades()
    {
        var canvas = new Canvas(200, 40);
        canvas.Fill(new Rect(0, 0, 200, 40), 0xFFFFFF);
        int end = Body.DrawLine(canvas, "Hello, world", 10, 5, 0x000000);
        Assert.Equal(10 + Body.Measure("Hello, world"), end);
        int ink = 0, partial = 0;
        for (int y = 0; y < 40; y++)
        {
            for (int x = 0; x < 200; x++)
            {
                uint pixel = canvas[x, y];
                if (pixel == 0xFFFFFF)
                    continue;
                Assert.InRange(x, 9, end + 1);
                Assert.InRange(y, 5, 5 + Body.LineHeight);
                ink++;
                // Grey: the three channels equal (black blended onto white).
                Assert.Equal(pixel & 0xFF, pixel >> 16);
                if (pixel != 0)
                    partial++;
            }
        }
        Assert.True(ink > 100, $"{ink} pixels of ink");
        Assert.True(partial > ink / 4, $"{partial} of {ink} pixels partly covered: not anti-aliased?");
    }

    [Fact]
    public void Drawing_stays_inside_the_clip()
    {
        var canvas = new Canvas(100, 100);
        canvas.PushClip(new Rect(10, 10, 20, 20));
        canvas.Fill(new Rect(0, 0, 100, 100), 0xFF0000);
        canvas.Line(0, 0, 99, 99, 0x00FF00);
        Body.DrawLine(canvas, "WWWWWWWW", 0, 12, 0x0000FF);
        canvas.Restore();
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++)
                if (!new Rect(10, 10, 20, 20).Contains(x, y))
                    Assert.Equal(0u, canvas[x, y]);
        Assert.Equal(0x00FF00u, canvas[15, 15]);
        Assert.Equal(0xFF0000u, canvas[29, 10]);
    }

    [Fact]
    public void Blending_is_exact_at_the_ends_and_halfway_between()
    {
        Assert.Equal(0x123456u, Colour.Blend(0x123456, 0xABCDEF, 0));
        Assert.Equal(0xABCDEFu, Colour.Blend(0x123456, 0xABCDEF, 255));
        Assert.Equal(0x808080u, Colour.Blend(0x000000, 0xFFFFFF, 128));
    }

    [Fact]
    public void Damage_merges_overlaps_and_caps_the_count()
    {
        var damage = new DamageList();
        var window = new Rect(0, 0, 1000, 1000);
        damage.Add(new Rect(0, 0, 10, 10), window);
        damage.Add(new Rect(5, 5, 10, 10), window);
        Assert.Equal([new Rect(0, 0, 15, 15)], damage.Rectangles);
        damage.Add(new Rect(990, 990, 50, 50), window);
        Assert.Equal(new Rect(990, 990, 10, 10), damage.Rectangles[^1]);
        for (int i = 0; i < DamageList.MaximumRectangles; i++)
            damage.Add(new Rect(20 + i * 30, 500, 10, 10), window);
        Assert.Single(damage.Rectangles);
        Assert.Equal(new Rect(0, 0, 1000, 1000), damage.Rectangles[0]);
    }
}
