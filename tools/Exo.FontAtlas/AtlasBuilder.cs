using System.Buffers.Binary;
using System.Text;
using Exo.Toolkit.Text;

namespace Exo.FontAtlas;

/// <summary>
/// Renders the characters of a font at one pixel size and packs them into an atlas (GlyphAtlasFormat): glyphs placed
/// left to right in shelves of the tallest glyph's height, one pixel apart, in a plane PlaneWidth wide.
/// </summary>
public static class AtlasBuilder
{
    public const int PlaneWidth = 512;
    private const int GlyphSpacing = 1;

    /// <summary>Printable ASCII and Latin-1 (U+0020..U+007E, U+00A0..U+00FF).</summary>
    public static IEnumerable<int> DefaultCharacters =>
        Enumerable.Range(0x20, 0x7F - 0x20).Concat(Enumerable.Range(0xA0, 0x100 - 0xA0));

    public sealed record RenderedGlyph(int CodePoint, GlyphBitmap Bitmap, int Advance);

    public static List<RenderedGlyph> Render(TrueTypeFont font, int pixelSize, IEnumerable<int> characters)
    {
        double scale = (double)pixelSize / font.UnitsPerEm;
        var glyphs = new List<RenderedGlyph>();
        foreach (int character in characters)
        {
            if (!font.HasGlyph(character))
                continue;
            int glyph = font.GlyphIndex(character);
            var bitmap = GlyphRasterizer.Rasterize(font.Outline(glyph), scale);
            int advance = (int)Math.Round(font.AdvanceWidth(glyph) * scale * GlyphAtlasFormat.AdvanceScale);
            glyphs.Add(new RenderedGlyph(character, bitmap, advance));
        }
        return glyphs;
    }

    public static byte[] Build(TrueTypeFont font, string family, int pixelSize, IEnumerable<int> characters)
    {
        if (pixelSize is < 4 or > 256)
            throw new ArgumentOutOfRangeException(nameof(pixelSize), pixelSize, "pixel sizes from 4 to 256");
        var glyphs = Render(font, pixelSize, characters);
        if (glyphs.Count > GlyphAtlasFormat.MaximumGlyphs)
            throw new InvalidOperationException($"{glyphs.Count} glyphs: at most {GlyphAtlasFormat.MaximumGlyphs}");

        // Shelf packing.
        var places = new (int X, int Y)[glyphs.Count];
        int x = 0, y = 0, shelf = 0;
        for (int i = 0; i < glyphs.Count; i++)
        {
            var bitmap = glyphs[i].Bitmap;
            if (x + bitmap.Width > PlaneWidth)
            {
                x = 0;
                y += shelf + GlyphSpacing;
                shelf = 0;
            }
            places[i] = (x, y);
            x += bitmap.Width + GlyphSpacing;
            shelf = Math.Max(shelf, bitmap.Height);
        }
        int planeHeight = y + shelf;
        if (planeHeight > GlyphAtlasFormat.MaximumPlaneSide)
            throw new InvalidOperationException($"the atlas would be {planeHeight} pixels high");

        double scale = (double)pixelSize / font.UnitsPerEm;
        int ascent = (int)Math.Ceiling(font.Ascender * scale);
        int descent = (int)Math.Ceiling(-font.Descender * scale);
        int lineGap = (int)Math.Round(Math.Max(0, font.LineGap) * scale);
        int glyphTable = GlyphAtlasFormat.HeaderBytes;
        int plane = glyphTable + glyphs.Count * GlyphAtlasFormat.GlyphBytes;
        var file = new byte[plane + PlaneWidth * planeHeight];
        var span = file.AsSpan();

        BinaryPrimitives.WriteUInt32LittleEndian(span[GlyphAtlasFormat.MagicOffset..], GlyphAtlasFormat.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[GlyphAtlasFormat.VersionOffset..], GlyphAtlasFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[GlyphAtlasFormat.HeaderBytesOffset..], GlyphAtlasFormat.HeaderBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(span[GlyphAtlasFormat.PixelSizeOffset..], (ushort)pixelSize);
        BinaryPrimitives.WriteInt16LittleEndian(span[GlyphAtlasFormat.AscentOffset..], (short)ascent);
        BinaryPrimitives.WriteInt16LittleEndian(span[GlyphAtlasFormat.DescentOffset..], (short)descent);
        BinaryPrimitives.WriteInt16LittleEndian(span[GlyphAtlasFormat.LineGapOffset..], (short)lineGap);
        BinaryPrimitives.WriteInt16LittleEndian(span[GlyphAtlasFormat.LineHeightOffset..], (short)(ascent + descent + lineGap));
        BinaryPrimitives.WriteUInt16LittleEndian(span[GlyphAtlasFormat.GlyphCountOffset..], (ushort)glyphs.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[GlyphAtlasFormat.PlaneWidthOffset..], PlaneWidth);
        BinaryPrimitives.WriteUInt32LittleEndian(span[GlyphAtlasFormat.PlaneHeightOffset..], (uint)planeHeight);
        BinaryPrimitives.WriteUInt32LittleEndian(span[GlyphAtlasFormat.GlyphTableOffset..], (uint)glyphTable);
        BinaryPrimitives.WriteUInt32LittleEndian(span[GlyphAtlasFormat.PlaneOffset..], (uint)plane);
        byte[] name = Encoding.ASCII.GetBytes(family);
        name.AsSpan(0, Math.Min(name.Length, GlyphAtlasFormat.NameBytes)).CopyTo(span[GlyphAtlasFormat.NameOffset..]);

        for (int i = 0; i < glyphs.Count; i++)
        {
            var (codePoint, bitmap, advance) = glyphs[i];
            var record = span.Slice(glyphTable + i * GlyphAtlasFormat.GlyphBytes, GlyphAtlasFormat.GlyphBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(record[GlyphAtlasFormat.CodePointField..], (uint)codePoint);
            BinaryPrimitives.WriteUInt16LittleEndian(record[GlyphAtlasFormat.XField..], (ushort)places[i].X);
            BinaryPrimitives.WriteUInt16LittleEndian(record[GlyphAtlasFormat.YField..], (ushort)places[i].Y);
            BinaryPrimitives.WriteUInt16LittleEndian(record[GlyphAtlasFormat.WidthField..], (ushort)bitmap.Width);
            BinaryPrimitives.WriteUInt16LittleEndian(record[GlyphAtlasFormat.HeightField..], (ushort)bitmap.Height);
            BinaryPrimitives.WriteInt16LittleEndian(record[GlyphAtlasFormat.LeftField..], (short)bitmap.Left);
            BinaryPrimitives.WriteInt16LittleEndian(record[GlyphAtlasFormat.TopField..], (short)bitmap.Top);
            BinaryPrimitives.WriteInt32LittleEndian(record[GlyphAtlasFormat.AdvanceField..], advance);
            for (int row = 0; row < bitmap.Height; row++)
                bitmap.Alpha.AsSpan(row * bitmap.Width, bitmap.Width).CopyTo(span[(plane + (places[i].Y + row) * PlaneWidth + places[i].X)..]);
        }
        return file;
    }
}
