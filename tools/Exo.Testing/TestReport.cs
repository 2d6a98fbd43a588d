using System.Globalization;
using System.Text;

namespace Exo.Testing;

/// <summary>Outcome of one in-kernel test.</summary>
public enum TestOutcome
{
    /// <summary><c>EXO-TEST pass</c>.</summary>
    Passed,
    /// <summary><c>EXO-TEST fail</c>.</summary>
    Failed,
    /// <summary><c>begin</c> seen but none of <c>pass</c>, <c>fail</c>, <c>skip</c> (crash, hang or truncated output).</summary>
    NoResult,
    /// <summary><c>EXO-TEST skip</c>: the test does not apply on this machine; <see cref="TestCaseResult.Message"/> says why.</summary>
    Skipped,
}

/// <summary>One in-kernel test as reported over EXO-TEST.</summary>
/// <param name="FullName"><c>suite.test</c> as printed.</param>
/// <param name="Suite">The part before the first dot.</param>
/// <param name="Name">The part after the first dot.</param>
/// <param name="Outcome">Pass, fail, skip or no result.</param>
/// <param name="Microseconds">Duration reported by the kernel, if any.</param>
/// <param name="Message">Failure message (<see cref="TestOutcome.Failed"/>) or the reason for a skip (<see cref="TestOutcome.Skipped"/>).</param>
/// <param name="BeginLine">1-based line of <c>begin</c>, or null if there was none.</param>
/// <param name="ResultLine">1-based line of <c>pass</c>/<c>fail</c>/<c>skip</c>, or null.</param>
public sealed record TestCaseResult(
    string FullName,
    string Suite,
    string Name,
    TestOutcome Outcome,
    long? Microseconds,
    string? Message,
    int? BeginLine,
    int? ResultLine)
{
    /// <summary>One line for logs: <c>PASS suite.test  123 us</c>.</summary>
    public string Describe()
    {
        var verdict = Outcome switch
        {
            TestOutcome.Passed => "PASS",
            TestOutcome.Failed => "FAIL",
            TestOutcome.Skipped => "SKIP",
            _ => "NO RESULT",
        };
        var time = Microseconds is { } us ? $"{us,10} us" : "         - us";
        var msg = Outcome switch
        {
            TestOutcome.Failed => "  " + (string.IsNullOrEmpty(Message) ? "(no message)" : Message),
            TestOutcome.Skipped => "  skipped: " + Message,
            TestOutcome.NoResult => "  (begun but never finished)",
            _ => "",
        };
        return $"{verdict,-9} {FullName,-48} {time}{msg}";
    }
}

/// <summary>A suite: its <c>plan</c> line and the tests reported for it.</summary>
/// <param name="Name">Suite name.</param>
/// <param name="Planned">Count from the <c>plan</c> line, or null if there was none.</param>
/// <param name="PlanLine">1-based line of the <c>plan</c> line, or null.</param>
/// <param name="Tests">Tests of this suite in report order.</param>
public sealed record SuiteResult(string Name, int? Planned, int? PlanLine, IReadOnlyList<TestCaseResult> Tests)
{
    /// <summary>Tests with <c>pass</c>.</summary>
    public int Passed => Tests.Count(t => t.Outcome == TestOutcome.Passed);
    /// <summary>Tests with <c>fail</c>.</summary>
    public int Failed => Tests.Count(t => t.Outcome == TestOutcome.Failed);
    /// <summary>Tests with <c>skip</c>.</summary>
    public int Skipped => Tests.Count(t => t.Outcome == TestOutcome.Skipped);
    /// <summary>Tests with a result.</summary>
    public int Finished => Passed + Failed + Skipped;
}

/// <summary>The <c>EXO-TEST done</c> line (<paramref name="Skipped"/> is 0 when the line has no <c>skipped=</c>).</summary>
public sealed record DoneSummary(int Passed, int Failed, long UptimeMicroseconds, int Line, int Skipped = 0);

/// <summary>Everything parsed from one serial transcript, plus the protocol problems found in it.</summary>
/// <param name="Suites">Suites in order of first appearance.</param>
/// <param name="Tests">All tests in order of first appearance.</param>
/// <param name="Done">The <c>done</c> line, or null if missing.</param>
/// <param name="Panics">Panic reports found in the transcript.</param>
/// <param name="Problems">Protocol violations found while parsing (empty for a well-formed report).</param>
/// <param name="Serial">The transcript.</param>
public sealed record TestReport(
    IReadOnlyList<SuiteResult> Suites,
    IReadOnlyList<TestCaseResult> Tests,
    DoneSummary? Done,
    IReadOnlyList<PanicReport> Panics,
    IReadOnlyList<string> Problems,
    string Serial)
{
    /// <summary>Tests with <c>pass</c>.</summary>
    public IEnumerable<TestCaseResult> PassedTests => Tests.Where(t => t.Outcome == TestOutcome.Passed);
    /// <summary>Tests with <c>fail</c>.</summary>
    public IEnumerable<TestCaseResult> FailedTests => Tests.Where(t => t.Outcome == TestOutcome.Failed);
    /// <summary>Tests with <c>skip</c>, each with its reason in <see cref="TestCaseResult.Message"/>.</summary>
    public IEnumerable<TestCaseResult> SkippedTests => Tests.Where(t => t.Outcome == TestOutcome.Skipped);
    /// <summary>Tests begun but never finished.</summary>
    public IEnumerable<TestCaseResult> UnfinishedTests => Tests.Where(t => t.Outcome == TestOutcome.NoResult);

    /// <summary>The suite called <paramref name="name"/>, or null.</summary>
    public SuiteResult? Suite(string name) => Suites.FirstOrDefault(s => s.Name == name);

    /// <summary>The test called <paramref name="fullName"/> (<c>suite.test</c>), or null.</summary>
    public TestCaseResult? Test(string fullName) => Tests.FirstOrDefault(t => t.FullName == fullName);

    /// <summary>
    /// A table of every test (one line each; a skipped one with its reason), the done line, and then every skipped
    /// test again with its reason, for test output.
    /// </summary>
    public string FormatTable()
    {
        var sb = new StringBuilder();
        foreach (var suite in Suites)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"suite {suite.Name}: planned {(suite.Planned?.ToString(CultureInfo.InvariantCulture) ?? "?")}, passed {suite.Passed}, failed {suite.Failed}, skipped {suite.Skipped}");
            int unfinished = suite.Tests.Count - suite.Finished;
            if (unfinished > 0)
                sb.Append(CultureInfo.InvariantCulture, $", unfinished {unfinished}");
            sb.Append('\n');
            foreach (var t in suite.Tests)
                sb.Append("  ").Append(t.Describe()).Append('\n');
        }
        if (Done is { } d)
            sb.Append(CultureInfo.InvariantCulture,
                $"done: passed={d.Passed} failed={d.Failed} skipped={d.Skipped} uptime={d.UptimeMicroseconds / 1000.0:F1} ms (guest)\n");
        else
            sb.Append("done: (missing)\n");
        var skipped = SkippedTests.ToList();
        if (skipped.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"skipped ({skipped.Count}, not failures: they do not apply on this machine):\n");
            foreach (var t in skipped)
                sb.Append("  ").Append(t.FullName).Append(": ").Append(t.Message).Append('\n');
        }
        return sb.ToString();
    }
}
