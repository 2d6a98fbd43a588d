namespace Exo.Toolkit.Text;

/// <summary>
/// The atlases an application draws with, from the directory the build puts them in (usr/share/exo/fonts; the
/// environment variable EXO_FONTS names another, as the host tests do): DejaVu Sans at 11, 13, 16 and 24 pixels and
/// DejaVu Sans Mono at 13 and 16 (the sizes the Makefile renders).
/// </summary>
public sealed class FontSet
{
    public const string DefaultDirectory = "/usr/share/exo/fonts";
    public const string DirectoryVariable = "EXO_FONTS";

    public GlyphAtlas Small { get; }
    public GlyphAtlas Body { get; }
    public GlyphAtlas Large { get; }
    public GlyphAtlas Title { get; }
    public GlyphAtlas Mono { get; }
    public GlyphAtlas MonoLarge { get; }

    private FontSet(string directory)
    {
        GlyphAtlas Load(string name) => GlyphAtlas.LoadFile(Path.Combine(directory, name + ".atlas"));
        Small = Load("sans-11");
        Body = Load("sans-13");
        Large = Load("sans-16");
        Title = Load("sans-24");
        Mono = Load("mono-13");
        MonoLarge = Load("mono-16");
    }

    public static string Directory => Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory ? directory : DefaultDirectory;

    public static FontSet Load(string? directory = null) => new(directory ?? Directory);
}
