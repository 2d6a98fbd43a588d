using System.Diagnostics;
using System.Globalization;

namespace Exo.Bench;

/// <summary>Command-line options of the driver.</summary>
public sealed class Options
{
    public string? ExoKernel { get; set; }
    public string? LinuxDir { get; set; }
    public string OutDir { get; set; } = "out/bench";
    public bool Quick { get; set; }
    public string? Settings { get; set; }
    public string? ExoLog { get; set; }
    public string? LinuxLog { get; set; }
    public string? BenchImage { get; set; }
    public string? StorageImage { get; set; }
    public string? StorageBenchImage { get; set; }
    /// <summary>tools/bench/exo_count.c built: the storage boots' rows become the instructions executed between the
    /// program's marks (<see cref="InstructionMarks"/>); without it they are TSC figures, the disk's real latency included.</summary>
    public string? CountPlugin { get; set; }
    public string? DynamicBenchImage { get; set; }
    public string? NetworkBenchImage { get; set; }
    /// <summary>Only this part's boots ("storage" or "network"), while working on it; null: every boot.</summary>
    public string? Only { get; set; }
    public bool StorageOnly => Only == "storage";
    /// <summary>Whether a part's boots (storage, dynamic, network, or null for the rest) are made in this run.</summary>
    public bool Runs(string? part) => Only == null || Only == part;
    public bool Help { get; set; }

    public const string Usage =
@"usage: dotnet run --project tools/Exo.Bench -- --linux-dir DIR [--exo-kernel PATH] [--bench-image PATH] [--out DIR] [--quick]

Boots the Exo-OS kernel and the Linux reference VM (built by tools/bench/linux-reference/build.sh DIR)
under the same QEMU settings (tools/bench/qemu-settings.env), the two systems concurrently (the storage boots last, one at a time, alone), and compares
their EXO-BENCH lines. Exo-OS boots up to five times, one after the other: its own benchmarks ('bench'),
the reference VM's /init and programs through POSIX-X ('bench=posix', the posix column), its normal boot
to the login shell (boot.to_shell), its storage boot and its dynamic boot; Linux likewise: its benchmarks,
its login shell, its storage and dynamic boots. Writes
OUT/results.json, OUT/ratios.png and the serial logs (OUT: --out, default out/bench).

  --exo-kernel PATH  multiboot1 image of Exo-OS, booted with 'bench' (missing: Exo-OS columns are 'not yet')
  --bench-image PATH the initial RAM disk of the POSIX-X and boot.to_shell boots (tools/scripts/make-bench-image.sh;
                     missing: those boots are not made, the posix column is 'not yet')
  --linux-dir DIR    vmlinuz, initramfs.cpio.gz and linux-version.txt of the Linux reference VM
  --storage-image PATH  the storage boots' disk (tools/bench/make-storage-image.sh), copied fresh for each; with it,
                     Linux boots once more with initramfs-storage.cpio.gz (missing: no storage rows on either side)
  --storage-bench-image PATH  the initial RAM disk of Exo-OS's storage boot (tools/scripts/make-storage-bench-image.sh;
                     missing: no Exo-OS storage boot)
  --count-plugin PATH  tools/bench/exo_count.c built (make count-plugin): the storage rows count the instructions the
                     guest executed between the program's marks, its halted time excluded (missing: they are TSC
                     figures, which -icount sleep=on advances with the host's real time while the guest waits)
  --dynamic-bench-image PATH  the initial RAM disk of Exo-OS's dynamic boot (tools/scripts/make-dynamic-bench-image.sh);
                     with it, both systems boot once more to run Debian's dynamic programs (proc.exec_dynamic,
                     python.startup, hackbench.*), Linux with initramfs-dynamic.cpio.gz (missing: no such rows)
  --network-bench-image PATH  the initial RAM disk of Exo-OS's network boots (tools/scripts/make-network-bench-image.sh);
                     with it, each system boots once more with a virtio-net card for the net.* rows (Exo-OS twice: the
                     reference program through POSIX-X, and net_bench through its native sockets), Linux with
                     initramfs-network.cpio.gz (missing: no such rows)
  --only PART        only the two storage boots (PART: storage) or the three network boots (network), while
                     working on them; no control row check
  --storage-only     the same as --only storage
  --out OUT          output directory (default out/bench)
  --quick            fewer iterations on both sides: a smoke test of the harness, not a measurement
  --settings FILE    QEMU settings (default: tools/bench/qemu-settings.env found above the working directory)
  --exo-log FILE     parse this Exo-OS serial transcript instead of booting Exo-OS (no POSIX-X or shell boots)
  --linux-log FILE   parse this Linux serial transcript instead of booting the Linux VM (no shell boot)

