using Exo.Protocols.Display;

namespace DisplayDemo
{
    /// <summary>
    /// What the test client draws, for the screenshot tests to find: the screen in four coloured quadrants (red top left,
    /// green top right, blue bottom left, white bottom right) and a square box around the pointer, yellow, magenta after an
    /// odd number of left clicks. Pixels are 32-bit words 0x00RRGGBB (bytes B, G, R, unused).
    /// </summary>
    internal unsafe struct Pattern
    {
        public const uint Red = 0xFF0000, Green = 0x00FF00, Blue = 0x0000FF, White = 0xFFFFFF, Yellow = 0xFFFF00, Magenta = 0xFF00FF;
        public const int BoxSize = 32;

        public byte* Framebuffer;
        public int Width, Height, Pitch;

        public void Attach(byte* framebuffer, DisplayChannelHeader* mode)
        {
            Framebuffer = framebuffer;
            Width = (int)mode->Width;
            Height = (int)mode->Height;
            Pitch = (int)mode->Pitch;
        }

        public uint Background(int x, int y)
            => y < Height / 2 ? (x < Width / 2 ? Red : Green) : (x < Width / 2 ? Blue : White);

        public void DrawBackground(int left, int top, int width, int height)
        {
            Clip(ref left, ref top, ref width, ref height);
            for (int y = top; y < top + height; y++)
            {
                uint* line = (uint*)(Framebuffer + (long)y * Pitch);
                for (int x = left; x < left + width; x++)
                    line[x] = Background(x, y);
            }
        }

        /// <summary>The box centred on the pointer ('x', 'y').</summary>
        public void DrawBox(int x, int y, uint colour)
        {
            int left = x - BoxSize / 2, top = y - BoxSize / 2, width = BoxSize, height = BoxSize;
            Clip(ref left, ref top, ref width, ref height);
            for (int row = top; row < top + height; row++)
            {
                uint* line = (uint*)(Framebuffer + (long)row * Pitch);
                for (int column = left; column < left + width; column++)
                    line[column] = colour;
            }
        }

        public void EraseBox(int x, int y) => DrawBackground(x - BoxSize / 2, y - BoxSize / 2, BoxSize, BoxSize);

        private void Clip(ref int left, ref int top, ref int width, ref int height)
        {
            if (left < 0) { width += left; left = 0; }
            if (top < 0) { height += top; top = 0; }
            if (left + width > Width) width = Width - left;
            if (top + height > Height) height = Height - top;
            if (width < 0) width = 0;
            if (height < 0) height = 0;
        }
    }
}
