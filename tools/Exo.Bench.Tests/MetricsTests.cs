using System.Text.Json;
using Exo.Bench;

public class MetricsTests
{
    static BenchReport Report(string text) => BenchParser.Parse(text);

    [Fact]
    public void EveryFixedRowIsPresentInOrder()
    {
        var rows = Metrics.Merge(null, null, null);
        Assert.Equal(Metrics.Names, rows.Select(r => r.Name));
        Assert.Equal(47, rows.Count);
        Assert.Equal(Metrics.ControlRow, rows[0].Name);
        Assert.Equal("boot.to_desktop", rows[^1].Name);
        Assert.All(rows, r => Assert.Null(r.Ratio));
        Assert.All(rows, r => Assert.Null(r.PosixRatio));
    }

    [Fact]
    public void ExtraExoRowsAreAppended()
    {
        var exo = Report("EXO-BENCH zz.extra median=5 min=5 iterations=1 unit=instructions\n" +
                         "EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n");
        var rows = Metrics.Merge(exo, null, null);
        Assert.Equal(48, rows.Count);
        Assert.Equal("zz.extra", rows[^1].Name);
        Assert.False(rows[^1].LinuxHasEquivalent);
        Assert.Equal(100UL, rows.First(r => r.Name == "syscall.null").Exo!.Median);
    }

    [Fact]
    public void RatioIsLinuxOverExo()
    {
        var exo = Report("EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=338 min=338 iterations=10 unit=instructions\n");
        var row = Metrics.Merge(exo, null, linux).First(r => r.Name == "syscall.null");
        Assert.Equal(3.38, row.Ratio!.Value, 6);
        Assert.Null(row.PosixRatio);
    }

    [Fact]
    public void PosixRatioIsLinuxOverPosix()
    {
        var posix = Report("EXO-BENCH syscall.null median=169 min=160 iterations=10 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=338 min=338 iterations=10 unit=instructions\n");
        var row = Metrics.Merge(null, posix, linux).First(r => r.Name == "syscall.null");
        Assert.Equal(2.0, row.PosixRatio!.Value, 6);
        Assert.Null(row.Ratio);
        Assert.Equal(169UL, row.Posix!.Median);
    }

    [Fact]
    public void TheControlRowMustAgree()
    {
        static BenchReport Control(ulong median) =>
            Report($"EXO-BENCH control.user_loop median={median} min={median} iterations=100 unit=instructions\n");
        Assert.Null(Metrics.ControlProblem(Metrics.Merge(null, Control(406), Control(406)), posixRan: true, linuxRan: true));
        var differs = Metrics.ControlProblem(Metrics.Merge(null, Control(407), Control(406)), posixRan: true, linuxRan: true);
        Assert.Contains("differs", differs);
        Assert.Contains("missing from the POSIX-X run",
            Metrics.ControlProblem(Metrics.Merge(null, Report(""), Control(406)), posixRan: true, linuxRan: true));
        Assert.Contains("missing from the Linux run",
            Metrics.ControlProblem(Metrics.Merge(null, Control(406), Report("")), posixRan: true, linuxRan: true));
        // A column that did not run has nothing to disagree with.
        Assert.Null(Metrics.ControlProblem(Metrics.Merge(null, null, Control(406)), posixRan: false, linuxRan: true));
    }

    [Fact]
    public void ReportsOfOneColumnCombine()
    {
        var posix = Report("EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\nEXO-BENCH-DONE\n");
        var shell = Report("EXO-BENCH boot.to_shell median=5 min=5 iterations=1 unit=instructions\nEXO-BENCH-DONE\n");
        var combined = BenchReport.Combine(new[] { posix, shell });
        Assert.True(combined.Done);
        Assert.Equal(100UL, combined.Find("syscall.null")!.Median);
        Assert.Equal(5UL, combined.Find("boot.to_shell")!.Median);
        Assert.False(BenchReport.Combine(new[] { posix, Report("") }).Done);
    }

