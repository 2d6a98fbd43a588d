using Exo.Testing;

namespace Exo.Testing.Tests;

public class PanicReportParserTests
{
    [Fact]
    public void Extracts_reason_and_body()
    {
        var serial = """
            exo> panic
            EXO-PANIC page fault (not present, write) at CR2=0x0000000000dead00
            RIP=0xffffffff80101234 RSP=0xffffffff80200ff0 RFLAGS=0x0000000000000202
            CR2=0x0000000000dead00 error=0x0000000000000002
            backtrace:
              #0 Exo.Kernel.Faults.Touch
            EXO-PANIC-END
            after the report
            """;
        var p = PanicReportParser.Parse(serial);

        Assert.NotNull(p);
        Assert.Equal("page fault (not present, write) at CR2=0x0000000000dead00", p!.Reason);
        Assert.True(p.Complete);
        Assert.Equal(2, p.Line);
        Assert.Equal(new[]
        {
            "RIP=0xffffffff80101234 RSP=0xffffffff80200ff0 RFLAGS=0x0000000000000202",
            "CR2=0x0000000000dead00 error=0x0000000000000002",
            "backtrace:",
            "  #0 Exo.Kernel.Faults.Touch",
        }, p.BodyLines);
        Assert.DoesNotContain("after the report", p.FullText);
        Assert.StartsWith("page fault", p.FullText);
        Assert.Contains("#0 Exo.Kernel.Faults.Touch", p.FullText);
    }

    [Fact]
    public void Crlf_is_stripped()
    {
        var p = PanicReportParser.Parse("EXO-PANIC boom\r\nRIP=0x1\r\nEXO-PANIC-END\r\n")!;

        Assert.Equal("boom", p.Reason);
        Assert.Equal("RIP=0x1", p.Body);
        Assert.True(p.Complete);
    }

    [Fact]
    public void No_panic_gives_null()
    {
        Assert.Null(PanicReportParser.Parse("booting\nexo> help\nEXO-TEST done passed=1 failed=0 uptime_us=1\n"));
        Assert.Null(PanicReportParser.Parse(""));
    }

    [Theory]
    [InlineData("EXO-PANIC-END")]
    [InlineData("EXO-PANICKED something")]
    [InlineData(" EXO-PANIC indented")]
    [InlineData("log: EXO-PANIC mid-line")]
    [InlineData("exo-panic lowercase")]
    public void Lines_that_are_not_a_start_marker_are_ignored(string line)
    {
        Assert.Empty(PanicReportParser.ParseAll("x\n" + line + "\ny\n"));
    }

    [Fact]
    public void Bare_marker_gives_empty_reason()
    {
        var p = PanicReportParser.Parse("EXO-PANIC\nbody\nEXO-PANIC-END\n")!;

        Assert.Equal("", p.Reason);
        Assert.Equal("body", p.Body);
    }

    [Fact]
    public void Truncated_report_is_incomplete_and_keeps_the_rest_of_the_output()
    {
        var p = PanicReportParser.Parse("ok\nEXO-PANIC General protection fault\nRIP=0xffff\nRSP=")!;

        Assert.False(p.Complete);
        Assert.Equal("General protection fault", p.Reason);
        Assert.Equal(new[] { "RIP=0xffff", "RSP=" }, p.BodyLines);
        Assert.Contains("cut off", p.ToString());
    }

    [Fact]
    public void Panic_while_panicking_gives_two_reports()
    {
        var serial = """
            EXO-PANIC first
            RIP=0x1
            EXO-PANIC second (nested)
            RIP=0x2
            EXO-PANIC-END
            """;
        var all = PanicReportParser.ParseAll(serial);

        Assert.Equal(2, all.Count);
        Assert.Equal("first", all[0].Reason);
        Assert.False(all[0].Complete);
        Assert.Equal("RIP=0x1", all[0].Body);
        Assert.Equal("second (nested)", all[1].Reason);
        Assert.True(all[1].Complete);
        Assert.Equal(3, all[1].Line);
    }

    [Fact]
    public void Two_separate_reports_are_both_found()
    {
        var all = PanicReportParser.ParseAll("EXO-PANIC a\nEXO-PANIC-END\nnoise\nEXO-PANIC b\nx\nEXO-PANIC-END\n");

        Assert.Equal(new[] { "a", "b" }, all.Select(p => p.Reason));
        Assert.All(all, p => Assert.True(p.Complete));
        Assert.Equal("", all[0].Body);
        Assert.Empty(all[0].BodyLines);
    }

    [Fact]
    public void End_marker_without_start_is_ignored()
    {
        Assert.Empty(PanicReportParser.ParseAll("EXO-PANIC-END\nfoo\n"));
    }

    [Fact]
    public void Exception_panic_reason_keeps_type_and_message()
    {
        var p = PanicReportParser.Parse("EXO-PANIC unhandled System.InvalidOperationException: deliberate\nEXO-PANIC-END")!;

        Assert.Contains("InvalidOperationException", p.Reason);
        Assert.Contains("deliberate", p.Reason);
    }

    [Fact]
    public void ToString_round_trips_the_report_text()
    {
        var p = PanicReportParser.Parse("EXO-PANIC boom\nline 1\nline 2\nEXO-PANIC-END\n")!;

        Assert.Equal("EXO-PANIC boom\nline 1\nline 2\nEXO-PANIC-END", p.ToString());
    }
}
