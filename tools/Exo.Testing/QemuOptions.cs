namespace Exo.Testing;

/// <summary>
/// How to boot one guest. Exactly one of <see cref="KernelImage"/> (a multiboot1 image booted with
/// <c>-kernel</c>) and <see cref="Iso"/> (booted with <c>-cdrom</c>) must be set.
/// </summary>
public sealed record QemuOptions
{
    /// <summary>Environment variable that overrides the QEMU binary.</summary>
    public const string QemuEnvironmentVariable = "EXO_QEMU";

    /// <summary>Default overall time limit of one boot.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Multiboot1 kernel image passed with <c>-kernel</c>.</summary>
    public string? KernelImage { get; init; }

    /// <summary>Bootable ISO passed with <c>-cdrom</c>.</summary>
    public string? Iso { get; init; }

    /// <summary>Kernel command line (<c>-append</c>); only valid with <see cref="KernelImage"/>.</summary>
    public string? CommandLine { get; init; }

    /// <summary>A boot module for the kernel (<c>-initrd</c>): the initial RAM disk; only with <see cref="KernelImage"/>.</summary>
    public string? InitialRamDisk { get; init; }

    /// <summary>
    /// Further boot modules after <see cref="InitialRamDisk"/> (the Debian root, <c>out/debian.cpio</c>, which the kernel
    /// lays over the root file system); only with <see cref="KernelImage"/> and an initial RAM disk.
    /// </summary>
    public IReadOnlyList<string> MoreModules { get; init; } = Array.Empty<string>();

    /// <summary>QEMU machine type: <c>q35</c> (default) or <c>pc</c>.</summary>
    public string Machine { get; init; } = "q35";

    /// <summary>Guest memory in QEMU syntax (<c>256M</c>, <c>4G</c>).</summary>
    public string Memory { get; init; } = "256M";

    /// <summary>Number of virtual CPUs.</summary>
    public int Smp { get; init; } = 1;

    /// <summary>CPU model.</summary>
    public string Cpu { get; init; } = "max";

    /// <summary>Arguments appended verbatim after the generated ones.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Overall limit from start to exit. When it elapses the QEMU process tree is killed and the
    /// result is marked as timed out. Every wait of an interactive session is also bounded by it.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>QEMU executable: <c>$EXO_QEMU</c> if set, else <c>qemu-system-x86_64</c> from PATH.</summary>
    public string QemuBinary { get; init; } = DefaultQemuBinary();

    /// <summary>Options that boot <paramref name="kernelImage"/> with <paramref name="commandLine"/>.</summary>
    public static QemuOptions ForKernel(string kernelImage, string? commandLine = null) =>
        new() { KernelImage = kernelImage, CommandLine = commandLine };

    /// <summary>Options that boot <paramref name="iso"/> from the CD-ROM.</summary>
    public static QemuOptions ForIso(string iso) => new() { Iso = iso };

    private static string DefaultQemuBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable(QemuEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnv) ? "qemu-system-x86_64" : fromEnv;
    }
}
