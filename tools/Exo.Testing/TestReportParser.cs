using System.Globalization;
using System.Text;

namespace Exo.Testing;

/// <summary>
/// Parses the EXO-TEST protocol (docs/serial-protocols.md) and checks a run against it.
/// <see cref="Parse"/> finds the problems that are visible in the transcript alone;
/// <see cref="Evaluate(string, int?, bool, IReadOnlyCollection{string}?, TimeSpan?)"/> adds the exit status,
/// timeout, panics, expected suites and failed tests, and produces a failure message.
/// </summary>
public static class TestReportParser
{
    /// <summary>Every protocol line starts with this at column 0.</summary>
    public const string Prefix = "EXO-TEST";

    /// <summary>Lines of serial output quoted at the end of a failure message.</summary>
    public const int TailLines = 40;

    private sealed class MutableTest
    {
        public required string FullName;
        public required string Suite;
        public required string Name;
        public TestOutcome Outcome = TestOutcome.NoResult;
        public long? Microseconds;
        public string? Message;
        public int? BeginLine;
        public int? ResultLine;

        public TestCaseResult Freeze() =>
            new(FullName, Suite, Name, Outcome, Microseconds, Message, BeginLine, ResultLine);
    }

    private sealed class MutableSuite
    {
        public required string Name;
        public int? Planned;
        public int? PlanLine;
        public readonly List<MutableTest> Tests = new();
    }

    /// <summary>Parses a transcript. Never throws on bad input: problems go to <see cref="TestReport.Problems"/>.</summary>
    public static TestReport Parse(string serial)
    {
        serial ??= "";
        var lines = SerialText.SplitLines(serial);
        var problems = new List<string>();
        var suites = new List<MutableSuite>();
        var suiteByName = new Dictionary<string, MutableSuite>(StringComparer.Ordinal);
        var tests = new List<MutableTest>();
        var testByName = new Dictionary<string, MutableTest>(StringComparer.Ordinal);
        DoneSummary? done = null;

        MutableSuite GetSuite(string name)
        {
            if (!suiteByName.TryGetValue(name, out var s))
            {
                s = new MutableSuite { Name = name };
                suiteByName.Add(name, s);
                suites.Add(s);
            }
            return s;
        }

        MutableTest AddTest(string fullName, string suite, string name, int line, string verb)
        {
            var s = GetSuite(suite);
            if (s.Planned is null)
                problems.Add($"line {line}: '{verb} {fullName}' before any 'plan' line for suite '{suite}'");
            var t = new MutableTest { FullName = fullName, Suite = suite, Name = name };
            tests.Add(t);
            testByName.Add(fullName, t);
            s.Tests.Add(t);
            return t;
        }

        for (int i = 0; i < lines.Count; i++)
        {
            int lineNo = i + 1;
            var line = lines[i];

            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                int mid = line.IndexOf(Prefix, StringComparison.Ordinal);
                if (mid > 0)
                    problems.Add($"line {lineNo}: '{Prefix}' not at the start of the line (interleaved output?): {Quote(line)}");
                continue;
            }

            if (!TryParseLine(line, out var parsed, out var why))
            {
                problems.Add($"line {lineNo}: garbled {Prefix} line ({why}): {Quote(line)}");
                continue;
            }

            if (done is not null)
            {
                problems.Add($"line {lineNo}: {Prefix} line after 'done' (line {done.Line}): {Quote(line)}");
                if (parsed.Verb == "done")
                    continue;
            }

            switch (parsed.Verb)
            {
                case "plan":
                {
                    var s = GetSuite(parsed.Suite!);
                    if (s.Planned is not null)
                        problems.Add($"line {lineNo}: duplicate 'plan' for suite '{s.Name}' (first on line {s.PlanLine})");
                    else
                    {
                        s.Planned = parsed.Count;
                        s.PlanLine = lineNo;
                    }
                    break;
                }
                case "begin":
                {
                    if (testByName.TryGetValue(parsed.Test!, out var existing))
                    {
                        problems.Add(
                            $"line {lineNo}: duplicate test '{parsed.Test}' (already " +
                            (existing.BeginLine is { } b ? $"begun on line {b})" : $"reported on line {existing.ResultLine})"));
                        break;
                    }
                    var t = AddTest(parsed.Test!, parsed.Suite!, parsed.Name!, lineNo, "begin");
                    t.BeginLine = lineNo;
                    break;
                }
                case "pass":
                case "fail":
                case "skip":
                {
                    if (!testByName.TryGetValue(parsed.Test!, out var t))
                    {
                        problems.Add($"line {lineNo}: '{parsed.Verb} {parsed.Test}' without a 'begin'");
                        t = AddTest(parsed.Test!, parsed.Suite!, parsed.Name!, lineNo, parsed.Verb);
                    }
                    else if (t.ResultLine is not null)
                    {
                        problems.Add($"line {lineNo}: duplicate result for test '{parsed.Test}' (first on line {t.ResultLine})");
                        break;
                    }
                    t.Outcome = parsed.Verb switch
                    {
                        "pass" => TestOutcome.Passed,
                        "fail" => TestOutcome.Failed,
                        _ => TestOutcome.Skipped,
                    };
                    t.Microseconds = parsed.Microseconds;
                    t.Message = parsed.Message;
                    t.ResultLine = lineNo;
                    break;
                }
                case "done":
                    done = new DoneSummary(parsed.Passed, parsed.Failed, parsed.Uptime, lineNo, parsed.Skipped);
                    break;
            }
        }