Exit status: 0 when the Linux VM reported every row, the control row agreed and the output files were
written; 1 when the Linux VM failed (no EXO-BENCH-DONE or a missing row) or control.user_loop differs
between POSIX-X and Linux (or is missing from a run that should have it); 2 for a usage or setup error.
Exo-OS reporting nothing is not an error.";

    public static Options Parse(IReadOnlyList<string> args)
    {
        var o = new Options();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--exo-kernel": o.ExoKernel = Value(); break;
                case "--linux-dir": o.LinuxDir = Value(); break;
                case "--out": o.OutDir = Value(); break;
                case "--quick": o.Quick = true; break;
                case "--settings": o.Settings = Value(); break;
                case "--exo-log": o.ExoLog = Value(); break;
                case "--linux-log": o.LinuxLog = Value(); break;
                case "--bench-image": o.BenchImage = Value(); break;
                case "--storage-image": o.StorageImage = Value(); break;
                case "--storage-bench-image": o.StorageBenchImage = Value(); break;
                case "--count-plugin": o.CountPlugin = Value(); break;
                case "--dynamic-bench-image": o.DynamicBenchImage = Value(); break;
                case "--network-bench-image": o.NetworkBenchImage = Value(); break;
                case "--storage-only": o.Only = "storage"; break;
                case "--only":
                    o.Only = Value();
                    if (o.Only != "storage" && o.Only != "network")
                        throw new ArgumentException($"--only takes storage or network, not '{o.Only}'");
                    break;
                case "-h": case "--help": o.Help = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (!o.Help && o.LinuxDir == null && o.LinuxLog == null)
            throw new ArgumentException("--linux-dir is required");
        return o;
    }
}

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}\n\n{Options.Usage}");
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            return await RunAsync(options, cancel.Token);
        }
        catch (SetupException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            return 2;
        }
    }

    sealed class SetupException(string message) : Exception(message);

    static async Task<int> RunAsync(Options o, CancellationToken cancel)
    {
        var settingsPath = o.Settings ?? QemuSettings.Locate()
            ?? throw new SetupException($"cannot find {QemuSettings.RelativePath} (run from the repository or pass --settings)");
        var settings = QemuSettings.Load(settingsPath);

        var outDir = Path.GetFullPath(o.OutDir);
        Directory.CreateDirectory(outDir);
        var resultsPath = Path.Combine(outDir, "results.json");
        var chartPath = Path.Combine(outDir, "ratios.png");
        File.Delete(resultsPath);
        File.Delete(chartPath);

        string linuxKernel = "unknown";
        if (o.LinuxDir != null)
        {
            var dir = Path.GetFullPath(o.LinuxDir);
            foreach (var f in new[] { "vmlinuz", "initramfs.cpio.gz" })
                if (o.LinuxLog == null && !File.Exists(Path.Combine(dir, f)))
                    throw new SetupException($"{Path.Combine(dir, f)} is missing: run tools/bench/linux-reference/build.sh {o.LinuxDir} first");
            var versionFile = Path.Combine(dir, "linux-version.txt");
            if (File.Exists(versionFile))
                linuxKernel = File.ReadAllText(versionFile).Trim();
        }

        string qemu = settings.QemuBinary;
        string mode = o.Quick ? "quick" : "full";
        var total = Stopwatch.StartNew();
        // A boot of the run: a guest to start (or a transcript to read), then what it ran is known by its label.
        Task<GuestRun> Boot(string label, string what, List<string> args, string log, int timeout, TimeSpan? doneGrace = null)
        {
            Console.Error.WriteLine($"bench: booting {what} (limit {timeout} s): {qemu} {Quote(args)}");
            return GuestRunner.RunAsync(label, qemu, args, log, timeout, cancel, doneGrace);
        }
        string Log(string name) => Path.Combine(outDir, name);

        // The storage boots: each system on its own fresh copy of the disk image.
        string? storageImage = o.StorageImage != null && File.Exists(o.StorageImage) ? Path.GetFullPath(o.StorageImage) : null;
        if (o.StorageImage != null && storageImage == null)
            Console.Error.WriteLine($"bench: no storage boots: {o.StorageImage} does not exist");
        string FreshDisk(string label)
        {
            var disk = Log(label + "-disk.img");
            File.Copy(storageImage!, disk, overwrite: true);
            return disk;
        }
        string? countPlugin = o.CountPlugin != null && File.Exists(o.CountPlugin) ? Path.GetFullPath(o.CountPlugin) : null;
        if (storageImage != null && countPlugin == null)
            Console.Error.WriteLine($"bench: the storage rows are TSC figures, the disk's real latency included: " +
                (o.CountPlugin == null ? "no --count-plugin given" : $"{o.CountPlugin} does not exist"));
        string MarksOf(string label) => Log(label + "-marks.txt");
        // A storage boot's arguments with the counting plugin writing the program's marks to MarksOf(label).
        List<string> Counted(string label, List<string> args)
        {
            File.Delete(MarksOf(label));
            if (countPlugin != null)
                args.AddRange(new[] { "-plugin", countPlugin + ",out=" + MarksOf(label) });
            return args;
        }

        // The dynamic boots: only with Exo-OS's image and Linux's archive both there.
        string? dynamicImage = o.DynamicBenchImage != null && File.Exists(o.DynamicBenchImage) ? Path.GetFullPath(o.DynamicBenchImage) : null;
        if (o.DynamicBenchImage != null && dynamicImage == null)
            Console.Error.WriteLine($"bench: no dynamic boots: {o.DynamicBenchImage} does not exist");
        if (dynamicImage != null && o.LinuxDir != null && !File.Exists(Path.Combine(o.LinuxDir, QemuSettings.DynamicInitialRamDisk)))
        {
            Console.Error.WriteLine($"bench: no dynamic boots: {Path.Combine(o.LinuxDir, QemuSettings.DynamicInitialRamDisk)} does not exist");
            dynamicImage = null;
        }
        bool dynamicBoots = dynamicImage != null && o.Runs("dynamic");

        // The network boots: only with Exo-OS's image and Linux's archive both there.
        string? networkImage = o.NetworkBenchImage != null && File.Exists(o.NetworkBenchImage) ? Path.GetFullPath(o.NetworkBenchImage) : null;
        if (o.NetworkBenchImage != null && networkImage == null)
            Console.Error.WriteLine($"bench: no network boots: {o.NetworkBenchImage} does not exist");
        if (networkImage != null && o.LinuxDir != null && !File.Exists(Path.Combine(o.LinuxDir, QemuSettings.NetworkInitialRamDisk)))
        {
            Console.Error.WriteLine($"bench: no network boots: {Path.Combine(o.LinuxDir, QemuSettings.NetworkInitialRamDisk)} does not exist");
            networkImage = null;
        }
        bool networkBoots = networkImage != null && o.Runs("network");

        // The storage boots run last, one after the other, with nothing beside them: their count depends on whether the
        // processor goes idle while the emulated disk works (Linux's idle entry and exit, NOHZ, cost it some 5,000
        // instructions a wait), and a guest slowed by another on the same host found its reads done before it halted.
        var storageBoots = new List<Func<Task<GuestRun>>>();

        // Linux: the reference VM's benchmarks, then the same VM booted to its login shell, then its dynamic boot.
        Task<IReadOnlyList<GuestRun>> linuxTask;
        if (o.LinuxLog != null)
        {
            linuxTask = Task.FromResult<IReadOnlyList<GuestRun>>(new[] { FromLog("linux", o.LinuxLog) });
        }
        else
        {
            var dir = Path.GetFullPath(o.LinuxDir!);
            var boots = new List<Func<Task<GuestRun>>>();
            if (o.Runs(null))
            {
                boots.Add(() => Boot("linux", $"the Linux reference VM ({mode})", settings.LinuxArguments(dir, Log("linux-serial.log"), o.Quick),
                    Log("linux-serial.log"), settings.LinuxTimeout(o.Quick)));
                boots.Add(() => Boot("linux_shell", "the Linux reference VM to its login shell", settings.LinuxShellArguments(dir, Log("linux-shell-serial.log")),
                    Log("linux-shell-serial.log"), settings.ShellTimeout, TimeSpan.Zero));
            }
            if (storageImage != null && o.Runs("storage"))
                storageBoots.Add(() => Boot("linux_storage", $"the Linux reference VM's storage boot ({mode})",
                    Counted("linux_storage", settings.LinuxStorageArguments(dir, Log("linux-storage-serial.log"), FreshDisk("linux-storage"), o.Quick)),
                    Log("linux-storage-serial.log"), settings.LinuxTimeout(o.Quick)));
            if (dynamicBoots)
                boots.Add(() => Boot("linux_dynamic", $"the Linux reference VM's dynamic boot ({mode})",
                    settings.LinuxDynamicArguments(dir, Log("linux-dynamic-serial.log"), o.Quick),
                    Log("linux-dynamic-serial.log"), settings.LinuxTimeout(o.Quick)));
            if (networkBoots)
                boots.Add(() => Boot("linux_network", $"the Linux reference VM's network boot ({mode})",
                    settings.LinuxNetworkArguments(dir, Log("linux-network-serial.log"), o.Quick),
                    Log("linux-network-serial.log"), settings.LinuxTimeout(o.Quick)));
            linuxTask = Sequence(boots.ToArray());
        }

        // Exo-OS: its own benchmarks, then the reference programs through POSIX-X, then its boot to the login shell.
        Task<IReadOnlyList<GuestRun>> exoTask;
        string? benchImage = o.BenchImage != null && File.Exists(o.BenchImage) ? Path.GetFullPath(o.BenchImage) : null;
        if (o.ExoLog != null)
        {
            exoTask = Task.FromResult<IReadOnlyList<GuestRun>>(new[] { FromLog("exo", o.ExoLog) });
        }
        else if (o.ExoKernel == null || !File.Exists(o.ExoKernel))
        {
            var why = o.ExoKernel == null ? "no --exo-kernel given" : $"{o.ExoKernel} does not exist";
            Console.Error.WriteLine($"bench: not booting Exo-OS: {why}");
            exoTask = Task.FromResult<IReadOnlyList<GuestRun>>(new[] { new GuestRun("exo", false, null, false, 0, "", "", "", why) });
        }
        else
        {
            var kernel = Path.GetFullPath(o.ExoKernel);
            var boots = new List<Func<Task<GuestRun>>>();
            if (o.Runs(null))
                boots.Add(() => Boot("exo", $"Exo-OS ({mode})", settings.ExoArguments(kernel, Log("exo-serial.log"), o.Quick),
                    Log("exo-serial.log"), settings.ExoTimeout(o.Quick)));
            if (o.Runs(null) && benchImage != null)
            {
                boots.Add(() => Boot("posix", $"Exo-OS with the reference programs through POSIX-X ({mode})",
                    settings.ExoPosixArguments(kernel, benchImage, Log("posix-serial.log"), o.Quick), Log("posix-serial.log"), settings.ExoTimeout(o.Quick)));
                boots.Add(() => Boot("exo_shell", "Exo-OS to its login shell",
                    settings.ExoShellArguments(kernel, benchImage, Log("exo-shell-serial.log")), Log("exo-shell-serial.log"), settings.ShellTimeout, TimeSpan.Zero));
            }
            else if (o.Runs(null))
            {
                Console.Error.WriteLine($"bench: no POSIX-X or boot.to_shell boots: " +
                    (o.BenchImage == null ? "no --bench-image given" : $"{o.BenchImage} does not exist"));
            }
            // Its script sleeps once it printed EXO-BENCH-DONE (no poweroff through POSIX-X): stopped at once.
            if (storageImage != null && o.Runs("storage") && o.StorageBenchImage != null && File.Exists(o.StorageBenchImage))
                storageBoots.Add(() => Boot("posix_storage", $"Exo-OS's storage boot ({mode})",
                    Counted("posix_storage", settings.ExoStorageArguments(kernel, Path.GetFullPath(o.StorageBenchImage),
                        Log("posix-storage-serial.log"), FreshDisk("posix-storage"), o.Quick)),
                    Log("posix-storage-serial.log"), settings.ExoTimeout(o.Quick), TimeSpan.Zero));
            if (dynamicBoots)
                boots.Add(() => Boot("posix_dynamic", $"Exo-OS's dynamic boot ({mode})",
                    settings.ExoPosixArguments(kernel, dynamicImage!, Log("posix-dynamic-serial.log"), o.Quick),
                    Log("posix-dynamic-serial.log"), settings.ExoTimeout(o.Quick), TimeSpan.Zero));
            // Both print EXO-BENCH-DONE and stay up (init goes on): stopped at once.
            if (networkBoots)
            {
                boots.Add(() => Boot("posix_network", $"Exo-OS's network boot through POSIX-X ({mode})",
                    settings.ExoNetworkArguments(kernel, networkImage!, Log("posix-network-serial.log"), native: false, o.Quick),
                    Log("posix-network-serial.log"), settings.ExoTimeout(o.Quick), TimeSpan.Zero));
                boots.Add(() => Boot("exo_network", $"Exo-OS's network boot with its native sockets ({mode})",
                    settings.ExoNetworkArguments(kernel, networkImage!, Log("exo-network-serial.log"), native: true, o.Quick),
                    Log("exo-network-serial.log"), settings.ExoTimeout(o.Quick), TimeSpan.Zero));
            }
            // The audio boot: audio_test prints EXO-BENCH-DONE and the system stays up: stopped at once.
            if (o.Runs(null))
                boots.Add(() => Boot("exo_audio", $"Exo-OS's audio boot ({mode})",
                    settings.ExoAudioArguments(kernel, Log("exo-audio-serial.log"), Log("audio.wav"), o.Quick),
                    Log("exo-audio-serial.log"), settings.ExoTimeout(o.Quick), TimeSpan.Zero));
            // The desktop boot: the compositor prints EXO-BENCH-DONE after its rows and goes on: stopped at once.
            if (o.Runs(null))
                boots.Add(() => Boot("exo_desktop", $"Exo-OS's desktop boot ({mode})",
                    settings.ExoDesktopArguments(kernel, Log("exo-desktop-serial.log")),
                    Log("exo-desktop-serial.log"), settings.ExoTimeout(o.Quick), TimeSpan.Zero));
            exoTask = Sequence(boots.ToArray());
        }

        var runs = await Task.WhenAll(linuxTask, exoTask);
        IReadOnlyList<GuestRun> storageRuns = cancel.IsCancellationRequested ? Array.Empty<GuestRun>() : await Sequence(storageBoots.ToArray());
        total.Stop();
        if (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench: interrupted; guests stopped");
            return 130;
        }
        var guests = runs[0].Concat(runs[1]).Concat(storageRuns).ToList();
        GuestRun? Run(string label) => guests.FirstOrDefault(g => g.Label == label);
        var failures = new List<string>();
        // A run's report; a storage boot's rows counted from its marks when the plugin ran.
        BenchReport ReportFor(GuestRun run)
        {
            if (countPlugin == null || (run.Label != "linux_storage" && run.Label != "posix_storage"))
                return run.Report;
            try
            {
                return InstructionMarks.Apply(run.Report, File.Exists(MarksOf(run.Label)) ? File.ReadAllText(MarksOf(run.Label)) : "",
                    Metrics.StorageRows);
            }
            catch (FormatException e)
            {
                failures.Add($"{run.Label}: the counting plugin's marks ({Relative(MarksOf(run.Label))}) do not fit its rows: {e.Message}");
                return run.Report;
            }
        }
        var reportOfRun = guests.ToDictionary(g => g.Label, ReportFor);
        BenchReport? ReportOf(params string[] labels)
        {
            var reports = labels.Select(Run).Where(g => g != null && g.Started).Select(g => reportOfRun[g!.Label]).ToList();
            return reports.Count == 0 ? null : BenchReport.Combine(reports);
        }
        foreach (var guest in guests)
            Describe(guest, reportOfRun[guest.Label]);

        var linux = Run("linux") ?? Run("linux_storage") ?? Run("linux_network")!;
        var linuxReport = ReportOf("linux", "linux_shell", "linux_storage", "linux_dynamic", "linux_network")!;
        var exoReport = ReportOf("exo", "exo_network", "exo_desktop");
        var audio = Run("exo_audio");
        if (audio is { Started: true })
            exoReport = BenchReport.Combine(exoReport == null ? new[] { AudioBench.Parse(audio.Transcript) } : new[] { exoReport, AudioBench.Parse(audio.Transcript) });
        var posixReport = ReportOf("posix", "exo_shell", "posix_storage", "posix_dynamic", "posix_network");
        var rows = Metrics.Merge(exoReport, posixReport, linuxReport);
        var header = new RunHeader(
            QemuVersion: GuestRunner.QemuVersion(qemu),
            CpuModel: settings.CpuModel,
            LinuxKernel: linuxKernel,
            Date: DateTimeOffset.UtcNow,
            Quick: o.Quick,
            Guests: guests.Select(g => new GuestSummary(g.Label, StatusOf(g), g.Started && !g.FromLog ? g.WallSeconds : null)).ToList(),
            TotalWallSeconds: total.Elapsed.TotalSeconds,
            Icount: settings.Get("QEMU_ICOUNT"));

        Console.WriteLine();
        Console.WriteLine($"Exo-OS vs {linuxKernel}: guest instructions per operation (median), QEMU {header.QemuVersion}, " +
                          $"-cpu {header.CpuModel}, -icount {header.Icount}{(o.Quick ? ", QUICK (smoke test, not a measurement)" : "")}");
        Console.WriteLine("Exo-OS: its own implementation; POSIX-X: the Linux reference binary on Exo-OS; ratio = Linux / Exo-OS, " +
                          "posix ratio = Linux / POSIX-X (above 1: Exo-OS needs fewer instructions)");
        if (storageImage != null && countPlugin != null)
            Console.WriteLine($"disk.* and file.* rows: the storage boots, -icount {settings.Get("STORAGE_ICOUNT")}: the instructions the guest " +
                              "executed (tools/bench/exo_count.c), not the time it waited for the disk");
        else if (storageImage != null)
            Console.WriteLine($"disk.* and file.* rows: the storage boots, -icount {settings.Get("STORAGE_ICOUNT")}: guest instructions plus the " +
                              "emulated disk's real latency while the guest waits (they vary from run to run)");
        Console.WriteLine();
        Console.Write(ResultsWriter.Table(rows));
        Console.WriteLine();

        File.WriteAllText(resultsPath, ResultsWriter.ToJson(header, rows));
        var chart = RatioChart.Render(RatioChart.Entries(rows),
            "Linux / Exo-OS, guest instructions per operation" + (o.Quick ? " (quick)" : ""),
            $"QEMU {header.QemuVersion.Split(' ')[0]} TCG -cpu {header.CpuModel} -icount {header.Icount}; {ShortKernel(linuxKernel)}; {header.Date.UtcDateTime:yyyy-MM-dd}");
        File.WriteAllBytes(chartPath, PngWriter.Encode(chart));
        Console.WriteLine($"bench: wrote {Relative(resultsPath)} and {Relative(chartPath)} (wall: " +
                          string.Join(", ", header.Guests.Select(g => $"{g.Label} {Seconds(g.WallSeconds)}")) +
                          $", total {Seconds(header.TotalWallSeconds)})");

        if (!linux.Started)
            failures.Add($"the Linux reference VM did not start: {linux.StartError}");
        else if (!linux.Report.Done)
            failures.Add($"the Linux reference VM did not print EXO-BENCH-DONE ({linux.Status}); see {Relative(linux.SerialLog)}");
        var linuxShell = Run("linux_shell");
        var linuxStorage = Run("linux_storage");
        var linuxDynamic = Run("linux_dynamic");
        var linuxNetwork = Run("linux_network");
        var expected = Metrics.LinuxNames.Where(n => (n != "boot.to_shell" || linuxShell != null) && (!Metrics.StorageRows.Contains(n) || linuxStorage != null)
            && (!Metrics.DynamicRows.Contains(n) || linuxDynamic != null) && (!Metrics.NetworkRows.Contains(n) || linuxNetwork != null)
            && (o.Only == null || (o.StorageOnly ? Metrics.StorageRows : Metrics.NetworkRows).Contains(n)));
        var missing = expected.Where(n => linuxReport.Find(n) == null).ToList();
        if (linux.Started && missing.Count > 0)
            failures.Add("the Linux reference VM did not report " + string.Join(", ", missing));
        var control = o.Only != null ? null : Metrics.ControlProblem(rows, posixRan: Run("posix") is { Started: true }, linuxRan: linux.Started && o.LinuxLog == null);
        if (control != null)
            failures.Add(control);
        foreach (var f in failures)
            Console.Error.WriteLine($"bench: FAILED: {f}");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs the boots one after the other (a system's boots share nothing but the host's time).</summary>
    static async Task<IReadOnlyList<GuestRun>> Sequence(params Func<Task<GuestRun>>[] boots)
    {
        var runs = new List<GuestRun>();
        foreach (var boot in boots)
            runs.Add(await boot());
        return runs;
    }

    static GuestRun FromLog(string label, string path)
    {
        if (!File.Exists(path))
            throw new SetupException($"{path} does not exist");
        return new GuestRun(label, true, null, false, 0, path, File.ReadAllText(path), "", null, FromLog: true);
    }

    static void Describe(GuestRun run, BenchReport report)
    {
        var name = run.Label switch
        {
            "linux" => "Linux reference VM",
            "linux_shell" => "Linux reference VM to its shell",
            "linux_storage" => "Linux reference VM's storage boot",
            "posix_storage" => "Exo-OS's storage boot",
            "linux_dynamic" => "Linux reference VM's dynamic boot",
            "posix_dynamic" => "Exo-OS's dynamic boot",
            "linux_network" => "Linux reference VM's network boot",
            "posix_network" => "Exo-OS's network boot through POSIX-X",
            "exo_network" => "Exo-OS's network boot with its native sockets",
            "exo_audio" => "Exo-OS's audio boot",
            "posix" => "Exo-OS through POSIX-X",
            "exo_shell" => "Exo-OS to its shell",
            _ => "Exo-OS",
        };
        if (!run.Started)
            return;
        var after = run.FromLog ? "" : $" after {run.WallSeconds:0.0} s";
        Console.Error.WriteLine($"bench: {name}: {run.Status}{after}, {report.Results.Count} result(s)" +
                                (report.Done ? "" : ", no EXO-BENCH-DONE"));
        if (report.Panic != null)
            Console.Error.WriteLine($"bench: {name}: {report.Panic}");
        foreach (var bad in report.Malformed)
            Console.Error.WriteLine($"bench: {name}: ignored malformed line: {bad}");
        if (run.Stderr.Length > 0)
            foreach (var line in run.Stderr.Split('\n').Take(10))
                Console.Error.WriteLine($"bench: {name}: qemu: {line}");
    }

    /// <summary>A boot's status for the results header: Exo-OS's with what its exit status means.</summary>
    static string StatusOf(GuestRun run)
    {
        if (!run.Started || run.Label.StartsWith("linux", StringComparison.Ordinal))
            return run.Status + (run.Started ? (run.Report.Done ? ", done" : ", no EXO-BENCH-DONE") : "");
        return ExoStatus(run, run.Report);
    }

    static string ExoStatus(GuestRun exo, BenchReport? report)
    {
        if (!exo.Started)
            return exo.Status;
        if (exo.Transcript.Length == 0 && exo.Stderr.Length > 0)
            return $"{exo.Status} (qemu: {exo.Stderr.Split('\n')[0]})";
        var meaning = exo.ExitCode switch
        {
            1 => " (success)",
            3 => " (test failure)",
            65 => " (kernel panic)",
            _ => "",
        };
        return exo.Status + meaning + (report!.Done ? ", done" : ", no EXO-BENCH-DONE");
    }

    static string ShortKernel(string version)
    {
        int paren = version.IndexOf(" (", StringComparison.Ordinal);
        return paren > 0 ? version[..paren] : version;
    }

    static string Seconds(double? s) => s is double v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "-";

    static string Relative(string path)
    {
        var rel = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    static string Quote(IEnumerable<string> args) =>
        string.Join(" ", args.Select(a => a.Length > 0 && a.All(ch => char.IsAsciiLetterOrDigit(ch) || "-_=.,:/+".Contains(ch)) ? a : "'" + a.Replace("'", "'\\''") + "'"));
}
