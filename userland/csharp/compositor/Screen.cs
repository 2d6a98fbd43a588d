using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;

namespace Compositor
{
    /// <summary>
    /// Composes the desktop off-screen and copies only what changed to the framebuffer (no tearing: the device never scans
    /// out a half-composed frame). A damaged rectangle is composed in the back buffer from the bottom up: the background,
    /// each visible window (its frame, its title, its buttons, its surface's pixels from the client's buffer), the panel, the cursor;
    /// then its lines are copied to the framebuffer. Pixels are 0x00RRGGBB words (bytes B, G, R, unused).
    /// </summary>
    internal static unsafe class Screen
    {
        public const uint DefaultBackground = 0x305070, DefaultStripe = 0x2C4A68;
        public const uint FrameBorder = 0x202020, TitleFocused = 0x3C78D8, TitleUnfocused = 0x808080, TitleText = 0xFFFFFF;
        public const uint CloseButton = 0xE04040, MaximiseButton = 0x40C040, MinimiseButton = 0xE0C040;
        /// <summary>What a window shows where its surface has no pixels (a buffer smaller than the window).</summary>
        public const uint EmptyContent = 0xC0C0C0;
        public const uint CursorInk = 0x000000, CursorFill = 0xFFFFFF;
        public const int StripeHeight = 64;
        public const int CursorWidth = 10, CursorHeight = 16;

        // The arrow: '#' outline, '+' fill, '.' clear; the hot spot is its top left pixel.
        private const string CursorShape =
            "#........." +
            "##........" +
            "#+#......." +
            "#++#......" +
            "#+++#....." +
            "#++++#...." +
            "#+++++#..." +
            "#++++++#.." +
            "#+++++++#." +
            "#++++++++#" +
            "#+++++####" +
            "#++#++#..." +
            "#+#.#++#.." +
            "##..#++#.." +
            "#....#++#." +
            ".....####.";

        public static int Width, Height;
        /// <summary>The background's colour and its stripes' (SetBackground changes them).</summary>
        public static uint Background = DefaultBackground, BackgroundStripe = DefaultStripe;
        private static int s_framebufferPitch;
        private static byte* s_framebuffer;
        private static uint* s_back;
        public static int CursorX, CursorY;
        public static DamageRegion Damage;
        /// <summary>Frames copied to the framebuffer, and the pixels composed (for the reports).</summary>
        public static ulong Frames, PixelsComposed;

        public static bool Initialize(byte* framebuffer, int width, int height, int pitch)
        {
            Width = width;
            Height = height;
            s_framebuffer = framebuffer;
            s_framebufferPitch = pitch;
            // The back buffer holds the largest mode, so that a mode switch needs no new memory.
            ulong backBytes = (ulong)CompositorLayout.MaximumSurfaceWidth * CompositorLayout.MaximumSurfaceHeight * 4;
            if (width > CompositorLayout.MaximumSurfaceWidth || height > CompositorLayout.MaximumSurfaceHeight
                || Exo.Std.Memory.VirtualMemory.Map(0, backBytes, true, out byte* back) != Exo.Abi.Error.None)
                return false;
            s_back = (uint*)back;
            CursorX = width / 2;
            CursorY = height / 2;
            Damage = new DamageRegion(width, height);
            Damage.Add(new Rectangle(0, 0, width, height));
            return true;
        }

        /// <summary>The driver set a new mode: everything is composed again at the new size (the cursor kept on screen).</summary>
        public static void Resize(int width, int height, int pitch)
        {
            Width = width;
            Height = height;
            s_framebufferPitch = pitch;
            CursorX = CursorX < width ? CursorX : width - 1;
            CursorY = CursorY < height ? CursorY : height - 1;
            Damage = new DamageRegion(width, height);
            Damage.Add(new Rectangle(0, 0, width, height));
        }

        /// <summary>A new background colour; its stripes a shade darker (the default pair as designed).</summary>
        public static void SetBackground(uint colour)
        {
            Background = colour;
            BackgroundStripe = colour == DefaultBackground ? DefaultStripe
                : (colour >> 16 & 0xFF) * 15 / 16 << 16 | (colour >> 8 & 0xFF) * 15 / 16 << 8 | (colour & 0xFF) * 15 / 16;
            Damage.Add(new Rectangle(0, 0, Width, Height));
        }

        public static Rectangle CursorRectangle => new Rectangle(CursorX, CursorY, CursorWidth, CursorHeight);

        public static void MoveCursor(int x, int y)
        {
            x = x < 0 ? 0 : x >= Width ? Width - 1 : x;
            y = y < 0 ? 0 : y >= Height ? Height - 1 : y;
            if (x == CursorX && y == CursorY)
                return;
            Damage.Add(CursorRectangle);
            CursorX = x;
            CursorY = y;
            Damage.Add(CursorRectangle);
        }

