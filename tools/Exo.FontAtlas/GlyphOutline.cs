namespace Exo.FontAtlas;

/// <summary>One point of a TrueType contour in font units: on the curve, or the control point of a quadratic Bézier.</summary>
public readonly record struct OutlinePoint(double X, double Y, bool OnCurve);

/// <summary>A glyph's closed contours in font units (composite glyphs already flattened into their components' contours).</summary>
public sealed class GlyphOutline
{
    public List<OutlinePoint[]> Contours { get; } = [];
    public bool IsEmpty => Contours.Count == 0;
}
