namespace Exo.Testing;

/// <summary>
/// Locates the Exo-OS repository and its build outputs from a host test process.
/// </summary>
public static class ExoPaths
{
    /// <summary>Environment variable that overrides the kernel image path.</summary>
    public const string KernelEnvironmentVariable = "EXO_KERNEL";

    /// <summary>Environment variable that overrides the ISO path.</summary>
    public const string IsoEnvironmentVariable = "EXO_ISO";

    /// <summary>The message every "kernel missing" failure carries.</summary>
    public const string BuildFirstHint = "build the kernel first: make build";

    /// <summary>
    /// The repository root: the nearest folder at or above <paramref name="startDirectory"/>
    /// (default <see cref="AppContext.BaseDirectory"/>) that contains a <c>Makefile</c>, or null.
    /// </summary>
    public static string? TryFindRepoRoot(string? startDirectory = null)
    {
        var dir = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Makefile")))
                return dir.FullName;
            dir = dir.Parent;
        }
        return null;
    }

    /// <summary>Like <see cref="TryFindRepoRoot"/> but throws a descriptive exception.</summary>
    public static string FindRepoRoot(string? startDirectory = null)
    {
        var start = startDirectory ?? AppContext.BaseDirectory;
        return TryFindRepoRoot(start)
            ?? throw new DirectoryNotFoundException(
                $"Could not find the Exo-OS repository root (a folder containing 'Makefile') at or above '{start}'.");
    }

    /// <summary>
    /// The kernel image path: <c>$EXO_KERNEL</c> if set, else <c>out/exo.bin</c> under the repo root.
    /// Does not check that the file exists; see <see cref="RequireKernelImage"/>.
    /// </summary>
    public static string DefaultKernelImage => ResolveOutput(KernelEnvironmentVariable, "exo.bin");

    /// <summary>The ISO path: <c>$EXO_ISO</c> if set, else <c>out/exo.iso</c> under the repo root.</summary>
    public static string DefaultIso => ResolveOutput(IsoEnvironmentVariable, "exo.iso");

    /// <summary>
    /// Returns the kernel image path, or throws <see cref="FileNotFoundException"/> whose message says
    /// "build the kernel first: make build" if the image (or the repo) cannot be found.
    /// </summary>
    public static string RequireKernelImage() => RequireOutput(KernelEnvironmentVariable, "exo.bin", "kernel image");

    /// <summary>The initial RAM disk (<c>out/initrd.cpio</c>), or null when it has not been built.</summary>
    public static string? InitialRamDisk
    {
        get
        {
            var path = ResolveOutput("EXO_INITRD", "initrd.cpio");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>
    /// The Debian root (<c>out/debian.cpio</c>, a second boot module), or throws with "make build" when it has not been
    /// built.
    /// </summary>
    public static string RequireDebianRoot() => RequireOutput("EXO_DEBIAN_ROOT", "debian.cpio", "Debian root");

    /// <summary>A Linux test program the build made (out/userland-linux/NAME): the same binary runs on this machine's Linux.</summary>
    public static string RequireLinuxProgram(string name)
    {
        var path = Path.Combine(FindRepoRoot(), "out", "userland-linux", name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Linux test program not found at '{path}'; {BuildFirstHint}", path);
        return path;
    }

    /// <summary>Like <see cref="RequireKernelImage"/> for the ISO.</summary>
    public static string RequireIso() => RequireOutput(IsoEnvironmentVariable, "exo.iso", "ISO image");

    private static string ResolveOutput(string variable, string fileName)
    {
        var overridden = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(overridden))
            return Path.GetFullPath(overridden);
        return Path.Combine(FindRepoRoot(), "out", fileName);
    }

    private static string RequireOutput(string variable, string fileName, string what)
    {
        var overridden = Environment.GetEnvironmentVariable(variable);
        string path;
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            path = Path.GetFullPath(overridden);
        }
        else
        {
            var root = TryFindRepoRoot();
            if (root is null)
                throw new FileNotFoundException(
                    $"Exo-OS {what} not found: no repository root (a folder containing 'Makefile') at or above " +
                    $"'{AppContext.BaseDirectory}', and ${variable} is not set; {BuildFirstHint}");
            path = Path.Combine(root, "out", fileName);
        }

        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Exo-OS {what} not found at '{path}'" +
                (string.IsNullOrWhiteSpace(overridden) ? "" : $" (from ${variable})") +
                $"; {BuildFirstHint}", path);
        return path;
    }
}