    [Fact]
    public void RowsWithoutLinuxEquivalent()
    {
        Assert.Equal(new[] { "alloc.refill", "sched.pick", "ipc.ring_msg", "ipc.zero_copy_1M" }.Concat(AudioBench.Rows)
            .Concat(new[] { "gui.compose_full", "gui.compose_damage", "gui.key_to_pixel", "boot.to_desktop" }),
            Metrics.Names.Where(n => Metrics.NoLinuxEquivalent.Contains(n)));
        Assert.True(Metrics.IsNativeOnly("boot.to_desktop") && Metrics.IsNativeOnly("audio.underruns") && !Metrics.IsNativeOnly("boot.to_init"));
        Assert.Equal(33, Metrics.LinuxNames.Count());
        Assert.Equal(new[] { Metrics.ControlRow, "proc.exec_dynamic", "python.startup", "hackbench.process_socket",
            "hackbench.process_pipe", "hackbench.thread_socket", "hackbench.thread_pipe", "disk.read_4k", "disk.write_4k_fsync", "disk.seq_read_1M", "file.cached_read_4k",
            "file.create_delete", "boot.to_shell" }, Metrics.Names.Where(n => Metrics.NoExoEquivalent.Contains(n)));
    }

    [Fact]
    public void TableShowsNotYetAndDash()
    {
        var linux = Report("EXO-BENCH syscall.null median=338 min=338 iterations=10 unit=instructions\n");
        var table = ResultsWriter.Table(Metrics.Merge(null, null, linux));
        var lines = table.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("syscall.null", StringComparison.Ordinal) && l.Contains("not yet") && l.Contains("338"));
        Assert.Contains(lines, l => l.StartsWith("sched.pick", StringComparison.Ordinal) && l.Contains("not yet") && l.Contains(" - "));
        Assert.Contains(lines, l => l.StartsWith("syscall.getpid", StringComparison.Ordinal) && l.Contains("missing"));
        // The control row has no Exo-OS figure of its own: "-", not "not yet".
        var control = lines.First(l => l.StartsWith(Metrics.ControlRow, StringComparison.Ordinal));
        Assert.Equal(new[] { Metrics.ControlRow, "-", "not", "yet", "missing", "-", "-", "instructions" },
            control.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("POSIX-X", lines[0]);
    }

    [Fact]
    public void TableRatioHasTwoDecimals()
    {
        var exo = Report("EXO-BENCH syscall.null median=3 min=3 iterations=10 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=10 min=10 iterations=10 unit=instructions\n");
        var line = ResultsWriter.Table(Metrics.Merge(exo, null, linux)).Split('\n').First(l => l.StartsWith("syscall.null", StringComparison.Ordinal));
        Assert.Contains(" 3.33 ", line);
    }

    [Fact]
    public void JsonHasHeaderAndEveryRow()
    {
        var exo = Report("EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n");
        var posix = Report("EXO-BENCH syscall.null median=169 min=160 iterations=20 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=338 min=330 iterations=1000 unit=instructions\n");
        var guests = new[] { new GuestSummary("exo", "not run", null), new GuestSummary("linux", "exit 0, done", 12.346) };
        var header = new RunHeader("7.2.22 (Debian 1:7.2+dfsg)", "max", "Linux 6.1.0-56-amd64",
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), true, guests, 13.0, "shift=0");
        using var doc = JsonDocument.Parse(ResultsWriter.ToJson(header, Metrics.Merge(exo, posix, linux)));
        var h = doc.RootElement.GetProperty("header");
        Assert.Equal("7.2.22 (Debian 1:7.2+dfsg)", h.GetProperty("qemu_version").GetString());
        Assert.Equal("max", h.GetProperty("cpu_model").GetString());
        Assert.Equal("Linux 6.1.0-56-amd64", h.GetProperty("linux_kernel").GetString());
        Assert.Equal("2025-01-02T03:04:05Z", h.GetProperty("date").GetString());
        Assert.True(h.GetProperty("quick").GetBoolean());
        Assert.Equal("not run", h.GetProperty("exo_status").GetString());
        Assert.Equal("exit 0, done", h.GetProperty("linux_status").GetString());
        var wall = h.GetProperty("wall_seconds");
        Assert.Equal(JsonValueKind.Null, wall.GetProperty("exo").ValueKind);
        Assert.Equal(12.35, wall.GetProperty("linux").GetDouble());
        Assert.Equal(13.0, wall.GetProperty("total").GetDouble());

