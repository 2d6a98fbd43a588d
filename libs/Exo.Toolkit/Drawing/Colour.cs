namespace Exo.Toolkit.Drawing;

/// <summary>Pixels are 0x00RRGGBB (bytes B, G, R, unused in memory: the compositor's format).</summary>
public static class Colour
{
    public static uint Rgb(int red, int green, int blue) => (uint)((red & 0xFF) << 16 | (green & 0xFF) << 8 | (blue & 0xFF));

    /// <summary>'over' blended onto 'under' with alpha 0..255 (255: all 'over').</summary>
    public static uint Blend(uint under, uint over, int alpha)
    {
        if (alpha >= 255)
            return over;
        if (alpha <= 0)
            return under;
        int inverse = 255 - alpha;
        uint red = (((over >> 16) & 0xFF) * (uint)alpha + ((under >> 16) & 0xFF) * (uint)inverse + 127) / 255;
        uint green = (((over >> 8) & 0xFF) * (uint)alpha + ((under >> 8) & 0xFF) * (uint)inverse + 127) / 255;
        uint blue = ((over & 0xFF) * (uint)alpha + (under & 0xFF) * (uint)inverse + 127) / 255;
        return red << 16 | green << 8 | blue;
    }
}
