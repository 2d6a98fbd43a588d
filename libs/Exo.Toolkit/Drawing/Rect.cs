namespace Exo.Toolkit.Drawing;

/// <summary>A rectangle of pixels: X, Y its top-left corner, Width and Height (empty when either is 0 or less).</summary>
public readonly record struct Rect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public bool IsEmpty => Width <= 0 || Height <= 0;

    public bool Contains(int x, int y) => x >= X && y >= Y && x < Right && y < Bottom;

    public Rect Intersect(Rect other)
    {
        int left = Math.Max(X, other.X), top = Math.Max(Y, other.Y);
        int right = Math.Min(Right, other.Right), bottom = Math.Min(Bottom, other.Bottom);
        return right > left && bottom > top ? new Rect(left, top, right - left, bottom - top) : default;
    }

    public bool Intersects(Rect other) => !Intersect(other).IsEmpty;

    public Rect Union(Rect other)
    {
        if (IsEmpty)
            return other;
        if (other.IsEmpty)
            return this;
        int left = Math.Min(X, other.X), top = Math.Min(Y, other.Y);
        return new Rect(left, top, Math.Max(Right, other.Right) - left, Math.Max(Bottom, other.Bottom) - top);
    }

    public Rect Inflate(int by) => new(X - by, Y - by, Width + 2 * by, Height + 2 * by);
    public Rect Offset(int dx, int dy) => new(X + dx, Y + dy, Width, Height);
}
