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
    public bool Help { get; set; }

    public const string Usage =
@"usage: dotnet run --project tools/Exo.Bench -- --linux-dir DIR [--exo-kernel PATH] [--out DIR] [--quick]

Boots the Exo-OS kernel and the Linux reference VM (built by tools/bench/linux-reference/build.sh DIR)
concurrently under the same QEMU settings (tools/bench/qemu-settings.env), and compares their EXO-BENCH
lines. Writes OUT/results.json, OUT/ratios.png and the serial logs (OUT: --out, default out/bench).

  --exo-kernel PATH  multiboot1 image of Exo-OS, booted with 'bench' (missing: Exo-OS columns are 'not yet')
  --linux-dir DIR    vmlinuz, initramfs.cpio.gz and linux-version.txt of the Linux reference VM
  --out OUT          output directory (default out/bench)
  --quick            fewer iterations on both sides: a smoke test of the harness, not a measurement
  --settings FILE    QEMU settings (default: tools/bench/qemu-settings.env found above the working directory)
  --exo-log FILE     parse this Exo-OS serial transcript instead of booting Exo-OS
  --linux-log FILE   parse this Linux serial transcript instead of booting the Linux VM

Exit status: 0 when the Linux VM reported every row and the output files were written; 1 when the Linux
VM failed (no EXO-BENCH-DONE or a missing row); 2 for a usage or setup error. Exo-OS reporting nothing
is not an error.";

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

        // Linux reference VM
        Task<GuestRun> linuxTask;
        if (o.LinuxLog != null)
        {
            linuxTask = Task.FromResult(FromLog("linux", o.LinuxLog));
        }
        else
        {
            var log = Path.Combine(outDir, "linux-serial.log");
            var linuxArgs = settings.LinuxArguments(Path.GetFullPath(o.LinuxDir!), log, o.Quick);
            int timeout = settings.LinuxTimeout(o.Quick);
            Console.Error.WriteLine($"bench: booting the Linux reference VM ({mode}, limit {timeout} s): {qemu} {Quote(linuxArgs)}");
            linuxTask = GuestRunner.RunAsync("linux", qemu, linuxArgs, log, timeout, cancel);
        }

        // Exo-OS
        Task<GuestRun> exoTask;
        if (o.ExoLog != null)
        {
            exoTask = Task.FromResult(FromLog("exo", o.ExoLog));
        }
        else if (o.ExoKernel == null || !File.Exists(o.ExoKernel))
        {
            var why = o.ExoKernel == null ? "no --exo-kernel given" : $"{o.ExoKernel} does not exist";
            Console.Error.WriteLine($"bench: not booting Exo-OS: {why}");
            exoTask = Task.FromResult(new GuestRun("exo", false, null, false, 0, "", "", "", why));
        }
        else
        {
            var log = Path.Combine(outDir, "exo-serial.log");
            var exoArgs = settings.ExoArguments(Path.GetFullPath(o.ExoKernel), log, o.Quick);
            int timeout = settings.ExoTimeout(o.Quick);
            Console.Error.WriteLine($"bench: booting Exo-OS ({mode}, limit {timeout} s): {qemu} {Quote(exoArgs)}");
            exoTask = GuestRunner.RunAsync("exo", qemu, exoArgs, log, timeout, cancel);
        }

        var runs = await Task.WhenAll(linuxTask, exoTask);
        total.Stop();
        var linux = runs[0];
        var exo = runs[1];
        if (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench: interrupted; guests stopped");
            return 130;
        }

        var linuxReport = linux.Report;
        var exoReport = exo.Started ? exo.Report : null;
        Describe(linux, linuxReport);
        if (exo.Started)
            Describe(exo, exoReport!);

        var rows = Metrics.Merge(exoReport, linuxReport);
        var header = new RunHeader(
            QemuVersion: GuestRunner.QemuVersion(qemu),
            CpuModel: settings.CpuModel,
            LinuxKernel: linuxKernel,
            Date: DateTimeOffset.UtcNow,
            Quick: o.Quick,
            ExoWallSeconds: exo.Started && o.ExoLog == null ? exo.WallSeconds : null,
            LinuxWallSeconds: linux.Started && o.LinuxLog == null ? linux.WallSeconds : null,
            TotalWallSeconds: total.Elapsed.TotalSeconds,
            Icount: settings.Get("QEMU_ICOUNT"),
            ExoStatus: ExoStatus(exo, exoReport),
            LinuxStatus: linux.Status + (linuxReport.Done ? ", done" : ", no EXO-BENCH-DONE"));

        Console.WriteLine();
        Console.WriteLine($"Exo-OS vs {linuxKernel}: guest instructions per operation (median), QEMU {header.QemuVersion}, " +
                          $"-cpu {header.CpuModel}, -icount {header.Icount}{(o.Quick ? ", QUICK (smoke test, not a measurement)" : "")}");
        Console.WriteLine("ratio = Linux / Exo-OS (above 1: Exo-OS needs fewer instructions)");
        Console.WriteLine();
        Console.Write(ResultsWriter.Table(rows));
        Console.WriteLine();

        File.WriteAllText(resultsPath, ResultsWriter.ToJson(header, rows));
        var chart = RatioChart.Render(rows,
            "Linux / Exo-OS, guest instructions per operation" + (o.Quick ? " (quick)" : ""),
            $"QEMU {header.QemuVersion.Split(' ')[0]} TCG -cpu {header.CpuModel} -icount {header.Icount}; {ShortKernel(linuxKernel)}; {header.Date.UtcDateTime:yyyy-MM-dd}");
        File.WriteAllBytes(chartPath, PngWriter.Encode(chart));
        Console.WriteLine($"bench: wrote {Relative(resultsPath)} and {Relative(chartPath)} " +
                          $"(wall: linux {Seconds(header.LinuxWallSeconds)}, exo {Seconds(header.ExoWallSeconds)}, total {Seconds(header.TotalWallSeconds)})");

        var failures = new List<string>();
        if (!linux.Started)
            failures.Add($"the Linux reference VM did not start: {linux.StartError}");
        else if (!linuxReport.Done)
            failures.Add($"the Linux reference VM did not print EXO-BENCH-DONE ({linux.Status}); see {Relative(linux.SerialLog)}");
        var missing = Metrics.LinuxNames.Where(n => linuxReport.Find(n) == null).ToList();
        if (linux.Started && missing.Count > 0)
            failures.Add("the Linux reference VM did not report " + string.Join(", ", missing));
        foreach (var f in failures)
            Console.Error.WriteLine($"bench: FAILED: {f}");
        return failures.Count == 0 ? 0 : 1;
    }

    static GuestRun FromLog(string label, string path)
    {
        if (!File.Exists(path))
            throw new SetupException($"{path} does not exist");
        return new GuestRun(label, true, null, false, 0, path, File.ReadAllText(path), "", null, FromLog: true);
    }

    static void Describe(GuestRun run, BenchReport report)
    {
        var name = run.Label == "linux" ? "Linux reference VM" : "Exo-OS";
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
