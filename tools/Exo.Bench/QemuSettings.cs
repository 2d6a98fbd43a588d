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

    /// <summary>QEMU arguments for the Linux reference VM's benchmark boot.</summary>
    public List<string> LinuxArguments(string linuxDir, string serialLog, bool quick)
        => LinuxArguments(linuxDir, serialLog, Get("LINUX_APPEND") + (quick ? " exo.quick" : ""));

    /// <summary>
    /// The Linux reference VM booted to busybox's login shell (boot.to_shell): its command line with LINUX_SHELL_APPEND,
    /// which makes the shell the first program (rdinit) and passes it -l.
    /// </summary>
    public List<string> LinuxShellArguments(string linuxDir, string serialLog)
        => LinuxArguments(linuxDir, serialLog, Get("LINUX_APPEND") + " " + Get("LINUX_SHELL_APPEND"));

    /// <summary>
    /// The Linux reference VM's storage boot: LINUX_STORAGE_APPEND (the storage script as the first program),
    /// the initramfs with the storage additions, and 'disk' attached as STORAGE_DRIVE and STORAGE_DEVICE.
    /// </summary>
    public List<string> LinuxStorageArguments(string linuxDir, string serialLog, string disk, bool quick)
        => WithDisk(LinuxArguments(linuxDir, serialLog, Get("LINUX_APPEND") + " " + Get("LINUX_STORAGE_APPEND") + (quick ? " exo.quick" : ""),
            "initramfs-storage.cpio.gz"), disk);

    /// <summary>The Linux reference VM's network boot: LINUX_NETWORK_APPEND (the network script as the first program), the
    /// initramfs with the network additions, and the card (<see cref="WithNetwork"/>).</summary>
    public List<string> LinuxNetworkArguments(string linuxDir, string serialLog, bool quick)
        => WithNetwork(LinuxArguments(linuxDir, serialLog, Get("LINUX_APPEND") + " " + Get("LINUX_NETWORK_APPEND") + (quick ? " exo.quick" : ""),
            NetworkInitialRamDisk));

    public const string NetworkInitialRamDisk = "initramfs-network.cpio.gz";

    /// <summary>The Linux reference VM's dynamic boot: the benchmark initramfs with the dynamic archive after it (its /init).</summary>
    public List<string> LinuxDynamicArguments(string linuxDir, string serialLog, bool quick)
        => LinuxArguments(linuxDir, serialLog, Get("LINUX_APPEND") + (quick ? " exo.quick" : ""), DynamicInitialRamDisk);

    public const string DynamicInitialRamDisk = "initramfs-dynamic.cpio.gz";

    List<string> LinuxArguments(string linuxDir, string serialLog, string append, string initialRamDisk = "initramfs.cpio.gz")
    {
        var args = CommonArguments();
        args.AddRange(new[]
        {
            "-serial", "file:" + serialLog,
            "-kernel", Path.Combine(linuxDir, "vmlinuz"),
            "-initrd", Path.Combine(linuxDir, initialRamDisk),
            "-append", append,
        });
        return args;
    }

    /// <summary>
    /// The storage boots' changes to a guest's arguments, the same on both: STORAGE_ICOUNT for QEMU_ICOUNT, and the
    /// benchmark disk attached.
    /// </summary>
    List<string> WithDisk(List<string> args, string disk)
    {
        int icount = args.IndexOf("-icount");
        args[icount + 1] = Get("STORAGE_ICOUNT");
        args.AddRange(new[] { "-drive", "file=" + disk + "," + Get("STORAGE_DRIVE"), "-device", Get("STORAGE_DEVICE") });
        return args;
    }

    /// <summary>
    /// The network boots' changes to a guest's arguments, the same on both: NETWORK_ICOUNT for QEMU_ICOUNT, and the card
    /// on QEMU's user network with the host's source and sink (NETWORK_NETDEV, NETWORK_DEVICE).
    /// </summary>
    List<string> WithNetwork(List<string> args)
    {
        int icount = args.IndexOf("-icount");
        args[icount + 1] = Get("NETWORK_ICOUNT");
        args.AddRange(new[] { "-netdev", Get("NETWORK_NETDEV"), "-device", Get("NETWORK_DEVICE") });
        return args;
    }

    /// <summary>
    /// Exo-OS's network boot over the network bench image (tools/scripts/make-network-bench-image.sh): 'native' false,
    /// EXO_NETWORK_APPEND (the reference script and program through POSIX-X: the posix column); true,
    /// EXO_NATIVE_NETWORK_APPEND (net_bench: the exo column). Quick mode is the script's exo.quick.
    /// </summary>
    public List<string> ExoNetworkArguments(string kernel, string networkImage, string serialLog, bool native, bool quick)
        => WithNetwork(ExoArguments(kernel, serialLog, Get(native ? "EXO_NATIVE_NETWORK_APPEND" : "EXO_NETWORK_APPEND") + (quick ? " exo.quick" : ""),
            networkImage));

    /// <summary>
    /// Exo-OS's audio boot (the audio.* rows, AudioBench): the normal boot image next to the kernel with
    /// EXO_AUDIO_APPEND (EXO_AUDIO_APPEND_QUICK in quick mode: init's bench_audio configurations), AUDIO_ICOUNT for
    /// QEMU_ICOUNT, and the HD Audio controller and codec (AUDIO_DEVICES) recording into 'recording' (AUDIO_AUDIODEV).
    /// </summary>
    public List<string> ExoAudioArguments(string kernel, string serialLog, string recording, bool quick)
    {
        var args = ExoArguments(kernel, serialLog, Get(quick ? "EXO_AUDIO_APPEND_QUICK" : "EXO_AUDIO_APPEND"),
            InitialRamDiskBeside(kernel));
        int icount = args.IndexOf("-icount");
        args[icount + 1] = Get("AUDIO_ICOUNT");
        args.AddRange(Get("AUDIO_DEVICES").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.AddRange(new[] { "-audiodev", Get("AUDIO_AUDIODEV") + ",path=" + recording });
        return args;
    }

    /// <summary>
    /// Exo-OS's desktop boot (boot.to_desktop and the gui.* rows): the normal boot image next to the kernel with
    /// EXO_DESKTOP_APPEND (init's bench_desktop configuration) on the machine's default display (q35: std-vga).
    /// </summary>
    public List<string> ExoDesktopArguments(string kernel, string serialLog)
        => ExoArguments(kernel, serialLog, Get("EXO_DESKTOP_APPEND"), InitialRamDiskBeside(kernel));

    /// <summary>
    /// QEMU arguments for Exo-OS's own benchmark boot (multiboot1 image, exit through isa-debug-exit), with the boot
    /// image's programs (ipc_bench and what it starts) from initrd.cpio next to the kernel image.
    /// </summary>
    public List<string> ExoArguments(string kernel, string serialLog, bool quick)
        => ExoArguments(kernel, serialLog, Get("EXO_APPEND") + (quick ? " quick" : ""), InitialRamDiskBeside(kernel));

    /// <summary>The normal boot image's programs, initrd.cpio next to the kernel image; null if there is none.</summary>
    private static string? InitialRamDiskBeside(string kernel)
    {
        var initialRamDisk = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kernel))!, "initrd.cpio");
        return File.Exists(initialRamDisk) ? initialRamDisk : null;
    }

    /// <summary>
    /// Exo-OS running the Linux reference VM's /init and programs through POSIX-X (EXO_POSIX_APPEND) over the bench
    /// image (tools/scripts/make-bench-image.sh); quick mode is the script's own word, exo.quick.
    /// </summary>
    public List<string> ExoPosixArguments(string kernel, string benchImage, string serialLog, bool quick)
        => ExoArguments(kernel, serialLog, Get("EXO_POSIX_APPEND") + (quick ? " exo.quick" : ""), benchImage);

    /// <summary>Exo-OS's normal boot (EXO_SHELL_APPEND: init and its console's login shell) over the bench image (boot.to_shell).</summary>
    public List<string> ExoShellArguments(string kernel, string benchImage, string serialLog)
        => ExoArguments(kernel, serialLog, GetOrDefault("EXO_SHELL_APPEND", ""), benchImage);

    /// <summary>
    /// Exo-OS's storage boot: EXO_STORAGE_APPEND (init's storage configuration) over the storage bench image
    /// (tools/scripts/make-storage-bench-image.sh), 'disk' attached as on Linux; quick mode is the script's exo.quick.
    /// </summary>
    public List<string> ExoStorageArguments(string kernel, string storageImage, string serialLog, string disk, bool quick)
        => WithDisk(ExoArguments(kernel, serialLog, Get("EXO_STORAGE_APPEND") + (quick ? " exo.quick" : ""), storageImage), disk);

    List<string> ExoArguments(string kernel, string serialLog, string append, string? initialRamDisk)
    {
        var args = CommonArguments();
        args.AddRange(new[]
        {
            "-serial", "file:" + serialLog,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel,
            "-append", append,
        });
        if (initialRamDisk != null)
            args.AddRange(new[] { "-initrd", initialRamDisk });
        return args;
    }

    public int LinuxTimeout(bool quick) => GetSeconds(quick ? "LINUX_TIMEOUT_QUICK" : "LINUX_TIMEOUT");
    public int ExoTimeout(bool quick) => GetSeconds(quick ? "EXO_TIMEOUT_QUICK" : "EXO_TIMEOUT");
    /// <summary>The limit of a boot.to_shell boot (either system): the boot alone, no benchmark.</summary>
    public int ShellTimeout => GetSeconds("SHELL_TIMEOUT");
}
