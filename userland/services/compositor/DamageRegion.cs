namespace Exo.Compositor.Scene
{
    /// <summary>
    /// The screen's parts to compose again before the next copy to the framebuffer: up to <see cref="Capacity"/>
    /// rectangles, clipped to the screen. A rectangle that overlaps one already held is merged into it (their union);
    /// when all slots are taken, everything becomes one bounding rectangle (more pixels composed, never fewer).
    /// </summary>
    public unsafe struct DamageRegion
    {
        public const int Capacity = 16;

        private fixed int _rectangles[Capacity * 4];
        private int _count;
        private Rectangle _screen;

        public DamageRegion(int screenWidth, int screenHeight)
        {
            _count = 0;
            _screen = new Rectangle(0, 0, screenWidth, screenHeight);
        }

        public int Count => _count;
        public bool IsEmpty => _count == 0;

        public Rectangle this[int index]
            => new Rectangle(_rectangles[index * 4], _rectangles[index * 4 + 1], _rectangles[index * 4 + 2], _rectangles[index * 4 + 3]);

        public void Resize(int screenWidth, int screenHeight)
        {
            _screen = new Rectangle(0, 0, screenWidth, screenHeight);
            _count = 0;
        }

        public void Clear() => _count = 0;

        public void Add(Rectangle rectangle)
        {
            rectangle = rectangle.Intersect(_screen);
            if (rectangle.IsEmpty)
                return;
            // Merging can make the union overlap others: repeat until it overlaps none.
            bool merged = true;
            while (merged)
            {
                merged = false;
                for (int i = 0; i < _count; i++)
                {
                    Rectangle held = this[i];
                    if (held.Contains(rectangle))
                        return;
                    if (held.Overlaps(rectangle))
                    {
                        rectangle = rectangle.Union(held);
                        RemoveAt(i);
                        merged = true;
                        break;
                    }
                }
            }
            if (_count == Capacity)
            {
                for (int i = 0; i < _count; i++)
                    rectangle = rectangle.Union(this[i]);
                _count = 0;
            }
            Set(_count++, rectangle);
        }

        /// <summary>The sum of the held rectangles' areas (they never overlap).</summary>
        public long Area
        {
            get
            {
                long area = 0;
                for (int i = 0; i < _count; i++)
                    area += this[i].Area;
                return area;
            }
        }

        private void RemoveAt(int index)
        {
            _count--;
            if (index != _count)
                Set(index, this[_count]);
        }

        private void Set(int index, Rectangle rectangle)
        {
            _rectangles[index * 4] = rectangle.X;
            _rectangles[index * 4 + 1] = rectangle.Y;
            _rectangles[index * 4 + 2] = rectangle.Width;
            _rectangles[index * 4 + 3] = rectangle.Height;
        }
    }
}
