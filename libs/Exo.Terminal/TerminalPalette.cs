namespace Exo.Terminal
{
    /// <summary>Colours as 0xRRGGBB: xterm's default 256-colour palette, computed (no table to initialise).</summary>
    public static class TerminalPalette
    {
        public const int DefaultForeground = 0xE5E5E5;
        public const int DefaultBackground = 0x000000;

        // xterm's first 16 colours (its default resources), six hex digits (RRGGBB) each.
        private const string Ansi = "000000cd000000cd00cdcd000000eecd00cd00cdcde5e5e57f7f7fff000000ff00ffff005c5cffff00ff00ffffffffff";

        /// <summary>Entry 'index' (0..255) of the palette.</summary>
        public static int Indexed(int index)
        {
            index &= 0xFF;
            if (index < 16)
                return ParseHex(index * 6);
            if (index < 232)
            {
                int cube = index - 16;
                return (Level(cube / 36) << 16) | (Level(cube / 6 % 6) << 8) | Level(cube % 6);
            }
            int grey = 8 + (index - 232) * 10;
            return (grey << 16) | (grey << 8) | grey;
        }

        /// <summary>The RGB value of 'color', the default being 'defaultRgb'.</summary>
        public static int Resolve(TerminalColor color, int defaultRgb) => color.Kind switch
        {
            ColorKind.Indexed => Indexed(color.Value),
            ColorKind.TrueColor => color.Value,
            _ => defaultRgb,
        };

        private static int Level(int step) => step == 0 ? 0 : 55 + step * 40;

        private static int ParseHex(int offset)
        {
            int value = 0;
            for (int digit = 0; digit < 6; digit++)
            {
                char character = Ansi[offset + digit];
                value = (value << 4) | (character <= '9' ? character - '0' : character - 'a' + 10);
            }
            return value;
        }
    }
}
