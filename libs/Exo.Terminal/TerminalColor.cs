namespace Exo.Terminal
{
    public enum ColorKind : byte
    {
        /// <summary>The terminal's default foreground or background.</summary>
        Default,
        /// <summary>An entry of the 256-colour palette: 0..7 the ANSI colours, 8..15 their bright forms, 16..231 a 6x6x6 cube, 232..255 greys.</summary>
        Indexed,
        /// <summary>A 24-bit colour (SGR 38;2;r;g;b).</summary>
        TrueColor,
    }

    /// <summary>A cell's foreground or background as SGR set it: default, a palette index, or 24-bit RGB.</summary>
    public readonly struct TerminalColor : System.IEquatable<TerminalColor>
    {
        public readonly ColorKind Kind;
        /// <summary>The palette index (0..255) or 0xRRGGBB.</summary>
        public readonly int Value;

        private TerminalColor(ColorKind kind, int value) { Kind = kind; Value = value; }

        public static TerminalColor Default => default;
        public static TerminalColor Indexed(int index) => new TerminalColor(ColorKind.Indexed, index & 0xFF);
        public static TerminalColor Rgb(int red, int green, int blue) =>
            new TerminalColor(ColorKind.TrueColor, ((red & 0xFF) << 16) | ((green & 0xFF) << 8) | (blue & 0xFF));

        public bool Equals(TerminalColor other) => Kind == other.Kind && Value == other.Value;
        public override bool Equals(object obj) => obj is TerminalColor other && Equals(other);
        public override int GetHashCode() => ((int)Kind << 24) ^ Value;
        public static bool operator ==(TerminalColor left, TerminalColor right) => left.Equals(right);
        public static bool operator !=(TerminalColor left, TerminalColor right) => !left.Equals(right);
        public override string ToString() => Kind switch
        {
            ColorKind.Indexed => "index " + Value,
            ColorKind.TrueColor => "#" + Value.ToString("x6"),
            _ => "default",
        };
    }
}
