using Exo.Bench;

public class BenchParserTests
{
    [Fact]
    public void ParsesResultLinesAndDone()
    {
        var report = BenchParser.Parse(
            "SeaBIOS (version 1.16)\r\n" +
            "EXO-BENCH syscall.null median=338 min=330 iterations=100100 unit=instructions\r\n" +
            "[    1.0] some kernel message\n" +
            "EXO-BENCH ipc.zero_copy_1M median=12 min=10 iterations=64 unit=instructions note=pages\n" +
            "EXO-BENCH-DONE\n");
        Assert.True(report.Done);
        Assert.Empty(report.Malformed);
        Assert.Equal(2, report.Results.Count);
        Assert.Equal(new BenchResult("syscall.null", 338, 330, 100100, "instructions", null), report.Results[0]);
        Assert.Equal("pages", report.Find("ipc.zero_copy_1M")!.Note);
    }

    [Fact]
    public void NoDoneLineMeansNotDone()
    {
        var report = BenchParser.Parse("EXO-BENCH a.b median=1 min=1 iterations=1 unit=instructions\n");
        Assert.False(report.Done);
        Assert.Single(report.Results);
    }

    [Theory]
    [InlineData("EXO-BENCH")]
    [InlineData("EXO-BENCH syscall.null")]
    [InlineData("EXO-BENCH syscall.null median=1 min=1 iterations=1")]
    [InlineData("EXO-BENCH syscall.null median=-1 min=1 iterations=1 unit=instructions")]
    [InlineData("EXO-BENCH syscall.null median=1.5 min=1 iterations=1 unit=instructions")]
    [InlineData("EXO-BENCH syscall.null median=1 median=2 min=1 iterations=1 unit=instructions")]
    [InlineData("EXO-BENCH syscall.null median= min=1 iterations=1 unit=instructions")]
    [InlineData("EXO-BENCH sys$call median=1 min=1 iterations=1 unit=instructions")]
    [InlineData("EXO-BENCHX")]
    [InlineData("EXO-BENCH-DONE now")]
    public void RejectsMalformedLines(string line)
    {
        var report = BenchParser.Parse(line + "\n");
        Assert.Empty(report.Results);
        Assert.False(report.Done);
        Assert.Single(report.Malformed);
    }

    [Fact]
    public void IgnoresLinesNotAtColumnZero()
    {
        var report = BenchParser.Parse("  EXO-BENCH a median=1 min=1 iterations=1 unit=instructions\nxEXO-BENCH-DONE\n");
        Assert.Empty(report.Results);
        Assert.Empty(report.Malformed);
        Assert.False(report.Done);
    }

    [Fact]
    public void RepeatedNameKeepsLastValue()
    {
        var report = BenchParser.Parse(
            "EXO-BENCH a median=1 min=1 iterations=1 unit=instructions\n" +
            "EXO-BENCH a median=2 min=2 iterations=2 unit=instructions\n");
        Assert.Single(report.Results);
        Assert.Equal(2UL, report.Results[0].Median);
    }

    [Fact]
    public void NumbersUpToUInt64Max()
    {
        var result = BenchParser.ParseLine("EXO-BENCH boot.to_init median=18446744073709551615 min=0 iterations=1 unit=instructions");
        Assert.Equal(ulong.MaxValue, result!.Median);
        Assert.Null(BenchParser.ParseLine("EXO-BENCH x median=18446744073709551616 min=0 iterations=1 unit=instructions"));
    }

    [Fact]
    public void RecordsPanic()
    {
        var report = BenchParser.Parse("EXO-PANIC page fault at 0x0\nrip=...\nEXO-PANIC-END\n");
        Assert.Equal("EXO-PANIC page fault at 0x0", report.Panic);
    }
}
