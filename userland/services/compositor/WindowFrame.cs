namespace Exo.Compositor.Scene
{
    /// <summary>The parts of a window on screen: its surface's content, its title bar and the buttons on it, its border.</summary>
    public enum FramePart : byte { None, Content, TitleBar, Close, Maximise, Minimise, Border }

    /// <summary>Which edges a border drag resizes (the top edge is the title bar's: a drag there moves the window).</summary>
    public static class ResizeEdges
    {
        public const byte None = 0, Left = 1, Right = 2, Bottom = 4;
    }

    /// <summary>
    /// The decorations' geometry around a window's content rectangle (screen pixels): a border of <see cref="Border"/>
    /// pixels all round, a title bar of <see cref="TitleHeight"/> above the content, and on its right three square buttons
    /// (minimise, maximise, close, from left to right).
    /// </summary>
    public static class WindowFrame
    {
        public const int Border = 2;
        public const int TitleHeight = 22;
        public const int ButtonSize = 16;
        public const int ButtonGap = 4;
        /// <summary>Where the title's text starts, right of the border.</summary>
        public const int TitleTextIndent = 6;

        /// <summary>Everything the window covers: content, title bar and border.</summary>
        public static Rectangle Outer(Rectangle content)
            => new Rectangle(content.X - Border, content.Y - TitleHeight - Border, content.Width + 2 * Border, content.Height + TitleHeight + 2 * Border);

        public static Rectangle TitleBar(Rectangle content) => new Rectangle(content.X, content.Y - TitleHeight, content.Width, TitleHeight);

        public static Rectangle Button(Rectangle content, FramePart button)
        {
            int slot = button == FramePart.Close ? 1 : button == FramePart.Maximise ? 2 : 3;
            int top = content.Y - TitleHeight + (TitleHeight - ButtonSize) / 2;
            return new Rectangle(content.Right - slot * (ButtonSize + ButtonGap), top, ButtonSize, ButtonSize);
        }

        /// <summary>Which part of a window with this content rectangle the point (x, y) is on.</summary>
        public static FramePart HitTest(Rectangle content, int x, int y)
        {
            if (content.Contains(x, y))
                return FramePart.Content;
            if (TitleBar(content).Contains(x, y))
            {
                if (Button(content, FramePart.Close).Contains(x, y))
                    return FramePart.Close;
                if (Button(content, FramePart.Maximise).Contains(x, y))
                    return FramePart.Maximise;
                if (Button(content, FramePart.Minimise).Contains(x, y))
                    return FramePart.Minimise;
                return FramePart.TitleBar;
            }
            return Outer(content).Contains(x, y) || GripArea(content).Contains(x, y) ? FramePart.Border : FramePart.None;
        }

        /// <summary>How far outside the border a press still grabs it to resize (the border itself is thin).</summary>
        public const int Grip = 4;
        /// <summary>The smallest content a border drag leaves.</summary>
        public const int MinimumWidth = 160, MinimumHeight = 80;

        /// <summary>The border and the grip around it below the title bar: where a press resizes.</summary>
        public static Rectangle GripArea(Rectangle content)
        {
            Rectangle outer = Outer(content);
            int top = content.Y;
            return new Rectangle(outer.X - Grip, top, outer.Width + 2 * Grip, outer.Bottom + Grip - top);
        }

        /// <summary>The edges a press at (x, y) on the border or grip resizes (corners take two), None off the border.</summary>
        public static byte EdgesAt(Rectangle content, int x, int y)
        {
            if (content.Contains(x, y) || !GripArea(content).Contains(x, y))
                return ResizeEdges.None;
            const int Corner = 12;   // the bottom corners take both edges within this many pixels of the corner
            byte edges = ResizeEdges.None;
            if (x < content.X)
                edges |= ResizeEdges.Left;
            else if (x >= content.Right)
                edges |= ResizeEdges.Right;
            if (y >= content.Bottom)
            {
                edges |= ResizeEdges.Bottom;
                if (x < content.X + Corner)
                    edges |= ResizeEdges.Left;
                else if (x >= content.Right - Corner)
                    edges |= ResizeEdges.Right;
            }
            else if (y >= content.Bottom - Corner && edges != ResizeEdges.None)
                edges |= ResizeEdges.Bottom;
            return edges;
        }

        /// <summary>The content 'start' dragged by (dx, dy) on 'edges', at least MinimumWidth x MinimumHeight and at most
        /// maximumWidth x maximumHeight (a left drag keeps the right edge in place).</summary>
        public static Rectangle Resized(Rectangle start, byte edges, int dx, int dy, int maximumWidth, int maximumHeight)
        {
            int left = start.X, width = start.Width, height = start.Height;
            if ((edges & ResizeEdges.Right) != 0)
                width = Clamp(start.Width + dx, MinimumWidth, maximumWidth);
            if ((edges & ResizeEdges.Left) != 0)
            {
                width = Clamp(start.Width - dx, MinimumWidth, maximumWidth);
                left = start.Right - width;
            }
            if ((edges & ResizeEdges.Bottom) != 0)
                height = Clamp(start.Height + dy, MinimumHeight, maximumHeight);
            return new Rectangle(left, start.Y, width, height);
        }

        private static int Clamp(int value, int low, int high) => value < low ? low : value > high ? high : value;

        /// <summary>The content rectangle of a maximised window on a screen of this size (the frame fills the screen below 'top').</summary>
        public static Rectangle Maximised(int screenWidth, int screenHeight, int top = 0)
            => new Rectangle(Border, top + TitleHeight + Border, screenWidth - 2 * Border, screenHeight - top - TitleHeight - 2 * Border);
    }
}
