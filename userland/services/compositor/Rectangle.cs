namespace Exo.Compositor.Scene
{
    /// <summary>A rectangle of pixels: left, top, width, height (empty when either size is 0 or less).</summary>
    public struct Rectangle
    {
        public int X, Y, Width, Height;

        public Rectangle(int x, int y, int width, int height) { X = x; Y = y; Width = width; Height = height; }

        public bool IsEmpty => Width <= 0 || Height <= 0;
        public int Right => X + Width;
        public int Bottom => Y + Height;

        public bool Contains(int x, int y) => !IsEmpty && x >= X && y >= Y && x < Right && y < Bottom;

        /// <summary>True when 'inner' lies wholly inside this rectangle (an empty one anywhere counts as inside).</summary>
        public bool Contains(Rectangle inner)
            => inner.IsEmpty || (inner.X >= X && inner.Y >= Y && (long)inner.X + inner.Width <= Right && (long)inner.Y + inner.Height <= Bottom);

        public bool Overlaps(Rectangle other)
            => !IsEmpty && !other.IsEmpty && other.X < Right && X < other.Right && other.Y < Bottom && Y < other.Bottom;

        /// <summary>The common part (empty when they do not overlap).</summary>
        public Rectangle Intersect(Rectangle other)
        {
            int left = X > other.X ? X : other.X, top = Y > other.Y ? Y : other.Y;
            int right = Right < other.Right ? Right : other.Right, bottom = Bottom < other.Bottom ? Bottom : other.Bottom;
            return right <= left || bottom <= top ? default : new Rectangle(left, top, right - left, bottom - top);
        }

        /// <summary>The smallest rectangle holding both (an empty one adds nothing).</summary>
        public Rectangle Union(Rectangle other)
        {
            if (IsEmpty)
                return other;
            if (other.IsEmpty)
                return this;
            int left = X < other.X ? X : other.X, top = Y < other.Y ? Y : other.Y;
            int right = Right > other.Right ? Right : other.Right, bottom = Bottom > other.Bottom ? Bottom : other.Bottom;
            return new Rectangle(left, top, right - left, bottom - top);
        }

        public Rectangle Offset(int dx, int dy) => new Rectangle(X + dx, Y + dy, Width, Height);

        public long Area => IsEmpty ? 0 : (long)Width * Height;
    }
}
