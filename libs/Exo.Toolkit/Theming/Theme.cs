using Exo.Toolkit.Text;

namespace Exo.Toolkit.Theming;

/// <summary>What widgets look like: a palette (light or dark), the fonts and the metrics (pixels).</summary>
public sealed class Theme(Palette palette, FontSet fonts)
{
    public Palette Palette { get; } = palette;
    public FontSet Fonts { get; } = fonts;
    public GlyphAtlas Font => Fonts.Body;
    public bool IsDark => ReferenceEquals(Palette, Palette.Dark);

    public int Padding { get; init; } = 8;
    public int Spacing { get; init; } = 6;
    public int BorderWidth { get; init; } = 1;
    /// <summary>The height of buttons, text fields, list rows, tab headers, menu items.</summary>
    public int ControlHeight { get; init; } = 24;
    public int ScrollBarWidth { get; init; } = 12;
    public int CaretWidth { get; init; } = 1;

    public static Theme Light(FontSet fonts) => new(Palette.Light, fonts);
    public static Theme Dark(FontSet fonts) => new(Palette.Dark, fonts);

    public Theme WithPalette(Palette palette) => new(palette, Fonts)
    {
        Padding = Padding, Spacing = Spacing, BorderWidth = BorderWidth, ControlHeight = ControlHeight,
        ScrollBarWidth = ScrollBarWidth, CaretWidth = CaretWidth,
    };
}
