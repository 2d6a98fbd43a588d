namespace Exo.Bench;

/// <summary>
/// The emulator settings both guests share, read from tools/bench/qemu-settings.env
/// (plain KEY=VALUE lines, '#' comments, no shell expansion).
/// </summary>
public sealed class QemuSettings
{
    public const string RelativePath = "tools/bench/qemu-settings.env";

    readonly Dictionary<string, string> values;

    public QemuSettings(Dictionary<string, string> values) => this.values = values;

    public string SourcePath { get; init; } = "";

    public static QemuSettings Parse(string text, string sourcePath = "")
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int eq = line.IndexOf('=');
            if (eq <= 0)
                throw new FormatException($"{sourcePath}:{lineNo}: expected KEY=VALUE, got '{line}'");
            values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return new QemuSettings(values) { SourcePath = sourcePath };
    }

    public static QemuSettings Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Finds tools/bench/qemu-settings.env above the current directory or the program's own.</summary>
    public static string? Locate()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    public string Get(string key) =>
        values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"{SourcePath}: {key} is not set");

    public string GetOrDefault(string key, string fallback) => values.TryGetValue(key, out var v) ? v : fallback;

    public int GetSeconds(string key) =>
        int.TryParse(Get(key), out var s) && s > 0 ? s : throw new FormatException($"{SourcePath}: {key} must be a positive number of seconds");

    public string QemuBinary => Get("QEMU_BIN");
    public string CpuModel => Get("QEMU_CPU");

    /// <summary>The options both guests get: machine, CPU, memory, CPUs, instruction counting, extras.</summary>
    public List<string> CommonArguments()
    {
        var args = new List<string>
        {
            "-machine", Get("QEMU_MACHINE"), "-cpu", Get("QEMU_CPU"), "-m", Get("QEMU_MEMORY"),
            "-smp", Get("QEMU_SMP"), "-icount", Get("QEMU_ICOUNT"),
        };
        args.AddRange(GetOrDefault("QEMU_EXTRA", "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // Serial goes to a file; no window, no monitor, and a guest reset ends QEMU.
        args.AddRange(new[] { "-display", "none", "-monitor", "none", "-no-reboot" });
        return args;
    }

    /// <summary>QEMU arguments for the Linux reference VM.</summary>
    public List<string> LinuxArguments(string linuxDir, string serialLog, bool quick)
    {
        var args = CommonArguments();
        var append = Get("LINUX_APPEND") + (quick ? " exo.quick" : "");
        args.AddRange(new[]
        {
            "-serial", "file:" + serialLog,
            "-kernel", Path.Combine(linuxDir, "vmlinuz"),
            "-initrd", Path.Combine(linuxDir, "initramfs.cpio.gz"),
            "-append", append,
        });
        return args;
    }

    /// <summary>QEMU arguments for the Exo-OS kernel (multiboot1 image, exit through isa-debug-exit).</summary>
    public List<string> ExoArguments(string kernel, string serialLog, bool quick)
    {
        var args = CommonArguments();
        var append = Get("EXO_APPEND") + (quick ? " quick" : "");
        args.AddRange(new[]
        {
            "-serial", "file:" + serialLog,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel,
            "-append", append,
        });
        // The boot image's programs (ipc_bench and what it starts), next to the kernel image.
        var initialRamDisk = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kernel))!, "initrd.cpio");
        if (File.Exists(initialRamDisk))
            args.AddRange(new[] { "-initrd", initialRamDisk });
        return args;
    }

    public int LinuxTimeout(bool quick) => GetSeconds(quick ? "LINUX_TIMEOUT_QUICK" : "LINUX_TIMEOUT");
    public int ExoTimeout(bool quick) => GetSeconds(quick ? "EXO_TIMEOUT_QUICK" : "EXO_TIMEOUT");
}
