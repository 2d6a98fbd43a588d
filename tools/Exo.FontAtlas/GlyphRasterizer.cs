namespace Exo.FontAtlas;

/// <summary>A glyph's coverage: Width x Height alpha bytes; Left and Top place the box against the pen and the baseline.</summary>
public sealed record GlyphBitmap(int Width, int Height, int Left, int Top, byte[] Alpha)
{
    public byte this[int x, int y] => Alpha[y * Width + x];
}

/// <summary>
/// Turns an outline into anti-aliased coverage: the contours scaled to pixels (y flipped: rows grow downwards), the
/// quadratic Béziers flattened into lines (FlatteningSteps per curve, fine enough below 1/8 pixel at these sizes), then
/// each pixel row sampled on SubScanlines horizontal lines; on each, the crossings of the edges are sorted and the spans
/// where the non-zero winding rule says "inside" are added with their exact horizontal extent. Coverage is the average
/// over the sub-scanlines, stored as 8-bit alpha.
/// </summary>
public static class GlyphRasterizer
{
    public const int SubScanlines = 16;
    private const int FlatteningSteps = 8;
    /// <summary>A glyph bigger than this (pixels a side) is refused: it would be a broken font or a huge size.</summary>
    public const int MaximumSide = 512;

    private readonly record struct Edge(double X0, double Y0, double X1, double Y1, int Winding);

    public static GlyphBitmap Rasterize(GlyphOutline outline, double scale)
    {
        var edges = new List<Edge>();
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var contour in outline.Contours)
        {
            foreach (var (x0, y0, x1, y1) in Flatten(contour, scale))
            {
                minX = Math.Min(minX, Math.Min(x0, x1));
                maxX = Math.Max(maxX, Math.Max(x0, x1));
                minY = Math.Min(minY, Math.Min(y0, y1));
                maxY = Math.Max(maxY, Math.Max(y0, y1));
                if (y0 != y1)
                    edges.Add(y0 < y1 ? new Edge(x0, y0, x1, y1, 1) : new Edge(x1, y1, x0, y0, -1));
            }
        }
        if (edges.Count == 0)
            return new GlyphBitmap(0, 0, 0, 0, []);

        int left = (int)Math.Floor(minX), right = (int)Math.Ceiling(maxX);
        int top = (int)Math.Floor(minY), bottom = (int)Math.Ceiling(maxY);
        int width = right - left, height = bottom - top;
        if (width <= 0 || height <= 0 || width > MaximumSide || height > MaximumSide)
            throw new FontFormatException($"a glyph of {width}x{height} pixels (at most {MaximumSide} a side)");

        var coverage = new double[width * height];
        var crossings = new List<(double X, int Winding)>();
        for (int row = 0; row < height; row++)
        {
            for (int sub = 0; sub < SubScanlines; sub++)
            {
                double y = top + row + (sub + 0.5) / SubScanlines;
                crossings.Clear();
                foreach (var edge in edges)
                {
                    // Half-open in y, so a vertex shared by two edges counts once.
                    if (y < edge.Y0 || y >= edge.Y1)
                        continue;
                    double t = (y - edge.Y0) / (edge.Y1 - edge.Y0);
                    crossings.Add((edge.X0 + t * (edge.X1 - edge.X0) - left, edge.Winding));
                }
                crossings.Sort((p, q) => p.X.CompareTo(q.X));
                int winding = 0;
                for (int i = 0; i < crossings.Count - 1; i++)
                {
                    winding += crossings[i].Winding;
                    if (winding != 0)
                        AddSpan(coverage, row * width, width, crossings[i].X, crossings[i + 1].X);
                }
            }
        }

        var alpha = new byte[width * height];
        for (int i = 0; i < alpha.Length; i++)
            alpha[i] = (byte)Math.Clamp(Math.Round(coverage[i] / SubScanlines * 255), 0, 255);
        // The box's top edge in pixels above the baseline: rows grow downwards from -maxY (font y up).
        return new GlyphBitmap(width, height, left, -top, alpha);
    }

    /// <summary>Adds the span [from, to) of one sub-scanline to its row: whole pixels fully, the end pixels by their part.</summary>
    private static void AddSpan(double[] coverage, int rowStart, int width, double from, double to)
    {
        from = Math.Max(from, 0);
        to = Math.Min(to, width);
        if (to <= from)
            return;
        int first = (int)from, last = (int)Math.Ceiling(to) - 1;
        if (first == last)
        {
            coverage[rowStart + first] += to - from;
            return;
        }
        coverage[rowStart + first] += first + 1 - from;
        for (int x = first + 1; x < last; x++)
            coverage[rowStart + x] += 1;
        coverage[rowStart + last] += to - last;
    }

    /// <summary>
    /// A contour's lines in pixels (y down): on-curve points joined by lines; an off-curve point is a quadratic Bézier's
    /// control point, two in a row imply an on-curve point halfway between them (TrueType's rule).
    /// </summary>
    public static IEnumerable<(double X0, double Y0, double X1, double Y1)> Flatten(OutlinePoint[] contour, double scale)
    {
        int count = contour.Length;
        // Start on an on-curve point (or halfway between the last and the first when every point is off the curve).
        int start = Array.FindIndex(contour, p => p.OnCurve);
        (double X, double Y) startPoint;
        if (start < 0)
        {
            startPoint = Midpoint(contour[count - 1], contour[0]);
            start = count - 1;
        }
        else
        {
            startPoint = (contour[start].X, contour[start].Y);
        }
        var current = startPoint;
        (double X, double Y)? control = null;
        var lines = new List<(double, double, double, double)>();
        for (int step = 1; step <= count; step++)
        {
            var point = contour[(start + step) % count];
            if (point.OnCurve)
            {
                var target = (point.X, point.Y);
                AddSegment(lines, current, control, target, scale);
                current = target;
                control = null;
            }
            else if (control is { } previousControl)
            {
                var implied = ((previousControl.X + point.X) / 2, (previousControl.Y + point.Y) / 2);
                AddSegment(lines, current, previousControl, implied, scale);
                current = implied;
                control = (point.X, point.Y);
            }
            else
            {
                control = (point.X, point.Y);
            }
        }
        AddSegment(lines, current, control, startPoint, scale);
        return lines;
    }

    private static (double X, double Y) Midpoint(OutlinePoint p, OutlinePoint q) => ((p.X + q.X) / 2, (p.Y + q.Y) / 2);

    private static void AddSegment(List<(double, double, double, double)> lines, (double X, double Y) from, (double X, double Y)? control,
        (double X, double Y) to, double scale)
    {
        if (control is not { } c)
        {
            lines.Add((from.X * scale, -from.Y * scale, to.X * scale, -to.Y * scale));
            return;
        }
        double previousX = from.X, previousY = from.Y;
        for (int i = 1; i <= FlatteningSteps; i++)
        {
            double t = (double)i / FlatteningSteps, u = 1 - t;
            double x = u * u * from.X + 2 * u * t * c.X + t * t * to.X;
            double y = u * u * from.Y + 2 * u * t * c.Y + t * t * to.Y;
            lines.Add((previousX * scale, -previousY * scale, x * scale, -y * scale));
            previousX = x;
            previousY = y;
        }
    }
}