        /// <summary>Composes every damaged rectangle and copies it to the framebuffer; false when nothing was damaged.</summary>
        public static bool ComposeAndFlush(WindowStack windows, out Rectangle bounds)
        {
            bounds = default;
            if (Damage.IsEmpty)
                return false;
            for (int i = 0; i < Damage.Count; i++)
            {
                Rectangle area = Damage[i];
                Compose(windows, area);
                Copy(area);
                bounds = bounds.Union(area);
                PixelsComposed += (ulong)area.Area;
            }
            Damage.Clear();
            Frames++;
            return true;
        }

        private static void Compose(WindowStack windows, Rectangle area)
        {
            for (int y = area.Y; y < area.Bottom; y++)
            {
                uint colour = (y / StripeHeight & 1) == 0 ? Background : BackgroundStripe;
                uint* line = s_back + (long)y * Width;
                for (int x = area.X; x < area.Right; x++)
                    line[x] = colour;
            }
            for (int depth = 0; depth < windows.Count; depth++)
            {
                int slot = windows.AtDepth(depth);
                ref Window window = ref windows[slot];
                if (window.Visible && WindowFrame.Outer(window.Content).Overlaps(area))
                    DrawWindow(ref window, slot == windows.Focused, area);
            }
            Panel.Draw(area, s_back, Width);
            DrawCursor(area);
        }

        private static void DrawWindow(ref Window window, bool focused, Rectangle area)
        {
            Rectangle content = window.Content;
            Fill(WindowFrame.Outer(content), FrameBorder, area);
            Fill(WindowFrame.TitleBar(content), focused ? TitleFocused : TitleUnfocused, area);
            Fill(WindowFrame.Button(content, FramePart.Close), CloseButton, area);
            Fill(WindowFrame.Button(content, FramePart.Maximise), MaximiseButton, area);
            Fill(WindowFrame.Button(content, FramePart.Minimise), MinimiseButton, area);
            DrawTitle(ref window, area);
            Surfaces.DrawContent(window.Client, window.Surface, content, area, s_back, Width);
        }

        private static void DrawTitle(ref Window window, Rectangle area)
        {
            Rectangle bar = WindowFrame.TitleBar(window.Content);
            int left = bar.X + WindowFrame.TitleTextIndent;
            int top = bar.Y + (WindowFrame.TitleHeight - TitleFont.GlyphHeight) / 2;
            int limit = WindowFrame.Button(window.Content, FramePart.Minimise).X - WindowFrame.ButtonGap;
            Rectangle clip = area.Intersect(new Rectangle(bar.X, bar.Y, limit - bar.X, bar.Height));
            for (int i = 0; i < window.TitleLength; i++)
            {
                int character = window.Title[i];
                int glyphLeft = left + i * TitleFont.Advance;
                for (int row = 0; row < TitleFont.GlyphHeight; row++)
                    for (int column = 0; column < TitleFont.GlyphWidth; column++)
                        if (clip.Contains(glyphLeft + column, top + row) && TitleFont.IsInk(character, row, column))
                            s_back[(long)(top + row) * Width + glyphLeft + column] = TitleText;
            }
        }

        private static void DrawCursor(Rectangle area)
        {
            if (!CursorRectangle.Overlaps(area))
                return;
            for (int row = 0; row < CursorHeight; row++)
                for (int column = 0; column < CursorWidth; column++)
                {
                    char ink = CursorShape[row * CursorWidth + column];
                    int x = CursorX + column, y = CursorY + row;
                    if (ink != '.' && area.Contains(x, y))
                        s_back[(long)y * Width + x] = ink == '#' ? CursorInk : CursorFill;
                }
        }

        private static void Fill(Rectangle rectangle, uint colour, Rectangle area)
        {
            rectangle = rectangle.Intersect(area);
            for (int y = rectangle.Y; y < rectangle.Bottom; y++)
            {
                uint* line = s_back + (long)y * Width;
                for (int x = rectangle.X; x < rectangle.Right; x++)
                    line[x] = colour;
            }
        }

        /// <summary>The composed rectangle's lines to the framebuffer, a word at a time.</summary>
        private static void Copy(Rectangle area)
        {
            for (int y = area.Y; y < area.Bottom; y++)
            {
                uint* from = s_back + (long)y * Width + area.X;
                uint* to = (uint*)(s_framebuffer + (long)y * s_framebufferPitch) + area.X;
                for (int x = 0; x < area.Width; x++)
                    to[x] = from[x];
            }
        }
    }
}
