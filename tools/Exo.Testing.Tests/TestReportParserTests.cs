using Exo.Testing;

namespace Exo.Testing.Tests;

public class TestReportParserTests
{
    // A well-formed two-suite run with boot-log noise around and between the protocol lines.
    private const string Good = """
        SeaBIOS (version 1.16.2)
        Booting from ROM...
        exo: multiboot cmdline 'out/exo.bin test=runtime,heap'
        exo: 255 MiB usable
        EXO-TEST plan 2 runtime
        EXO-TEST begin runtime.string_concat
        EXO-TEST pass runtime.string_concat 17
        EXO-TEST begin runtime.array_bounds
        exo: some log line from inside a test
        EXO-TEST pass runtime.array_bounds 250
        EXO-TEST plan 3 heap
        EXO-TEST begin heap.alloc_small
        EXO-TEST pass heap.alloc_small 5
        EXO-TEST begin heap.alloc_large
        EXO-TEST pass heap.alloc_large 1200
        EXO-TEST begin heap.free_coalesce
        EXO-TEST pass heap.free_coalesce 33
        EXO-TEST done passed=5 failed=0 uptime_us=812345
        exo: exiting with 0x00
        """;

    private const string WithFailure = """
        EXO-TEST plan 3 heap
        EXO-TEST begin heap.alloc_small
        EXO-TEST pass heap.alloc_small 5
        EXO-TEST begin heap.alloc_large
        EXO-TEST fail heap.alloc_large 1200 expected 4096 bytes,  got 0 (null)
        EXO-TEST begin heap.free_coalesce
        EXO-TEST pass heap.free_coalesce 33
        EXO-TEST done passed=2 failed=1 uptime_us=500
        """;

    private static readonly string[] HeapOnly = { "heap" };
    private static readonly string[] RuntimeAndHeap = { "runtime", "heap" };

    [Fact]
    public void Good_report_parses_every_suite_and_test()
    {
        var report = TestReportParser.Parse(Good);

        Assert.Empty(report.Problems);
        Assert.Equal(new[] { "runtime", "heap" }, report.Suites.Select(s => s.Name));
        Assert.Equal(2, report.Suite("runtime")!.Planned);
        Assert.Equal(3, report.Suite("heap")!.Planned);
        Assert.Equal(5, report.Tests.Count);
        Assert.All(report.Tests, t => Assert.Equal(TestOutcome.Passed, t.Outcome));

        var t = report.Test("runtime.array_bounds")!;
        Assert.Equal("runtime", t.Suite);
        Assert.Equal("array_bounds", t.Name);
        Assert.Equal(250, t.Microseconds);
        Assert.Equal(8, t.BeginLine);
        Assert.Equal(10, t.ResultLine);

        Assert.NotNull(report.Done);
        Assert.Equal(5, report.Done!.Passed);
        Assert.Equal(0, report.Done.Failed);
        Assert.Equal(812345, report.Done.UptimeMicroseconds);
        Assert.Empty(report.Panics);
    }

    [Fact]
    public void Good_report_with_exit_status_1_succeeds()
    {
        var verdict = TestReportParser.Evaluate(Good, exitCode: 1, timedOut: false, RuntimeAndHeap);

        Assert.True(verdict.Success, verdict.FailureMessage);
        Assert.Empty(verdict.Problems);
        Assert.Empty(verdict.FailedTests);
        Assert.Equal("", verdict.FailureMessage);
    }

    [Fact]
    public void Crlf_line_endings_are_accepted()
    {
        var crlf = Good.Replace("\n", "\r\n");
        var verdict = TestReportParser.Evaluate(crlf, 1, false, RuntimeAndHeap);

        Assert.True(verdict.Success, verdict.FailureMessage);
        Assert.Equal(1200, verdict.Report.Test("heap.alloc_large")!.Microseconds);
    }

    [Fact]
    public void Format_table_lists_each_test_with_outcome_and_time()
    {
        var table = TestReportParser.Parse(WithFailure).FormatTable();

        Assert.Contains("suite heap: planned 3, passed 2, failed 1", table);
        Assert.Matches(@"PASS\s+heap\.alloc_small\s+5 us", table);
        Assert.Matches(@"FAIL\s+heap\.alloc_large\s+1200 us\s+expected 4096 bytes,  got 0 \(null\)", table);
        Assert.Contains("done: passed=2 failed=1", table);
    }

