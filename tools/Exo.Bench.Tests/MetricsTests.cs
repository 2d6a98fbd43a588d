using System.Text.Json;
using Exo.Bench;

public class MetricsTests
{
    static BenchReport Report(string text) => BenchParser.Parse(text);

    [Fact]
    public void EveryFixedRowIsPresentInOrder()
    {
        var rows = Metrics.Merge(null, null);
        Assert.Equal(Metrics.Names, rows.Select(r => r.Name));
        Assert.Equal(19, rows.Count);
        Assert.All(rows, r => Assert.Null(r.Ratio));
    }

    [Fact]
    public void ExtraExoRowsAreAppended()
    {
        var exo = Report("EXO-BENCH zz.extra median=5 min=5 iterations=1 unit=instructions\n" +
                         "EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n");
        var rows = Metrics.Merge(exo, null);
        Assert.Equal(20, rows.Count);
        Assert.Equal("zz.extra", rows[^1].Name);
        Assert.False(rows[^1].LinuxHasEquivalent);
        Assert.Equal(100UL, rows[0].Exo!.Median);
    }

    [Fact]
    public void RatioIsLinuxOverExo()
    {
        var exo = Report("EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=338 min=338 iterations=10 unit=instructions\n");
        var row = Metrics.Merge(exo, linux)[0];
        Assert.Equal(3.38, row.Ratio!.Value, 6);
    }

    [Fact]
    public void RowsWithoutLinuxEquivalent()
    {
        Assert.Equal(new[] { "alloc.refill", "sched.pick", "ipc.ring_msg", "ipc.zero_copy_1M" },
            Metrics.Names.Where(n => Metrics.NoLinuxEquivalent.Contains(n)));
        Assert.Equal(15, Metrics.LinuxNames.Count());
    }

    [Fact]
    public void TableShowsNotYetAndDash()
    {
        var linux = Report("EXO-BENCH syscall.null median=338 min=338 iterations=10 unit=instructions\n");
        var table = ResultsWriter.Table(Metrics.Merge(null, linux));
        var lines = table.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("syscall.null", StringComparison.Ordinal) && l.Contains("not yet") && l.Contains("338"));
        Assert.Contains(lines, l => l.StartsWith("sched.pick", StringComparison.Ordinal) && l.Contains("not yet") && l.Contains(" - "));
        Assert.Contains(lines, l => l.StartsWith("syscall.getpid", StringComparison.Ordinal) && l.Contains("missing"));
    }

    [Fact]
    public void TableRatioHasTwoDecimals()
    {
        var exo = Report("EXO-BENCH syscall.null median=3 min=3 iterations=10 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=10 min=10 iterations=10 unit=instructions\n");
        var line = ResultsWriter.Table(Metrics.Merge(exo, linux)).Split('\n').First(l => l.StartsWith("syscall.null", StringComparison.Ordinal));
        Assert.Contains(" 3.33 ", line);
    }

    [Fact]
    public void JsonHasHeaderAndEveryRow()
    {
        var exo = Report("EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n");
        var linux = Report("EXO-BENCH syscall.null median=338 min=330 iterations=1000 unit=instructions\n");
        var header = new RunHeader("7.2.22 (Debian 1:7.2+dfsg)", "max", "Linux 6.1.0-56-amd64",
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), true, null, 12.346, 13.0, "shift=0", "not run", "exit 0, done");
        using var doc = JsonDocument.Parse(ResultsWriter.ToJson(header, Metrics.Merge(exo, linux)));
        var h = doc.RootElement.GetProperty("header");
        Assert.Equal("7.2.22 (Debian 1:7.2+dfsg)", h.GetProperty("qemu_version").GetString());
        Assert.Equal("max", h.GetProperty("cpu_model").GetString());
        Assert.Equal("Linux 6.1.0-56-amd64", h.GetProperty("linux_kernel").GetString());
        Assert.Equal("2025-01-02T03:04:05Z", h.GetProperty("date").GetString());
        Assert.True(h.GetProperty("quick").GetBoolean());
        var wall = h.GetProperty("wall_seconds");
        Assert.Equal(JsonValueKind.Null, wall.GetProperty("exo").ValueKind);
        Assert.Equal(12.35, wall.GetProperty("linux").GetDouble());
        Assert.Equal(13.0, wall.GetProperty("total").GetDouble());

        var results = doc.RootElement.GetProperty("results");
        Assert.Equal(19, results.GetArrayLength());
        var first = results[0];
        Assert.Equal("syscall.null", first.GetProperty("name").GetString());
        Assert.Equal("instructions", first.GetProperty("unit").GetString());
        Assert.Equal(100UL, first.GetProperty("exo").GetUInt64());
        Assert.Equal(338UL, first.GetProperty("linux").GetUInt64());
        Assert.Equal(90UL, first.GetProperty("exo_min").GetUInt64());
        Assert.Equal(330UL, first.GetProperty("linux_min").GetUInt64());
        Assert.Equal(10UL, first.GetProperty("iterations").GetProperty("exo").GetUInt64());
        Assert.Equal(1000UL, first.GetProperty("iterations").GetProperty("linux").GetUInt64());
        var second = results[1];
        foreach (var key in new[] { "exo", "linux", "exo_min", "linux_min" })
            Assert.Equal(JsonValueKind.Null, second.GetProperty(key).ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("iterations").GetProperty("exo").ValueKind);
    }
}
