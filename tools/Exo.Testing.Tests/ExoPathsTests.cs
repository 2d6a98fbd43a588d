using Exo.Testing;

namespace Exo.Testing.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    /// <summary>Tests that change process-wide environment variables run alone.</summary>
    public const string Name = "environment variables";
}

[Collection(EnvironmentCollection.Name)]
public sealed class ExoPathsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "exo-paths-" + Guid.NewGuid().ToString("N"));
    private readonly string? _savedKernel = Environment.GetEnvironmentVariable(ExoPaths.KernelEnvironmentVariable);
    private readonly string? _savedIso = Environment.GetEnvironmentVariable(ExoPaths.IsoEnvironmentVariable);

    public ExoPathsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ExoPaths.KernelEnvironmentVariable, _savedKernel);
        Environment.SetEnvironmentVariable(ExoPaths.IsoEnvironmentVariable, _savedIso);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Repo_root_is_the_nearest_folder_with_a_Makefile()
    {
        var root = Path.Combine(_dir, "repo");
        var deep = Path.Combine(root, "out", "bin", "Tests", "Debug", "net10.0");
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(root, "Makefile"), "all:\n");

        Assert.Equal(root, ExoPaths.TryFindRepoRoot(deep));
        Assert.Equal(root, ExoPaths.TryFindRepoRoot(root));
    }

    [Fact]
    public void Nearest_Makefile_wins()
    {
        var outer = Path.Combine(_dir, "outer");
        var inner = Path.Combine(outer, "inner");
        var start = Path.Combine(inner, "x");
        Directory.CreateDirectory(start);
        File.WriteAllText(Path.Combine(outer, "Makefile"), "");
        File.WriteAllText(Path.Combine(inner, "Makefile"), "");

        Assert.Equal(inner, ExoPaths.TryFindRepoRoot(start));
    }

    [Fact]
    public void Missing_repo_root_gives_null_and_a_clear_exception()
    {
        // Somewhere with no Makefile above it (assumes / has none).
        var start = Path.Combine(_dir, "nowhere");
        Directory.CreateDirectory(start);
        if (ExoPaths.TryFindRepoRoot("/") is not null)
            return; // a Makefile at / would defeat the premise
        Assert.Null(ExoPaths.TryFindRepoRoot(start));
        var e = Assert.Throws<DirectoryNotFoundException>(() => ExoPaths.FindRepoRoot(start));
        Assert.Contains("Makefile", e.Message);
    }

    [Fact]
    public void EXO_KERNEL_overrides_the_kernel_path()
    {
        var kernel = Path.Combine(_dir, "custom.bin");
        File.WriteAllBytes(kernel, new byte[] { 1 });
        Environment.SetEnvironmentVariable(ExoPaths.KernelEnvironmentVariable, kernel);

        Assert.Equal(kernel, ExoPaths.DefaultKernelImage);
        Assert.Equal(kernel, ExoPaths.RequireKernelImage());
    }

    [Fact]
    public void Missing_kernel_says_build_the_kernel_first()
    {
        var kernel = Path.Combine(_dir, "missing.bin");
        Environment.SetEnvironmentVariable(ExoPaths.KernelEnvironmentVariable, kernel);

        var e = Assert.Throws<FileNotFoundException>(() => ExoPaths.RequireKernelImage());
        Assert.Contains("build the kernel first: make build", e.Message);
        Assert.Contains(kernel, e.Message);
        Assert.Contains("$EXO_KERNEL", e.Message);
    }

    [Fact]
    public void EXO_ISO_overrides_the_iso_path()
    {
        var iso = Path.Combine(_dir, "custom.iso");
        Environment.SetEnvironmentVariable(ExoPaths.IsoEnvironmentVariable, iso);

        Assert.Equal(iso, ExoPaths.DefaultIso);
        var e = Assert.Throws<FileNotFoundException>(() => ExoPaths.RequireIso());
        Assert.Contains("build the kernel first: make build", e.Message);
    }
}