    [Fact]
    public void Failed_test_with_exit_3_fails_and_names_the_test_and_its_message()
    {
        var verdict = TestReportParser.Evaluate(WithFailure, 3, false, HeapOnly);

        Assert.False(verdict.Success);
        Assert.Empty(verdict.Problems); // the report itself is consistent
        var failed = Assert.Single(verdict.FailedTests);
        Assert.Equal("heap.alloc_large", failed.FullName);
        Assert.Equal(TestOutcome.Failed, failed.Outcome);
        Assert.Equal(1200, failed.Microseconds);
        Assert.Equal("expected 4096 bytes,  got 0 (null)", failed.Message); // inner spacing kept

        var msg = verdict.FailureMessage;
        Assert.Contains("1 of 3 in-kernel test(s) failed (heap.alloc_large)", msg);
        Assert.Contains("heap.alloc_large (1200 us): expected 4096 bytes,  got 0 (null)", msg);
        Assert.DoesNotContain("Problems:", msg);
    }

    [Fact]
    public void Failed_test_but_exit_status_1_is_an_exit_mismatch()
    {
        var verdict = TestReportParser.Evaluate(WithFailure, 1, false, HeapOnly);

        var problem = Assert.Single(verdict.Problems);
        Assert.Contains("exit status 1 (success) does not match the report, expected 3", problem);
    }

    [Fact]
    public void All_passed_but_exit_status_3_is_an_exit_mismatch()
    {
        var verdict = TestReportParser.Evaluate(Good, 3, false, RuntimeAndHeap);

        Assert.False(verdict.Success);
        var problem = Assert.Single(verdict.Problems);
        Assert.Contains("exit status 3", problem);
        Assert.Contains("expected 1 (success)", problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    [InlineData(255)]
    public void Other_exit_statuses_are_mismatches(int status)
    {
        var verdict = TestReportParser.Evaluate(Good, status, false, RuntimeAndHeap);

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.Contains($"exit status {status}") && p.Contains("does not match the report"));
    }

    [Fact]
    public void Killed_without_exit_status_is_a_failure()
    {
        var verdict = TestReportParser.Evaluate(Good, null, false, RuntimeAndHeap);

        Assert.Contains(verdict.Problems, p => p.Contains("no exit status"));
    }

    [Fact]
    public void Truncated_output_reports_missing_done_and_unfinished_test()
    {
        var truncated = """
            EXO-TEST plan 3 heap
            EXO-TEST begin heap.alloc_small
            EXO-TEST pass heap.alloc_small 5
            EXO-TEST begin heap.alloc_large
            """;
        var verdict = TestReportParser.Evaluate(truncated, null, timedOut: true, HeapOnly, TimeSpan.FromSeconds(120));

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.Contains("timed out after 120.0 s"));
        Assert.Contains(verdict.Problems, p => p.Contains("missing 'EXO-TEST done'"));
        Assert.Contains(verdict.Problems, p => p.Contains("line 4: test 'heap.alloc_large' began but has no 'pass'/'fail'/'skip'"));
        Assert.Contains(verdict.Problems, p => p.Contains("suite 'heap': plan says 3 tests but 1 finished"));
        // No exit-status complaint on a timeout: the timeout is the reason.
        Assert.DoesNotContain(verdict.Problems, p => p.Contains("exit status"));
        Assert.Equal(TestOutcome.NoResult, verdict.Report.Test("heap.alloc_large")!.Outcome);
        Assert.Contains("timed out, killed", verdict.FailureMessage);
    }

    [Fact]
    public void Line_cut_in_the_middle_is_garbled()
    {
        var cut = """
            EXO-TEST plan 1 heap
            EXO-TEST begin heap.a
            EXO-TEST pa
            """;
        var report = TestReportParser.Parse(cut);

        Assert.Contains(report.Problems, p => p.StartsWith("line 3: garbled EXO-TEST line (unknown verb 'pa')"));
        Assert.Contains(report.Problems, p => p.Contains("'heap.a' began but has no"));
    }

