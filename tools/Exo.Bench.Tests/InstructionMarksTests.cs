using Exo.Bench;

public class InstructionMarksTests
{
    static readonly IReadOnlySet<string> Storage = new HashSet<string> { "disk.read_4k", "file.create_delete" };

    [Fact]
    public void GroupsBatchesByRowMarks()
    {
        var rows = InstructionMarks.Batches("1 100\n2 150\n1 200\n2 260\n3 300\n1 1000\n2 1010\n3 1020\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal(new ulong[] { 50, 60 }, rows[0]);
        Assert.Equal(new ulong[] { 10 }, rows[1]);
    }

    [Fact]
    public void ReplacesTheMarkedRowsWithCountedFigures()
    {
        var report = BenchParser.Parse(
            "EXO-BENCH syscall.null median=338 min=330 iterations=100 unit=instructions\n" +
            "EXO-BENCH disk.read_4k median=99999 min=88888 iterations=12 unit=instructions\n" +
            "EXO-BENCH file.create_delete median=7 min=7 iterations=2 unit=instructions\n" +
            "EXO-BENCH-DONE\n");
        // disk.read_4k: three batches of 4 operations, 400, 440 and 402 instructions (100, 110, 101 an operation, the
        // last rounded to nearest); file.create_delete: two batches of one, 70 and 60.
        var marks = "1 0\n2 400\n1 1000\n2 1440\n1 2000\n2 2402\n3 2500\n1 3000\n2 3070\n1 4000\n2 4060\n3 5000\n";
        var counted = InstructionMarks.Apply(report, marks, Storage);
        Assert.True(counted.Done);
        Assert.Equal(report.Find("syscall.null"), counted.Find("syscall.null"));
        Assert.Equal(new BenchResult("disk.read_4k", 101, 100, 12, "instructions", null), counted.Find("disk.read_4k"));
        Assert.Equal(new BenchResult("file.create_delete", 60, 60, 2, "instructions", null), counted.Find("file.create_delete"));
    }

    [Theory]
    [InlineData("1 10\n1 20\n")]            // a batch begun twice
    [InlineData("2 10\n")]                  // ended before it began
    [InlineData("1 10\n3 20\n")]            // a row ended inside a batch
    [InlineData("1 20\n2 10\n")]            // the count went backwards
    [InlineData("1 x\n")]
    [InlineData("4 10\n")]
    public void RejectsMarksOutOfOrder(string marks)
        => Assert.Throws<FormatException>(() => InstructionMarks.Batches(marks));

    [Fact]
    public void RejectsMarksThatDoNotFitTheRows()
    {
        var report = BenchParser.Parse(
            "EXO-BENCH disk.read_4k median=1 min=1 iterations=3 unit=instructions\n" +
            "EXO-BENCH file.create_delete median=1 min=1 iterations=2 unit=instructions\n");
        // One row of marks for two rows printed (the plugin's file cut short).
        Assert.Throws<FormatException>(() => InstructionMarks.Apply(report, "1 0\n2 3\n3 4\n", Storage));
        // Two batches for three iterations.
        Assert.Throws<FormatException>(() => InstructionMarks.Apply(report, "1 0\n2 3\n1 4\n2 5\n3 6\n1 7\n2 8\n3 9\n", Storage));
        // No marks at all.
        Assert.Throws<FormatException>(() => InstructionMarks.Apply(report, "", Storage));
    }
}
