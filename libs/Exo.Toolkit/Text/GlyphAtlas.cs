using System.Buffers.Binary;
using Exo.Toolkit.Drawing;

namespace Exo.Toolkit.Text;

/// <summary>One glyph of an atlas: its box in the alpha plane, where it sits against the pen and the baseline, its advance.</summary>
public readonly record struct Glyph(int X, int Y, int Width, int Height, int Left, int Top, int Advance);

/// <summary>A file that is not a glyph atlas this toolkit reads.</summary>
public sealed class GlyphAtlasException(string message) : Exception(message);

/// <summary>
/// A font at one pixel size, read from an atlas file (GlyphAtlasFormat; every field checked). Measures and draws text:
/// the pen starts at x, glyphs are placed at the pen rounded to a pixel, the pen moves by the advance (1/64 pixels,
/// kept exact across a string). A character without a glyph is drawn as '?'.
/// </summary>
public sealed class GlyphAtlas
{
    private const char Replacement = '?';
    private readonly Dictionary<int, Glyph> _glyphs = [];
    private readonly byte[] _plane;

    public string Name { get; }
    public int PixelSize { get; }
    public int Ascent { get; }
    public int Descent { get; }
    public int LineHeight { get; }
    public int PlaneWidth { get; }
    public int PlaneHeight { get; }
    public ReadOnlySpan<byte> Plane => _plane;
    public int GlyphCount => _glyphs.Count;

