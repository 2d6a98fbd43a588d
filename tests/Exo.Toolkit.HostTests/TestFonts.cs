using Exo.FontAtlas;
using Exo.Toolkit.Text;

namespace Exo.Toolkit.HostTests;

/// <summary>
/// Debian's DejaVu fonts as the build fetched them (make build: out/cache/fonts), parsed once, and the toolkit's atlases
/// rendered from them into a scratch directory (the sizes the Makefile renders).
/// </summary>
public static class TestFonts
{
    private static readonly Lazy<string> Dejavu = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "out", "cache", "fonts", "unpacked", "fonts-dejavu-core", "usr", "share", "fonts", "truetype", "dejavu");
            if (File.Exists(Path.Combine(candidate, "DejaVuSans.ttf")))
                return candidate;
        }
        throw new FileNotFoundException("DejaVuSans.ttf is not in out/cache/fonts: run `make build` (it fetches fonts-dejavu-core)");
    });

    public static byte[] SansBytes => File.ReadAllBytes(Path.Combine(Dejavu.Value, "DejaVuSans.ttf"));
    public static readonly Lazy<TrueTypeFont> Sans = new(() => new TrueTypeFont(SansBytes, "DejaVuSans.ttf"));
    public static readonly Lazy<TrueTypeFont> Mono = new(() => new TrueTypeFont(File.ReadAllBytes(Path.Combine(Dejavu.Value, "DejaVuSansMono.ttf")), "DejaVuSansMono.ttf"));

    private static readonly Lazy<FontSet> Set = new(() =>
    {
        string directory = Path.Combine(Path.GetTempPath(), $"exo-toolkit-fonts-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        foreach (int size in new[] { 11, 13, 16, 24 })
            File.WriteAllBytes(Path.Combine(directory, $"sans-{size}.atlas"), AtlasBuilder.Build(Sans.Value, "sans", size, AtlasBuilder.DefaultCharacters));
        foreach (int size in new[] { 13, 16 })
            File.WriteAllBytes(Path.Combine(directory, $"mono-{size}.atlas"), AtlasBuilder.Build(Mono.Value, "mono", size, AtlasBuilder.DefaultCharacters));
        return FontSet.Load(directory);
    });

    public static FontSet Fonts => Set.Value;
}
