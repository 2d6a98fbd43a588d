namespace Exo.Toolkit.Text;

/// <summary>
/// The glyph atlas file (tools/Exo.FontAtlas writes it, GlyphAtlas reads it; docs/desktop.md, "Fonts"). Little-endian.
/// Header (HeaderBytes): Magic, Version, HeaderBytes, the pixel size (the em in pixels), ascent (pixels above the
/// baseline), descent (pixels below it, positive), line gap, line height (ascent + descent + gap), glyph count, the
/// alpha plane's width and height, the glyph table's offset, the alpha plane's offset, the family's name (NameBytes of
/// ASCII, zero padded).
/// Glyph records (GlyphBytes each, sorted by code point): code point, the box in the alpha plane (x, y, width, height),
/// left (pixels from the pen to the box's left edge), top (pixels from the baseline up to the box's top edge), the
/// advance in 1/64 pixel.
/// The alpha plane: width x height bytes, one 8-bit coverage a pixel (0 empty, 255 covered), rows top to bottom.
/// </summary>
public static class GlyphAtlasFormat
{
    public const uint Magic = 0x4C544158; // "XATL"
    public const ushort Version = 1;
    public const int HeaderBytes = 64;
    public const int NameBytes = 24;
    public const int GlyphBytes = 20;
    /// <summary>The advance's fixed point: 1/64 pixel, as FreeType's 26.6.</summary>
    public const int AdvanceScale = 64;
    public const int MaximumGlyphs = 4096;
    public const int MaximumPlaneSide = 4096;

    // Header field offsets.
    public const int MagicOffset = 0, VersionOffset = 4, HeaderBytesOffset = 6, PixelSizeOffset = 8, AscentOffset = 10,
        DescentOffset = 12, LineGapOffset = 14, LineHeightOffset = 16, GlyphCountOffset = 18, PlaneWidthOffset = 20,
        PlaneHeightOffset = 24, GlyphTableOffset = 28, PlaneOffset = 32, NameOffset = 40;

    // Glyph record field offsets.
    public const int CodePointField = 0, XField = 4, YField = 6, WidthField = 8, HeightField = 10, LeftField = 12,
        TopField = 14, AdvanceField = 16;
}