    [Theory]
    [InlineData("EXO-TEST", "no verb")]
    [InlineData("EXO-TEST ", "no verb")]
    [InlineData("EXO-TESTpass heap.a 5", "must be followed by a space")]
    [InlineData("EXO-TEST-X pass heap.a 5", "must be followed by a space")]
    [InlineData("EXO-TEST pas heap.a 5", "unknown verb 'pas'")]
    [InlineData("EXO-TEST plan heap", "expected 'plan <count> <suite>'")]
    [InlineData("EXO-TEST plan two heap", "bad count 'two'")]
    [InlineData("EXO-TEST plan -1 heap", "bad count '-1'")]
    [InlineData("EXO-TEST plan 1 he/ap", "bad suite name")]
    [InlineData("EXO-TEST begin", "expected 'begin <suite>.<test>'")]
    [InlineData("EXO-TEST begin heapalloc", "is not '<suite>.<test>'")]
    [InlineData("EXO-TEST begin .alloc", "is not '<suite>.<test>'")]
    [InlineData("EXO-TEST begin heap.", "is not '<suite>.<test>'")]
    [InlineData("EXO-TEST begin heap.a extra", "expected 'begin <suite>.<test>'")]
    [InlineData("EXO-TEST pass heap.a", "expected 'pass <suite>.<test> <microseconds>'")]
    [InlineData("EXO-TEST pass heap.a 12abc", "bad microseconds '12abc'")]
    [InlineData("EXO-TEST pass heap.a -3", "bad microseconds '-3'")]
    [InlineData("EXO-TEST pass heap.a 12 trailing", "expected 'pass <suite>.<test> <microseconds>'")]
    [InlineData("EXO-TEST fail heap.a", "expected 'fail")]
    [InlineData("EXO-TEST fail heap.a x1 message", "bad microseconds 'x1'")]
    [InlineData("EXO-TEST done passed=1 failed=0", "expected 'done passed=<n> failed=<n> uptime_us=<n>'")]
    [InlineData("EXO-TEST done passed=1 failed=zero uptime_us=3", "bad number in 'failed=zero'")]
    [InlineData("EXO-TEST done passed=1 passed=1 failed=0 uptime_us=3", "'passed' given twice")]
    [InlineData("EXO-TEST done 1 0 3", "expected key=value")]
    [InlineData("EXO-TEST done passed=1 failed=0 skipped=1 skipped=1 uptime_us=3", "'skipped' given twice")]
    [InlineData("EXO-TEST done passed=1 failed=0 skipped=some uptime_us=3", "bad number in 'skipped=some'")]
    [InlineData("EXO-TEST skip", "expected 'skip <suite>.<test> <microseconds> <reason>'")]
    [InlineData("EXO-TEST skip smp.tlb", "expected 'skip <suite>.<test> <microseconds> <reason>'")]
    [InlineData("EXO-TEST skip smp.tlb 12", "a skip needs a reason")]
    [InlineData("EXO-TEST skip smp.tlb 12   ", "a skip needs a reason")]
    [InlineData("EXO-TEST skip smp.tlb one processor", "bad microseconds 'one'")]
    [InlineData("EXO-TEST skip smptlb 12 one processor", "is not '<suite>.<test>'")]
    [InlineData("EXO-TEST skip s/mp.tlb 12 one processor", "bad suite name 's/mp'")]
    [InlineData("EXO-TEST skipped smp.tlb 12 one processor", "unknown verb 'skipped'")]
    public void Garbled_lines_are_reported_with_the_reason_and_the_line(string line, string reason)
    {
        var serial = "boot\n" + line + "\nmore noise\n";
        var report = TestReportParser.Parse(serial);

        var problem = Assert.Single(report.Problems, p => p.Contains("garbled"));
        Assert.StartsWith("line 2: garbled EXO-TEST line (", problem);
        Assert.Contains(reason, problem);
        Assert.Contains(line.TrimEnd(), problem);
    }

