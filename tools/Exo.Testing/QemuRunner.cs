namespace Exo.Testing;

/// <summary>
/// Boots a guest in QEMU with COM1 on the process's stdin/stdout (<c>-serial stdio</c>).
/// Each run owns its own process and pipes: no temp files, safe to use from parallel tests.
/// </summary>
public static class QemuRunner
{
    /// <summary>I/O port of the isa-debug-exit device (docs/serial-protocols.md).</summary>
    public const string DebugExitDevice = "isa-debug-exit,iobase=0xf4,iosize=0x04";

    /// <summary>
    /// The QEMU argument list for <paramref name="options"/> (without the executable).
    /// Throws <see cref="ArgumentException"/> for an invalid combination.
    /// </summary>
    public static IReadOnlyList<string> BuildArguments(QemuOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool hasKernel = !string.IsNullOrWhiteSpace(options.KernelImage);
        bool hasIso = !string.IsNullOrWhiteSpace(options.Iso);
        if (hasKernel == hasIso)
            throw new ArgumentException(
                hasKernel ? "Set either KernelImage or Iso, not both." : "Set KernelImage or Iso: there is nothing to boot.",
                nameof(options));
        if (hasIso && !string.IsNullOrEmpty(options.CommandLine))
            throw new ArgumentException(
                "A kernel command line (-append) needs KernelImage; an ISO takes its command line from its boot loader.",
                nameof(options));
        if (string.IsNullOrWhiteSpace(options.Machine))
            throw new ArgumentException("Machine must be set (q35 or pc).", nameof(options));
        if (string.IsNullOrWhiteSpace(options.Memory))
            throw new ArgumentException("Memory must be set (e.g. 256M).", nameof(options));
        if (string.IsNullOrWhiteSpace(options.Cpu))
            throw new ArgumentException("Cpu must be set (e.g. max).", nameof(options));
        if (options.Smp < 1)
            throw new ArgumentException($"Smp must be at least 1, got {options.Smp}.", nameof(options));
        if (options.Timeout <= TimeSpan.Zero)
            throw new ArgumentException($"Timeout must be positive, got {options.Timeout}.", nameof(options));

        var args = new List<string>
        {
            "-machine", options.Machine,
            "-accel", "tcg",
            "-cpu", options.Cpu,
            "-m", options.Memory,
            "-smp", options.Smp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-display", "none",
            "-monitor", "none",
            "-serial", "stdio",
            "-no-reboot",
            "-device", DebugExitDevice,
        };

        if (hasKernel)
        {
            args.Add("-kernel");
            args.Add(options.KernelImage!);
            if (!string.IsNullOrEmpty(options.InitialRamDisk))
            {
                args.Add("-initrd");
                // Multiboot modules are separated by commas (a comma in a path is doubled).
                args.Add(string.Join(",", new[] { options.InitialRamDisk }.Concat(options.MoreModules)
                    .Select(module => module.Replace(",", ",,", StringComparison.Ordinal))));
            }
            if (!string.IsNullOrEmpty(options.CommandLine))
            {
                args.Add("-append");
                args.Add(options.CommandLine);
            }
        }
        else
        {
            // -cdrom is shorthand for -drive file=...: a comma in the path must be doubled.
            args.Add("-cdrom");
            args.Add(options.Iso!.Replace(",", ",,", StringComparison.Ordinal));
            args.Add("-boot");
            args.Add("d");
        }

        args.AddRange(options.ExtraArgs);
        return args;
    }

    /// <summary>The full command as a shell-quoted string, for logs.</summary>
    public static string FormatCommand(string executable, IEnumerable<string> arguments) =>
        string.Join(" ", new[] { executable }.Concat(arguments).Select(ShellQuote));

    /// <summary>
    /// Batch mode: boots the guest and collects all serial output until QEMU exits or the timeout
    /// (<see cref="QemuOptions.Timeout"/>) elapses, in which case the process tree is killed.
    /// </summary>
    public static async Task<QemuResult> RunAsync(QemuOptions options, CancellationToken cancellationToken = default)
    {
        await using var session = Start(options);
        using var registration = cancellationToken.Register(() => session.Kill());
        var result = await session.WaitForExitAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>
    /// Interactive mode: boots the guest and returns a session to write to COM1 and wait for output.
    /// Dispose the session to kill QEMU if it is still running.
    /// </summary>
    public static QemuSession Start(QemuOptions options)
    {
        var arguments = BuildArguments(options);
        var image = options.KernelImage ?? options.Iso!;
        if (!File.Exists(image))
            throw new FileNotFoundException($"Boot image not found at '{image}'; {ExoPaths.BuildFirstHint}", image);
        return QemuSession.Start(options, arguments);
    }

    internal static string ShellQuote(string s)
    {
        if (s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=,:+@%".Contains(c)))
            return s;
        return "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
