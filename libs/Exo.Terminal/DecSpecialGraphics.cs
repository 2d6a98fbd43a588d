namespace Exo.Terminal
{
    /// <summary>The DEC special graphics character set (ESC ( 0): line drawing for 0x5F..0x7E, as Unicode.</summary>
    internal static class DecSpecialGraphics
    {
        private const int First = 0x5F;
        private const string Glyphs = "\u00A0\u25C6\u2592\u2409\u240C\u240D\u240A\u00B0\u00B1\u2424\u240B\u2518\u2510\u250C\u2514\u253C\u23BA\u23BB\u2500\u23BC\u23BD\u251C\u2524\u2534\u252C\u2502\u2264\u2265\u03C0\u2260\u00A3\u00B7";

        public static int Map(int codePoint) =>
            codePoint >= First && codePoint < First + Glyphs.Length ? Glyphs[codePoint - First] : codePoint;
    }
}