        // Checks that need the whole transcript.
        foreach (var t in tests.Where(t => t.Outcome == TestOutcome.NoResult))
            problems.Add($"line {t.BeginLine}: test '{t.FullName}' began but has no 'pass'/'fail'/'skip'");

        foreach (var s in suites.Where(s => s.Planned is not null))
        {
            int finished = s.Tests.Count(t => t.Outcome != TestOutcome.NoResult);
            if (finished != s.Planned)
                problems.Add($"suite '{s.Name}': plan says {s.Planned} tests but {finished} finished");
        }

        int passLines = tests.Count(t => t.Outcome == TestOutcome.Passed);
        int failLines = tests.Count(t => t.Outcome == TestOutcome.Failed);
        int skipLines = tests.Count(t => t.Outcome == TestOutcome.Skipped);
        if (done is null)
        {
            problems.Add($"missing '{Prefix} done' line (the kernel crashed, hung or stopped early)");
        }
        else if (done.Passed != passLines || done.Failed != failLines || done.Skipped != skipLines)
        {
            problems.Add(
                $"line {done.Line}: 'done' says passed={done.Passed} failed={done.Failed} skipped={done.Skipped} but the report has " +
                $"{passLines} 'pass', {failLines} 'fail' and {skipLines} 'skip' lines");
        }