    [Fact]
    public void Garbled_line_makes_an_otherwise_good_run_fail()
    {
        var serial = Good.Replace("EXO-TEST pass heap.alloc_small 5", "EXO-TEST pass heap.alloc_small 5[irq]");
        var verdict = TestReportParser.Evaluate(serial, 1, false, RuntimeAndHeap);

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.Contains("garbled") && p.Contains("bad microseconds '5[irq]'"));
        // The lost pass line also shows up as a count problem.
        Assert.Contains(verdict.Problems, p => p.Contains("'heap.alloc_small' began but has no"));
        Assert.Contains(verdict.Problems, p => p.Contains("'done' says passed=5 failed=0 skipped=0 but the report has 4 'pass', 0 'fail' and 0 'skip' lines"));
    }

    [Fact]
    public void Protocol_line_not_at_column_zero_is_reported_as_interleaved()
    {
        var serial = Good.Replace("EXO-TEST pass runtime.string_concat 17", "[timer] tickEXO-TEST pass runtime.string_concat 17");
        var report = TestReportParser.Parse(serial);

        Assert.Contains(report.Problems, p => p.Contains("line 7: 'EXO-TEST' not at the start of the line (interleaved output?)"));
        Assert.Contains(report.Problems, p => p.Contains("'runtime.string_concat' began but has no"));
    }

    [Fact]
    public void Noise_lines_that_merely_resemble_the_protocol_are_ignored()
    {
        var serial = Good.Replace("exo: some log line from inside a test",
            "exo: EXO is not EXO-TE\nEXO-TES truncated prefix\nexo-test lowercase\n\nEXO-BENCH x median=1 min=1 iterations=1 unit=instructions");
        var verdict = TestReportParser.Evaluate(serial, 1, false, RuntimeAndHeap);

        Assert.True(verdict.Success, verdict.FailureMessage);
    }

    [Fact]
    public void Plan_count_mismatch_is_reported_per_suite()
    {
        var serial = Good.Replace("EXO-TEST plan 3 heap", "EXO-TEST plan 4 heap");
        var verdict = TestReportParser.Evaluate(serial, 1, false, RuntimeAndHeap);

        var problem = Assert.Single(verdict.Problems);
        Assert.Equal("suite 'heap': plan says 4 tests but 3 finished", problem);
    }

    [Fact]
    public void More_tests_than_planned_is_a_mismatch_too()
    {
        var serial = Good.Replace("EXO-TEST plan 2 runtime", "EXO-TEST plan 1 runtime");
        var report = TestReportParser.Parse(serial);

        Assert.Equal(new[] { "suite 'runtime': plan says 1 tests but 2 finished" }, report.Problems);
    }

    [Fact]
    public void Duplicate_begin_is_reported()
    {
        var serial = """
            EXO-TEST plan 1 heap
            EXO-TEST begin heap.a
            EXO-TEST pass heap.a 1
            EXO-TEST begin heap.a
            EXO-TEST pass heap.a 1
            EXO-TEST done passed=1 failed=0 uptime_us=9
            """;
        var report = TestReportParser.Parse(serial);

        Assert.Contains(report.Problems, p => p == "line 4: duplicate test 'heap.a' (already begun on line 2)");
        Assert.Contains(report.Problems, p => p.StartsWith("line 5: duplicate result for test 'heap.a'"));
        Assert.Single(report.Tests);
    }

    [Fact]
    public void Pass_then_fail_for_the_same_test_is_a_duplicate_result()
    {
        var serial = """
            EXO-TEST plan 1 heap
            EXO-TEST begin heap.a
            EXO-TEST pass heap.a 1
            EXO-TEST fail heap.a 1 late failure
            EXO-TEST done passed=1 failed=0 uptime_us=9
            """;
        var report = TestReportParser.Parse(serial);

        Assert.Equal(new[] { "line 4: duplicate result for test 'heap.a' (first on line 3)" }, report.Problems);
        Assert.Equal(TestOutcome.Passed, report.Test("heap.a")!.Outcome);
    }

    [Fact]
    public void Result_without_begin_is_reported_but_counted()
    {
        var serial = """
            EXO-TEST plan 1 heap
            EXO-TEST pass heap.a 1
            EXO-TEST done passed=1 failed=0 uptime_us=9
            """;
        var report = TestReportParser.Parse(serial);

        Assert.Equal(new[] { "line 2: 'pass heap.a' without a 'begin'" }, report.Problems);
        Assert.Equal(TestOutcome.Passed, report.Test("heap.a")!.Outcome);
        Assert.Null(report.Test("heap.a")!.BeginLine);
    }

    [Fact]
    public void Test_before_its_plan_is_reported()
    {
        var serial = """
            EXO-TEST begin heap.a
            EXO-TEST pass heap.a 1
            EXO-TEST plan 1 heap
            EXO-TEST done passed=1 failed=0 uptime_us=9
            """;
        var report = TestReportParser.Parse(serial);

        Assert.Equal(new[] { "line 1: 'begin heap.a' before any 'plan' line for suite 'heap'" }, report.Problems);
    }

    [Fact]
    public void Duplicate_plan_is_reported()
    {
        var serial = Good.Replace("EXO-TEST plan 3 heap", "EXO-TEST plan 3 heap\nEXO-TEST plan 3 heap");
        var report = TestReportParser.Parse(serial);

        Assert.Equal(new[] { "line 12: duplicate 'plan' for suite 'heap' (first on line 11)" }, report.Problems);
    }

    [Theory]
    [InlineData("passed=4 failed=0", "'done' says passed=4 failed=0 skipped=0 but the report has 5 'pass', 0 'fail' and 0 'skip' lines")]
    [InlineData("passed=5 failed=1", "'done' says passed=5 failed=1 skipped=0 but the report has 5 'pass', 0 'fail' and 0 'skip' lines")]
    [InlineData("passed=6 failed=0", "'done' says passed=6 failed=0 skipped=0 but the report has 5 'pass', 0 'fail' and 0 'skip' lines")]
    [InlineData("passed=5 failed=0 skipped=1", "'done' says passed=5 failed=0 skipped=1 but the report has 5 'pass', 0 'fail' and 0 'skip' lines")]
    public void Done_counts_must_match_the_lines(string counts, string expected)
    {
        var serial = Good.Replace("passed=5 failed=0", counts);
        var verdict = TestReportParser.Evaluate(serial, null, false, RuntimeAndHeap);

        Assert.Contains(verdict.Problems, p => p == "line 18: " + expected);
    }

    [Fact]
    public void Done_claiming_failures_expects_exit_status_3()
    {
        var serial = Good.Replace("passed=5 failed=0", "passed=5 failed=1");
        var verdict = TestReportParser.Evaluate(serial, 1, false, RuntimeAndHeap);

        Assert.Contains(verdict.Problems, p => p.Contains("exit status 1 (success) does not match the report, expected 3"));
    }

    [Fact]
    public void Lines_after_done_are_reported()
    {
        var serial = Good + "\nEXO-TEST begin heap.late\nEXO-TEST done passed=5 failed=0 uptime_us=1\n";
        var report = TestReportParser.Parse(serial);

        Assert.Contains(report.Problems, p => p.StartsWith("line 20: EXO-TEST line after 'done' (line 18)"));
        Assert.Contains(report.Problems, p => p.StartsWith("line 21: EXO-TEST line after 'done' (line 18)"));
        Assert.Equal(18, report.Done!.Line); // the first done wins
    }

    [Fact]
    public void Missing_done_alone_fails_the_run()
    {
        var serial = Good.Replace("EXO-TEST done passed=5 failed=0 uptime_us=812345\n", "");
        var verdict = TestReportParser.Evaluate(serial, 1, false, RuntimeAndHeap);

        Assert.False(verdict.Success);
        Assert.Equal(new[] { "missing 'EXO-TEST done' line (the kernel crashed, hung or stopped early)" }, verdict.Problems);
    }

    [Fact]
    public void Panic_in_the_middle_of_a_suite_is_reported_with_its_report()
    {
        var serial = """
            EXO-TEST plan 3 heap
            EXO-TEST begin heap.alloc_small
            EXO-TEST pass heap.alloc_small 5
            EXO-TEST begin heap.alloc_large
            EXO-PANIC page fault in kernel mode
            CR2=0x0000000000000008 error=0x0000000000000002
            RIP=0xffffffff80012345 RSP=0xffffffff80200f00
            backtrace: Heap.Allocate+0x12
            EXO-PANIC-END
            """;
        var verdict = TestReportParser.Evaluate(serial, 65, false, HeapOnly);

        Assert.False(verdict.Success);
        var panic = Assert.Single(verdict.Problems, p => p.StartsWith("kernel panic"));
        Assert.StartsWith("kernel panic (line 5): page fault in kernel mode", panic);
        Assert.Contains("CR2=0x0000000000000008", panic);
        Assert.Contains("backtrace: Heap.Allocate+0x12", panic);
        Assert.Contains(verdict.Problems, p => p.Contains("'heap.alloc_large' began but has no"));
        Assert.Contains(verdict.Problems, p => p.Contains("missing 'EXO-TEST done'"));
        Assert.Contains(verdict.Problems, p => p.Contains("plan says 3 tests but 1 finished"));
        // 65 is the right status after a panic: no separate exit complaint.
        Assert.DoesNotContain(verdict.Problems, p => p.Contains("exit status"));
        Assert.Contains("exit status 65 (kernel panic)", verdict.FailureMessage);
    }

    [Fact]
    public void Panic_with_wrong_exit_status_reports_both()
    {
        var serial = Good.Replace("exo: exiting with 0x00", "EXO-PANIC late panic\nEXO-PANIC-END");
        var verdict = TestReportParser.Evaluate(serial, 1, false, RuntimeAndHeap);

        Assert.Contains(verdict.Problems, p => p.StartsWith("kernel panic (line 19): late panic"));
        Assert.Contains(verdict.Problems, p => p.Contains("exit status 1 (success) after a panic, expected 65"));
    }

    [Fact]
    public void Panic_cut_off_is_flagged()
    {
        var serial = "EXO-TEST plan 1 heap\nEXO-TEST begin heap.a\nEXO-PANIC double fault\nRIP=0x1";
        var verdict = TestReportParser.Evaluate(serial, null, true, HeapOnly);

        var panic = Assert.Single(verdict.Problems, p => p.StartsWith("kernel panic"));
        Assert.Contains("RIP=0x1", panic);
        Assert.Contains("cut off", panic);
    }

    [Fact]
    public void Expected_suite_without_plan_is_reported()
    {
        var verdict = TestReportParser.Evaluate(Good, 1, false, new[] { "runtime", "heap", "paging" });

        Assert.Equal(new[] { "suite 'paging' was requested but has no 'plan' line" }, verdict.Problems);
    }

    [Fact]
    public void Unrequested_suite_is_reported()
    {
        var verdict = TestReportParser.Evaluate(Good, 1, false, HeapOnly);

        Assert.Equal(new[] { "suite 'runtime' was reported but not requested" }, verdict.Problems);
    }

    [Fact]
    public void Without_expected_suites_any_suites_are_accepted()
    {
        var verdict = TestReportParser.Evaluate(Good, 1, false, expectedSuites: null);

        Assert.True(verdict.Success, verdict.FailureMessage);
    }

    [Fact]
    public void Empty_requested_suite_is_a_failure()
    {
        var serial = "EXO-TEST plan 0 timer\nEXO-TEST done passed=0 failed=0 uptime_us=10\n";
        var verdict = TestReportParser.Evaluate(serial, 1, false, new[] { "timer" });

        Assert.Equal(new[] { "suite 'timer' planned 0 tests (an empty suite tests nothing)" }, verdict.Problems);
    }

    [Fact]
    public void Empty_output_fails_with_missing_done()
    {
        var verdict = TestReportParser.Evaluate("", 1, false, HeapOnly);

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.Contains("missing 'EXO-TEST done'"));
        Assert.Contains(verdict.Problems, p => p.Contains("suite 'heap' was requested but has no 'plan' line"));
        Assert.Contains("--- serial output: (empty) ---", verdict.FailureMessage);
    }

    [Fact]
    public void Failure_message_ends_with_exactly_the_last_40_serial_lines()
    {
        var noise = string.Join("\n", Enumerable.Range(1, 100).Select(i => $"noise line {i:D3}"));
        var serial = WithFailure + "\n" + noise + "\n";
        var verdict = TestReportParser.Evaluate(serial, 3, false, HeapOnly);

        var msg = verdict.FailureMessage;
        Assert.Contains("--- last 40 of 108 serial lines ---", msg);
        Assert.Contains("noise line 061", msg);
        Assert.Contains("noise line 100", msg);
        Assert.DoesNotContain("noise line 060", msg);
        Assert.EndsWith("noise line 100\n--- end of serial output ---", msg);
    }

    [Fact]
    public void Failure_message_lists_everything_that_went_wrong()
    {
        var serial = """
            EXO-TEST plan 2 heap
            EXO-TEST begin heap.a
            EXO-TEST fail heap.a 7 boom
            EXO-TEST begin heap.b
            EXO-TEST pas heap.b 3
            """;
        var verdict = TestReportParser.Evaluate(serial, 1, false, HeapOnly, TimeSpan.FromMilliseconds(1500));
        var msg = verdict.FailureMessage;

        Assert.StartsWith("In-kernel test run failed: 1 of 2 in-kernel test(s) failed (heap.a); ", msg);
        Assert.Contains("heap.a (7 us): boom", msg);
        Assert.Contains("garbled", msg);
        Assert.Contains("'heap.b' began but has no", msg);
        Assert.Contains("missing 'EXO-TEST done'", msg);
        Assert.Contains("plan says 2 tests but 1 finished", msg);
        Assert.Contains("exit status 1 (success) does not match the report, expected 3", msg);
        Assert.Contains("QEMU: exit status 1 (success), wall time 1.50 s", msg);
        Assert.Contains("EXO-TEST pas heap.b 3", msg); // in the tail
    }

    [Fact]
    public void Fail_message_may_be_empty()
    {
        var serial = "EXO-TEST plan 1 heap\nEXO-TEST begin heap.a\nEXO-TEST fail heap.a 7\nEXO-TEST done passed=0 failed=1 uptime_us=3\n";
        var verdict = TestReportParser.Evaluate(serial, 3, false, HeapOnly);

        Assert.Empty(verdict.Problems);
        Assert.Equal("", verdict.FailedTests.Single().Message);
        Assert.Contains("heap.a (7 us): (no message)", verdict.FailureMessage);
    }

    [Fact]
    public void Test_names_may_contain_further_dots()
    {
        var serial = "EXO-TEST plan 1 paging\nEXO-TEST begin paging.map.4k\nEXO-TEST pass paging.map.4k 3\nEXO-TEST done passed=1 failed=0 uptime_us=3\n";
        var report = TestReportParser.Parse(serial);

        Assert.Empty(report.Problems);
        var t = Assert.Single(report.Tests);
        Assert.Equal("paging", t.Suite);
        Assert.Equal("map.4k", t.Name);
    }

    [Fact]
    public void Unknown_done_keys_are_tolerated()
    {
        var serial = Good.Replace("uptime_us=812345", "uptime_us=812345 cpus=4");
        var report = TestReportParser.Parse(serial);

        Assert.Empty(report.Problems);
        Assert.Equal(812345, report.Done!.UptimeMicroseconds);
    }

    // A run with skipped tests: the reason is the rest of the line, and skips are not failures.
    private const string WithSkips = """
        EXO-TEST plan 3 smp
        EXO-TEST begin smp.every_processor_online
        EXO-TEST pass smp.every_processor_online 40
        EXO-TEST begin smp.tlb_shoot_down
        EXO-TEST skip smp.tlb_shoot_down 3 one processor: nothing to shoot down
        EXO-TEST begin smp.distinct_apic_ids
        EXO-TEST skip smp.distinct_apic_ids 1 one processor:  no other APIC id
        EXO-TEST done passed=1 failed=0 skipped=2 uptime_us=900
        """;

    private static readonly string[] SmpOnly = { "smp" };

    [Fact]
    public void Skip_lines_parse_with_their_reason_and_do_not_fail_the_run()
    {
        var verdict = TestReportParser.Evaluate(WithSkips, 1, false, SmpOnly);

        Assert.True(verdict.Success, verdict.FailureMessage);
        Assert.Empty(verdict.Problems);
        Assert.Empty(verdict.FailedTests);
        Assert.Equal(new[] { "smp.tlb_shoot_down", "smp.distinct_apic_ids" }, verdict.SkippedTests.Select(t => t.FullName));
        var t = verdict.Report.Test("smp.tlb_shoot_down")!;
        Assert.Equal(TestOutcome.Skipped, t.Outcome);
        Assert.Equal(3, t.Microseconds);
        Assert.Equal("one processor: nothing to shoot down", t.Message);
        Assert.Equal(5, t.ResultLine);
        Assert.Equal("one processor:  no other APIC id", verdict.Report.Test("smp.distinct_apic_ids")!.Message); // inner spacing kept
        var suite = verdict.Report.Suite("smp")!;
        Assert.Equal(1, suite.Passed);
        Assert.Equal(2, suite.Skipped);
        Assert.Equal(3, suite.Finished); // skipped tests count against the plan
        Assert.Equal(2, verdict.Report.Done!.Skipped);
    }

    [Fact]
    public void Format_table_shows_each_skip_with_its_reason_and_lists_them_at_the_end()
    {
        var table = TestReportParser.Parse(WithSkips).FormatTable();

        Assert.Contains("suite smp: planned 3, passed 1, failed 0, skipped 2", table);
        Assert.Matches(@"SKIP\s+smp\.tlb_shoot_down\s+3 us\s+skipped: one processor: nothing to shoot down", table);
        Assert.Contains("done: passed=1 failed=0 skipped=2", table);
        Assert.Contains("skipped (2, not failures: they do not apply on this machine):\n" +
            "  smp.tlb_shoot_down: one processor: nothing to shoot down\n" +
            "  smp.distinct_apic_ids: one processor:  no other APIC id\n", table);
    }

    [Fact]
    public void Format_table_without_skips_has_no_skip_list()
    {
        var table = TestReportParser.Parse(Good).FormatTable();

        Assert.Contains("suite heap: planned 3, passed 3, failed 0, skipped 0", table);
        Assert.DoesNotContain("skipped (", table);
    }

    [Fact]
    public void Skips_with_a_failure_expect_exit_status_3()
    {
        var serial = WithSkips.Replace("EXO-TEST pass smp.every_processor_online 40", "EXO-TEST fail smp.every_processor_online 40 only 1 of 2 online")
            .Replace("passed=1 failed=0", "passed=0 failed=1");
        var verdict = TestReportParser.Evaluate(serial, 3, false, SmpOnly);

        Assert.False(verdict.Success);
        Assert.Empty(verdict.Problems);
        Assert.Single(verdict.FailedTests);
        Assert.Equal(2, verdict.SkippedTests.Count);
    }

    [Fact]
    public void Only_skips_with_exit_status_3_is_an_exit_mismatch()
    {
        var verdict = TestReportParser.Evaluate(WithSkips, 3, false, SmpOnly);

        var problem = Assert.Single(verdict.Problems);
        Assert.Contains("exit status 3", problem);
        Assert.Contains("expected 1 (success)", problem);
    }

    [Fact]
    public void Truncated_skip_line_leaves_the_test_unfinished()
    {
        // The serial line was cut after the microseconds: the reason is missing, so the line is garbled and the
        // test has no result; then the transcript ends.
        var serial = """
            EXO-TEST plan 2 smp
            EXO-TEST begin smp.every_processor_online
            EXO-TEST pass smp.every_processor_online 40
            EXO-TEST begin smp.tlb_shoot_down
            EXO-TEST skip smp.tlb_shoot_down 3
            """;
        var verdict = TestReportParser.Evaluate(serial, null, timedOut: true, SmpOnly, TimeSpan.FromSeconds(120));

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.StartsWith("line 5: garbled EXO-TEST line (a skip needs a reason)"));
        Assert.Contains(verdict.Problems, p => p.Contains("line 4: test 'smp.tlb_shoot_down' began but has no 'pass'/'fail'/'skip'"));
        Assert.Contains(verdict.Problems, p => p.Contains("suite 'smp': plan says 2 tests but 1 finished"));
        Assert.Contains(verdict.Problems, p => p.Contains("missing 'EXO-TEST done'"));
        Assert.Equal(TestOutcome.NoResult, verdict.Report.Test("smp.tlb_shoot_down")!.Outcome);
        Assert.Empty(verdict.SkippedTests);
    }

    [Fact]
    public void Skip_line_cut_inside_the_verb_is_garbled()
    {
        var serial = WithSkips.Replace("EXO-TEST skip smp.tlb_shoot_down 3 one processor: nothing to shoot down", "EXO-TEST sk");
        var verdict = TestReportParser.Evaluate(serial, 1, false, SmpOnly);

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.StartsWith("line 5: garbled EXO-TEST line (unknown verb 'sk')"));
        Assert.Contains(verdict.Problems, p => p.Contains("'smp.tlb_shoot_down' began but has no"));
        Assert.Contains(verdict.Problems, p => p.Contains("'done' says passed=1 failed=0 skipped=2 but the report has 1 'pass', 0 'fail' and 1 'skip' lines"));
    }

    [Fact]
    public void Garbled_skip_line_in_an_otherwise_good_run_fails_it()
    {
        var serial = WithSkips.Replace("EXO-TEST skip smp.distinct_apic_ids 1 one", "EXO-TEST skip smp.distinct_apic_ids 1[irq] one");
        var verdict = TestReportParser.Evaluate(serial, 1, false, SmpOnly);

        Assert.False(verdict.Success);
        Assert.Contains(verdict.Problems, p => p.Contains("garbled") && p.Contains("bad microseconds '1[irq]'"));
        Assert.Contains(verdict.Problems, p => p.Contains("suite 'smp': plan says 3 tests but 2 finished"));
    }

    [Fact]
    public void Skip_after_a_result_is_a_duplicate_result()
    {
        var serial = """
            EXO-TEST plan 1 smp
            EXO-TEST begin smp.a
            EXO-TEST pass smp.a 1
            EXO-TEST skip smp.a 1 one processor
            EXO-TEST done passed=1 failed=0 skipped=0 uptime_us=9
            """;
        var report = TestReportParser.Parse(serial);

        Assert.Equal(new[] { "line 4: duplicate result for test 'smp.a' (first on line 3)" }, report.Problems);
        Assert.Equal(TestOutcome.Passed, report.Test("smp.a")!.Outcome);
    }

    [Fact]
    public void Skip_lines_with_a_done_line_that_omits_skipped_is_a_count_mismatch()
    {
        // A kernel from before skips never prints a skip line; a done line without 'skipped=' counts 0.
        var serial = WithSkips.Replace(" skipped=2", "");
        var report = TestReportParser.Parse(serial);

        Assert.Equal(0, report.Done!.Skipped);
        Assert.Equal(new[] { "line 8: 'done' says passed=1 failed=0 skipped=0 but the report has 1 'pass', 0 'fail' and 2 'skip' lines" }, report.Problems);
    }

    [Fact]
    public void Done_without_skipped_is_read_as_zero_skipped()
    {
        var report = TestReportParser.Parse(Good);

        Assert.Empty(report.Problems);
        Assert.Equal(0, report.Done!.Skipped);
    }

    [Fact]
    public void Evaluate_from_a_qemu_result_uses_its_exit_status_and_wall_time()
    {
        var run = new QemuResult(3, false, TimeSpan.FromSeconds(2.5), Good, "", Array.Empty<string>());
        var verdict = TestReportParser.Evaluate(run, RuntimeAndHeap);

        Assert.False(verdict.Success);
        Assert.Equal(3, verdict.ExitCode);
        Assert.Contains("wall time 2.50 s", verdict.FailureMessage);
    }
}
