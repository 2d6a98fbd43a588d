namespace Exo.Toolkit.Theming;

/// <summary>The colours widgets draw with (0x00RRGGBB).</summary>
public sealed record Palette(
    uint Window, uint Surface, uint Text, uint MutedText, uint Border, uint Accent, uint AccentText,
    uint Button, uint ButtonHover, uint ButtonPressed, uint Field, uint Selection, uint SelectionText, uint Shade)
{
    public static readonly Palette Light = new(
        Window: 0xF0F0F0, Surface: 0xFFFFFF, Text: 0x202020, MutedText: 0x707070, Border: 0xA0A0A0, Accent: 0x3C78D8,
        AccentText: 0xFFFFFF, Button: 0xE0E0E0, ButtonHover: 0xD0D8E8, ButtonPressed: 0x3C78D8, Field: 0xFFFFFF,
        Selection: 0x3C78D8, SelectionText: 0xFFFFFF, Shade: 0x808080);

    public static readonly Palette Dark = new(
        Window: 0x202428, Surface: 0x2C3136, Text: 0xE8E8E8, MutedText: 0xA0A0A0, Border: 0x50565C, Accent: 0x5C98F0,
        AccentText: 0x101010, Button: 0x3A4046, ButtonHover: 0x46505A, ButtonPressed: 0x5C98F0, Field: 0x181B1E,
        Selection: 0x5C98F0, SelectionText: 0x101010, Shade: 0x101214);
}