        var panics = PanicReportParser.ParseAll(lines);
        return new TestReport(
            suites.Select(s => new SuiteResult(s.Name, s.Planned, s.PlanLine, s.Tests.Select(t => t.Freeze()).ToList())).ToList(),
            tests.Select(t => t.Freeze()).ToList(),
            done,
            panics,
            problems,
            serial);
    }

    /// <summary>Parses and checks the output of one QEMU run.</summary>
    public static TestRunVerdict Evaluate(QemuResult run, IReadOnlyCollection<string>? expectedSuites = null) =>
        Evaluate(run.Serial, run.ExitCode, run.TimedOut, expectedSuites, run.WallTime);

    /// <summary>
    /// Parses <paramref name="serial"/> and checks it together with how the guest ended.
    /// </summary>
    /// <param name="serial">The COM1 transcript.</param>
    /// <param name="exitCode">QEMU's exit status, or null if unknown / killed.</param>
    /// <param name="timedOut">True if the guest was killed for running too long.</param>
    /// <param name="expectedSuites">Suites that must have a <c>plan</c> line (what was asked for with <c>test=</c>), or null.</param>
    /// <param name="wallTime">Host wall time of the run, for the message.</param>
    public static TestRunVerdict Evaluate(
        string serial,
        int? exitCode,
        bool timedOut,
        IReadOnlyCollection<string>? expectedSuites = null,
        TimeSpan? wallTime = null)
    {
        var report = Parse(serial);
        var problems = new List<string>();

        if (timedOut)
            problems.Add($"timed out{(wallTime is { } w ? $" after {w.TotalSeconds:F1} s" : "")}: the guest was killed");

        foreach (var p in report.Panics)
        {
            var sb = new StringBuilder($"kernel panic (line {p.Line}): {p.Reason}");
            foreach (var l in p.BodyLines)
                sb.Append("\n      ").Append(l);
            if (!p.Complete)
                sb.Append("\n      (panic report cut off: no EXO-PANIC-END)");
            problems.Add(sb.ToString());
        }

        problems.AddRange(report.Problems);

        if (expectedSuites is not null)
        {
            foreach (var name in expectedSuites)
            {
                var s = report.Suite(name);
                if (s is null || s.Planned is null)
                    problems.Add($"suite '{name}' was requested but has no 'plan' line");
                else if (s.Planned == 0)
                    problems.Add($"suite '{name}' planned 0 tests (an empty suite tests nothing)");
            }
            foreach (var s in report.Suites.Where(s => !expectedSuites.Contains(s.Name)))
                problems.Add($"suite '{s.Name}' was reported but not requested");
        }

        if (!timedOut)
        {
            bool anyFailed = report.FailedTests.Any() || (report.Done?.Failed ?? 0) > 0;
            int expected = anyFailed ? ExitStatus.TestsFailed : ExitStatus.Success;
            if (exitCode is null)
            {
                problems.Add("QEMU was killed: no exit status");
            }
            else if (report.Panics.Count > 0)
            {
                if (exitCode != ExitStatus.Panic)
                    problems.Add($"exit status {ExitStatus.Describe(exitCode.Value)} after a panic, expected {ExitStatus.Describe(ExitStatus.Panic)}");
            }
            else if (exitCode != expected)
            {
                problems.Add(
                    $"exit status {ExitStatus.Describe(exitCode.Value)} does not match the report, expected {ExitStatus.Describe(expected)}");
            }
        }

        return new TestRunVerdict(report, problems, exitCode, timedOut, wallTime);
    }

    /// <summary>Parsed form of one EXO-TEST line.</summary>
    private struct ParsedLine
    {
        public string Verb;
        public string? Suite;
        public string? Test;
        public string? Name;
        public int Count;
        public long? Microseconds;
        public string? Message;
        public int Passed;
        public int Failed;
        public int Skipped;
        public long Uptime;
    }

    private static bool TryParseLine(string line, out ParsedLine parsed, out string why)
    {
        parsed = default;
        why = "";
        if (line.Length == Prefix.Length)
        {
            why = "no verb";
            return false;
        }
        if (line[Prefix.Length] != ' ')
        {
            why = $"'{Prefix}' must be followed by a space";
            return false;
        }
        var rest = line.Substring(Prefix.Length + 1).TrimEnd();
        var tokens = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            why = "no verb";
            return false;
        }

        parsed.Verb = tokens[0];
        switch (tokens[0])
        {
            case "plan":
                if (tokens.Length != 3) { why = "expected 'plan <count> <suite>'"; return false; }
                if (!TryParseCount(tokens[1], out var count)) { why = $"bad count '{tokens[1]}'"; return false; }
                if (!IsName(tokens[2])) { why = $"bad suite name '{tokens[2]}'"; return false; }
                parsed.Count = count;
                parsed.Suite = tokens[2];
                return true;

            case "begin":
                if (tokens.Length != 2) { why = "expected 'begin <suite>.<test>'"; return false; }
                return TrySplitTest(tokens[1], ref parsed, out why);

            case "pass":
                if (tokens.Length != 3) { why = "expected 'pass <suite>.<test> <microseconds>'"; return false; }
                if (!TrySplitTest(tokens[1], ref parsed, out why)) return false;
                if (!TryParseMicros(tokens[2], out var passUs)) { why = $"bad microseconds '{tokens[2]}'"; return false; }
                parsed.Microseconds = passUs;
                return true;

            case "fail":
            case "skip":
            {
                bool skip = tokens[0] == "skip";
                if (tokens.Length < 3)
                {
                    why = skip ? "expected 'skip <suite>.<test> <microseconds> <reason>'" : "expected 'fail <suite>.<test> <microseconds> <message>'";
                    return false;
                }
                if (!TrySplitTest(tokens[1], ref parsed, out why)) return false;
                if (!TryParseMicros(tokens[2], out var us)) { why = $"bad microseconds '{tokens[2]}'"; return false; }
                parsed.Microseconds = us;
                // The message (or reason) is the rest of the line after the third token, verbatim.
                int pos = 0;
                for (int k = 0; k < 3; k++)
                {
                    while (pos < rest.Length && rest[pos] == ' ') pos++;
                    while (pos < rest.Length && rest[pos] != ' ') pos++;
                }
                parsed.Message = rest.Substring(pos).Trim();
                // A failure may lack a message (the test's own fault); a skip without its reason was cut off or garbled.
                if (skip && parsed.Message.Length == 0) { why = "a skip needs a reason"; return false; }
                return true;
            }

            case "done":
            {
                long? passed = null, failed = null, skipped = null, uptime = null;
                for (int k = 1; k < tokens.Length; k++)
                {
                    int eq = tokens[k].IndexOf('=');
                    if (eq <= 0) { why = $"expected key=value, got '{tokens[k]}'"; return false; }
                    var key = tokens[k].Substring(0, eq);
                    var value = tokens[k].Substring(eq + 1);
                    if (!TryParseMicros(value, out var v)) { why = $"bad number in '{tokens[k]}'"; return false; }
                    switch (key)
                    {
                        case "passed":
                            if (passed is not null) { why = "'passed' given twice"; return false; }
                            passed = v;
                            break;
                        case "failed":
                            if (failed is not null) { why = "'failed' given twice"; return false; }
                            failed = v;
                            break;
                        case "skipped":
                            if (skipped is not null) { why = "'skipped' given twice"; return false; }
                            skipped = v;
                            break;
                        case "uptime_us":
                            if (uptime is not null) { why = "'uptime_us' given twice"; return false; }
                            uptime = v;
                            break;
                        default:
                            break; // unknown keys are tolerated for forward compatibility
                    }
                }
                if (passed is null || failed is null || uptime is null)
                {
                    why = "expected 'done passed=<n> failed=<n> uptime_us=<n>'";
                    return false;
                }
                if (passed > int.MaxValue || failed > int.MaxValue || skipped > int.MaxValue) { why = "count too large"; return false; }
                parsed.Passed = (int)passed;
                parsed.Failed = (int)failed;
                parsed.Skipped = (int)(skipped ?? 0);   // kernels before skips existed print no 'skipped=
                parsed.Uptime = uptime.Value;
                return true;
            }

            default:
                why = $"unknown verb '{tokens[0]}'";
                return false;
        }
    }

    private static bool TrySplitTest(string fullName, ref ParsedLine parsed, out string why)
    {
        why = "";
        int dot = fullName.IndexOf('.');
        if (dot <= 0 || dot == fullName.Length - 1)
        {
            why = $"test name '{fullName}' is not '<suite>.<test>'";
            return false;
        }
        var suite = fullName.Substring(0, dot);
        var name = fullName.Substring(dot + 1);
        if (!IsName(suite))
        {
            why = $"bad suite name '{suite}'";
            return false;
        }
        if (name.Any(char.IsControl))
        {
            why = $"control character in test name '{fullName}'";
            return false;
        }
        parsed.Suite = suite;
        parsed.Name = name;
        parsed.Test = fullName;
        return true;
    }

    private static bool IsName(string s) =>
        s.Length > 0 && s.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-');

    private static bool TryParseCount(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryParseMicros(string s, out long value) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    internal static string Quote(string line)
    {
        const int max = 160;
        var shown = line.Length > max ? line.Substring(0, max) + "..." : line;
        var sb = new StringBuilder("\"");
        foreach (var c in shown)
        {
            if (c == '"') sb.Append("\\\"");
            else if (char.IsControl(c)) sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>The verdict on one in-kernel test run.</summary>
public sealed class TestRunVerdict
{
    internal TestRunVerdict(TestReport report, IReadOnlyList<string> problems, int? exitCode, bool timedOut, TimeSpan? wallTime)
    {
        Report = report;
        Problems = problems;
        ExitCode = exitCode;
        TimedOut = timedOut;
        WallTime = wallTime;
    }

    /// <summary>The parsed report.</summary>
    public TestReport Report { get; }

    /// <summary>Everything wrong apart from failed tests: protocol violations, panic, timeout, exit status.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>In-kernel tests that reported <c>fail</c>.</summary>
    public IReadOnlyList<TestCaseResult> FailedTests => Report.FailedTests.ToList();

    /// <summary>
    /// In-kernel tests that reported <c>skip</c> (with the reason in <see cref="TestCaseResult.Message"/>): not
    /// failures, so <see cref="Success"/> ignores them; callers show them (xunit 2 has no dynamic skip).
    /// </summary>
    public IReadOnlyList<TestCaseResult> SkippedTests => Report.SkippedTests.ToList();

    /// <summary>QEMU's exit status.</summary>
    public int? ExitCode { get; }

    /// <summary>True if the run timed out.</summary>
    public bool TimedOut { get; }

    /// <summary>Host wall time, if known.</summary>
    public TimeSpan? WallTime { get; }

    /// <summary>True when every test passed and nothing is wrong with the report.</summary>
    public bool Success => Problems.Count == 0 && FailedTests.Count == 0;

    /// <summary>
    /// A message naming the failed in-kernel tests, every problem, how QEMU ended and the last
    /// <see cref="TestReportParser.TailLines"/> lines of serial output. Empty when <see cref="Success"/>.
    /// </summary>
    public string FailureMessage
    {
        get
        {
            if (Success)
                return "";
            var failed = FailedTests;
            var sb = new StringBuilder();
            sb.Append("In-kernel test run failed: ");
            var parts = new List<string>();
            if (failed.Count > 0)
                parts.Add($"{failed.Count} of {Report.Tests.Count} in-kernel test(s) failed ({string.Join(", ", failed.Select(t => t.FullName))})");
            if (Problems.Count > 0)
                parts.Add($"{Problems.Count} problem(s) with the run");
            sb.Append(string.Join("; ", parts)).Append('\n');

            if (failed.Count > 0)
            {
                sb.Append("Failed in-kernel tests:\n");
                foreach (var t in failed)
                    sb.Append(CultureInfo.InvariantCulture,
                        $"  {t.FullName} ({t.Microseconds} us): {(string.IsNullOrEmpty(t.Message) ? "(no message)" : t.Message)}\n");
            }
            if (Problems.Count > 0)
            {
                sb.Append("Problems:\n");
                foreach (var p in Problems)
                    sb.Append("  - ").Append(p).Append('\n');
            }
            sb.Append("QEMU: ").Append(DescribeEnd()).Append('\n');
            sb.Append(SerialText.TailBlock(Report.Serial, TestReportParser.TailLines));
            return sb.ToString();
        }
    }

    /// <summary>How the guest ended, in words.</summary>
    public string DescribeEnd()
    {
        var wall = WallTime is { } w ? $", wall time {w.TotalSeconds:F2} s" : "";
        if (TimedOut)
            return "timed out, killed" + wall;
        return (ExitCode is { } c ? "exit status " + ExitStatus.Describe(c) : "no exit status") + wall;
    }
}