    private GlyphAtlas(byte[] data)
    {
        var span = data.AsSpan();
        if (data.Length < GlyphAtlasFormat.HeaderBytes)
            throw new GlyphAtlasException($"{data.Length} bytes: shorter than the header ({GlyphAtlasFormat.HeaderBytes})");
        if (BinaryPrimitives.ReadUInt32LittleEndian(span) != GlyphAtlasFormat.Magic)
            throw new GlyphAtlasException("not a glyph atlas (wrong magic)");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(span[GlyphAtlasFormat.VersionOffset..]);
        if (version != GlyphAtlasFormat.Version)
            throw new GlyphAtlasException($"atlas version {version} (this toolkit reads {GlyphAtlasFormat.Version})");
        PixelSize = BinaryPrimitives.ReadUInt16LittleEndian(span[GlyphAtlasFormat.PixelSizeOffset..]);
        Ascent = BinaryPrimitives.ReadInt16LittleEndian(span[GlyphAtlasFormat.AscentOffset..]);
        Descent = BinaryPrimitives.ReadInt16LittleEndian(span[GlyphAtlasFormat.DescentOffset..]);
        LineHeight = BinaryPrimitives.ReadInt16LittleEndian(span[GlyphAtlasFormat.LineHeightOffset..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(span[GlyphAtlasFormat.GlyphCountOffset..]);
        uint planeWidth = BinaryPrimitives.ReadUInt32LittleEndian(span[GlyphAtlasFormat.PlaneWidthOffset..]);
        uint planeHeight = BinaryPrimitives.ReadUInt32LittleEndian(span[GlyphAtlasFormat.PlaneHeightOffset..]);
        uint table = BinaryPrimitives.ReadUInt32LittleEndian(span[GlyphAtlasFormat.GlyphTableOffset..]);
        uint plane = BinaryPrimitives.ReadUInt32LittleEndian(span[GlyphAtlasFormat.PlaneOffset..]);
        if (PixelSize == 0 || Ascent <= 0 || Descent < 0 || LineHeight < Ascent + Descent)
            throw new GlyphAtlasException($"bad metrics (size {PixelSize}, ascent {Ascent}, descent {Descent}, line {LineHeight})");
        if (count > GlyphAtlasFormat.MaximumGlyphs || planeWidth > GlyphAtlasFormat.MaximumPlaneSide || planeHeight > GlyphAtlasFormat.MaximumPlaneSide)
            throw new GlyphAtlasException($"{count} glyphs in a {planeWidth}x{planeHeight} plane: too big");
        if (table < GlyphAtlasFormat.HeaderBytes || table + (ulong)count * GlyphAtlasFormat.GlyphBytes > (ulong)data.Length
            || plane + (ulong)planeWidth * planeHeight > (ulong)data.Length)
            throw new GlyphAtlasException($"the glyph table or the plane runs past the file's end ({data.Length} bytes): truncated");
        PlaneWidth = (int)planeWidth;
        PlaneHeight = (int)planeHeight;
        _plane = span.Slice((int)plane, PlaneWidth * PlaneHeight).ToArray();
        Name = System.Text.Encoding.ASCII.GetString(span.Slice(GlyphAtlasFormat.NameOffset, GlyphAtlasFormat.NameBytes)).TrimEnd('\0');
        for (int i = 0; i < count; i++)
        {
            var record = span.Slice((int)table + i * GlyphAtlasFormat.GlyphBytes, GlyphAtlasFormat.GlyphBytes);
            var glyph = new Glyph(
                BinaryPrimitives.ReadUInt16LittleEndian(record[GlyphAtlasFormat.XField..]),
                BinaryPrimitives.ReadUInt16LittleEndian(record[GlyphAtlasFormat.YField..]),
                BinaryPrimitives.ReadUInt16LittleEndian(record[GlyphAtlasFormat.WidthField..]),
                BinaryPrimitives.ReadUInt16LittleEndian(record[GlyphAtlasFormat.HeightField..]),
                BinaryPrimitives.ReadInt16LittleEndian(record[GlyphAtlasFormat.LeftField..]),
                BinaryPrimitives.ReadInt16LittleEndian(record[GlyphAtlasFormat.TopField..]),
                BinaryPrimitives.ReadInt32LittleEndian(record[GlyphAtlasFormat.AdvanceField..]));
            if (glyph.X + glyph.Width > PlaneWidth || glyph.Y + glyph.Height > PlaneHeight || glyph.Advance < 0)
                throw new GlyphAtlasException($"glyph {i} lies outside the plane");
            _glyphs[(int)BinaryPrimitives.ReadUInt32LittleEndian(record[GlyphAtlasFormat.CodePointField..])] = glyph;
        }
    }

    public static GlyphAtlas Load(byte[] data) => new(data);

    public static GlyphAtlas LoadFile(string path)
    {
        try
        {
            return new GlyphAtlas(File.ReadAllBytes(path));
        }
        catch (GlyphAtlasException problem)
        {
            throw new GlyphAtlasException($"{path}: {problem.Message}");
        }
    }

    public bool TryGetGlyph(int character, out Glyph glyph) => _glyphs.TryGetValue(character, out glyph);

    public Glyph GlyphFor(char character)
        => _glyphs.TryGetValue(character, out var glyph) ? glyph : _glyphs.GetValueOrDefault(Replacement);

    /// <summary>The width of 'text' in pixels (the pen's travel, rounded up).</summary>
    public int Measure(ReadOnlySpan<char> text) => (AdvanceOf(text) + GlyphAtlasFormat.AdvanceScale - 1) / GlyphAtlasFormat.AdvanceScale;

    /// <summary>The pen's travel over 'text' in 1/64 pixels.</summary>
    public int AdvanceOf(ReadOnlySpan<char> text)
    {
        int advance = 0;
        foreach (char character in text)
            advance += GlyphFor(character).Advance;
        return advance;
    }

    /// <summary>How many leading characters of 'text' fit before pixel x (the nearest glyph boundary): a click's caret.</summary>
    public int IndexAt(ReadOnlySpan<char> text, int x)
    {
        int pen = 0, target = x * GlyphAtlasFormat.AdvanceScale;
        for (int i = 0; i < text.Length; i++)
        {
            int advance = GlyphFor(text[i]).Advance;
            if (pen + advance / 2 > target)
                return i;
            pen += advance;
        }
        return text.Length;
    }

    /// <summary>Draws 'text' with the pen starting at x on the baseline at 'baseline'; returns the pen's x after it.</summary>
    public int Draw(Canvas canvas, ReadOnlySpan<char> text, int x, int baseline, uint colour)
    {
        int pen = x * GlyphAtlasFormat.AdvanceScale;
        foreach (char character in text)
        {
            var glyph = GlyphFor(character);
            int left = (pen + GlyphAtlasFormat.AdvanceScale / 2) / GlyphAtlasFormat.AdvanceScale + glyph.Left;
            if (glyph.Width > 0)
                canvas.BlendCoverage(_plane, PlaneWidth, new Rect(glyph.X, glyph.Y, glyph.Width, glyph.Height), left, baseline - glyph.Top, colour);
            pen += glyph.Advance;
        }
        return (pen + GlyphAtlasFormat.AdvanceScale - 1) / GlyphAtlasFormat.AdvanceScale;
    }

    /// <summary>Draws 'text' in a line box starting at 'top' (the baseline at top + Ascent).</summary>
    public int DrawLine(Canvas canvas, ReadOnlySpan<char> text, int x, int top, uint colour) => Draw(canvas, text, x, top + Ascent, colour);
}