        var results = doc.RootElement.GetProperty("results");
        Assert.Equal(47, results.GetArrayLength());
        Assert.Equal(Metrics.ControlRow, results[0].GetProperty("name").GetString());
        var first = results[1];
        Assert.Equal("syscall.null", first.GetProperty("name").GetString());
        Assert.Equal("instructions", first.GetProperty("unit").GetString());
        Assert.Equal(100UL, first.GetProperty("exo").GetUInt64());
        Assert.Equal(169UL, first.GetProperty("posix").GetUInt64());
        Assert.Equal(338UL, first.GetProperty("linux").GetUInt64());
        Assert.Equal(90UL, first.GetProperty("exo_min").GetUInt64());
        Assert.Equal(160UL, first.GetProperty("posix_min").GetUInt64());
        Assert.Equal(330UL, first.GetProperty("linux_min").GetUInt64());
        Assert.Equal(10UL, first.GetProperty("iterations").GetProperty("exo").GetUInt64());
        Assert.Equal(20UL, first.GetProperty("iterations").GetProperty("posix").GetUInt64());
        Assert.Equal(1000UL, first.GetProperty("iterations").GetProperty("linux").GetUInt64());
        Assert.Equal(3.38, first.GetProperty("ratio").GetDouble(), 4);
        Assert.Equal(2.0, first.GetProperty("posix_ratio").GetDouble(), 4);
        var second = results[2];
        foreach (var key in new[] { "exo", "posix", "linux", "exo_min", "posix_min", "linux_min", "ratio", "posix_ratio" })
            Assert.Equal(JsonValueKind.Null, second.GetProperty(key).ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("iterations").GetProperty("exo").ValueKind);
    }

    [Fact]
    public void AudioRowsComeFromAudioTestsLines()
    {
        var transcript = "audio: mixing\r\n" +
            "audio_test: bench: audio.latency_p50 19712 us, audio.latency_p99 21696 us, audio.underruns 0, wake-up lateness p99 1024 us, max 1934 us\r\n" +
            "audio_test: bench under load: audio.latency_p50 19840 us, audio.latency_p99 29000 us, audio.underruns 3, wake-up lateness p99 64 us, max 57 us\r\n" +
            "EXO-BENCH-DONE\r\n";
        var report = AudioBench.Parse(transcript);
        Assert.True(report.Done);
        Assert.Equal(19712UL, report.Find("audio.latency_p50")!.Median);
        Assert.Equal(21696UL, report.Find("audio.latency_p99")!.Median);
        Assert.Equal(0UL, report.Find("audio.underruns")!.Median);
        Assert.Equal(29000UL, report.Find("audio.latency_p99_load")!.Median);
        Assert.Equal(3UL, report.Find("audio.underruns_load")!.Median);
        Assert.Equal("us", report.Find("audio.latency_p50")!.Unit);
        Assert.Equal("count", report.Find("audio.underruns")!.Unit);
        Assert.Empty(AudioBench.Parse("audio_test: bench under a CPU hog: audio.latency_p50 1 us, audio.latency_p99 2 us, audio.underruns 0,\n").Results);

        var rows = Metrics.Merge(report, null, null);
        var table = ResultsWriter.Table(rows).Split('\n');
        var line = table.First(l => l.StartsWith("audio.latency_p99 ", StringComparison.Ordinal));
        Assert.Contains("21696", line);
        Assert.Contains("n/a", line);
        Assert.EndsWith("us", line.TrimEnd());
        Assert.Null(rows.First(r => r.Name == "audio.latency_p99").Ratio);
        Assert.Contains("\"unit\": \"count\"", ResultsWriter.ToJson(new RunHeader("q", "max", "linux", DateTimeOffset.UnixEpoch, true,
            new List<GuestSummary>(), 1, "shift=0"), rows));
    }
}
