namespace Exo.Toolkit.Drawing;

/// <summary>
/// Drawing into a window's pixels (Width x Height, 0x00RRGGBB, rows Width apart): rectangles, lines, blits and
/// alpha-blended coverage (glyphs), each clipped to Clip. Widgets draw in window coordinates; PushClip narrows the clip
/// (a scroll view's viewport, a damaged rectangle) and Translate shifts what follows (a scroll view's content).
/// </summary>
public sealed class Canvas
{
    private readonly Stack<(Rect Clip, int X, int Y)> _saved = new();

    public uint[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }
    public Rect Clip { get; private set; }
    /// <summary>Added to every coordinate drawn (Translate).</summary>
    public int OriginX { get; private set; }
    public int OriginY { get; private set; }

    public Canvas(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"a canvas of {width}x{height}");
        Width = width;
        Height = height;
        Pixels = new uint[width * height];
        Clip = new Rect(0, 0, width, height);
    }

    public uint this[int x, int y] => Pixels[y * Width + x];

    /// <summary>Narrows the clip to 'rectangle' (in the current coordinates) until the matching Restore.</summary>
    public void PushClip(Rect rectangle)
    {
        _saved.Push((Clip, OriginX, OriginY));
        Clip = Clip.Intersect(rectangle.Offset(OriginX, OriginY));
    }

    public void Translate(int dx, int dy)
    {
        OriginX += dx;
        OriginY += dy;
    }

    public void Restore() => (Clip, OriginX, OriginY) = _saved.Pop();

    public void Fill(Rect rectangle, uint colour)
    {
        var area = rectangle.Offset(OriginX, OriginY).Intersect(Clip);
        for (int y = area.Y; y < area.Bottom; y++)
            Pixels.AsSpan(y * Width + area.X, area.Width).Fill(colour);
    }

    /// <summary>The rectangle's outline, 'thickness' pixels inside it.</summary>
    public void Outline(Rect rectangle, uint colour, int thickness = 1)
    {
        Fill(new Rect(rectangle.X, rectangle.Y, rectangle.Width, thickness), colour);
        Fill(new Rect(rectangle.X, rectangle.Bottom - thickness, rectangle.Width, thickness), colour);
        Fill(new Rect(rectangle.X, rectangle.Y + thickness, thickness, rectangle.Height - 2 * thickness), colour);
        Fill(new Rect(rectangle.Right - thickness, rectangle.Y + thickness, thickness, rectangle.Height - 2 * thickness), colour);
    }

    public void Plot(int x, int y, uint colour)
    {
        x += OriginX;
        y += OriginY;
        if (Clip.Contains(x, y))
            Pixels[y * Width + x] = colour;
    }

    /// <summary>A one-pixel line from (x0, y0) to (x1, y1), both ends drawn (Bresenham).</summary>
    public void Line(int x0, int y0, int x1, int y1, uint colour)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int stepX = x0 < x1 ? 1 : -1, stepY = y0 < y1 ? 1 : -1, error = dx + dy;
        while (true)
        {
            Plot(x0, y0, colour);
            if (x0 == x1 && y0 == y1)
                return;
            int doubled = 2 * error;
            if (doubled >= dy)
            {
                error += dy;
                x0 += stepX;
            }
            if (doubled <= dx)
            {
                error += dx;
                y0 += stepY;
            }
        }
    }

    /// <summary>Copies 'source' (sourceWidth pixels a row) to (x, y).</summary>
    public void Blit(ReadOnlySpan<uint> source, int sourceWidth, int sourceHeight, int x, int y)
    {
        var target = new Rect(x + OriginX, y + OriginY, sourceWidth, sourceHeight);
        var area = target.Intersect(Clip);
        for (int row = area.Y; row < area.Bottom; row++)
            source.Slice((row - target.Y) * sourceWidth + area.X - target.X, area.Width).CopyTo(Pixels.AsSpan(row * Width + area.X, area.Width));
    }

    /// <summary>
    /// Blends 'colour' through the coverage of 'alpha' (a plane planeWidth bytes a row; the box 'source' of it) with
    /// its top-left corner at (x, y): a glyph.
    /// </summary>
    public void BlendCoverage(ReadOnlySpan<byte> alpha, int planeWidth, Rect source, int x, int y, uint colour)
    {
        var target = new Rect(x + OriginX, y + OriginY, source.Width, source.Height);
        var area = target.Intersect(Clip);
        for (int row = area.Y; row < area.Bottom; row++)
        {
            int sourceRow = (source.Y + row - target.Y) * planeWidth + source.X - target.X;
            int targetRow = row * Width;
            for (int column = area.X; column < area.Right; column++)
            {
                int coverage = alpha[sourceRow + column];
                if (coverage != 0)
                    Pixels[targetRow + column] = Colour.Blend(Pixels[targetRow + column], colour, coverage);
            }
        }
    }
}
