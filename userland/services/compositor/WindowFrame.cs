namespace Exo.Compositor.Scene
{
    /// <summary>The parts of a window on screen: its surface's content, its title bar and the buttons on it, its border.</summary>
    public enum FramePart : byte { None, Content, TitleBar, Close, Maximise, Minimise, Border }

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
            return Outer(content).Contains(x, y) ? FramePart.Border : FramePart.None;
        }

        /// <summary>The content rectangle of a maximised window on a screen of this size (the frame fills the screen below 'top').</summary>
        public static Rectangle Maximised(int screenWidth, int screenHeight, int top = 0)
            => new Rectangle(Border, top + TitleHeight + Border, screenWidth - 2 * Border, screenHeight - top - TitleHeight - 2 * Border);
    }
}
