using System.Globalization;

namespace Exo.Bench;

/// <summary>One <c>EXO-BENCH</c> line: values are guest instructions per operation.</summary>
public sealed record BenchResult(string Name, ulong Median, ulong Min, ulong Iterations, string Unit, string? Note);

/// <summary>Everything the benchmark protocol lines of one serial transcript say.</summary>
public sealed class BenchReport
{
    /// <summary>Results in the order the guest printed them (a repeated name keeps its last value).</summary>
    public List<BenchResult> Results { get; } = new();

    /// <summary>True when the transcript has an <c>EXO-BENCH-DONE</c> line.</summary>
    public bool Done { get; set; }

    /// <summary>Lines that start with <c>EXO-BENCH</c> but do not follow the format.</summary>
    public List<string> Malformed { get; } = new();

    /// <summary>First <c>EXO-PANIC</c> line, if the guest panicked.</summary>
    public string? Panic { get; set; }

    public BenchResult? Find(string name) => Results.FirstOrDefault(r => r.Name == name);

    /// <summary>
    /// The results of several runs of one column as one report (a later run's row replaces an earlier one's); Done
    /// when every run was done, the first panic and every malformed line kept.
    /// </summary>
    public static BenchReport Combine(IEnumerable<BenchReport> reports)
    {
        var combined = new BenchReport { Done = true };
        foreach (var report in reports)
        {
            foreach (var result in report.Results)
            {
                combined.Results.RemoveAll(r => r.Name == result.Name);
                combined.Results.Add(result);
            }
            combined.Done &= report.Done;
            combined.Panic ??= report.Panic;
            combined.Malformed.AddRange(report.Malformed);
        }
        return combined;
    }
}

/// <summary>
/// Parses the benchmark report of docs/serial-protocols.md:
/// <c>EXO-BENCH &lt;name&gt; median=&lt;n&gt; min=&lt;n&gt; iterations=&lt;n&gt; unit=&lt;word&gt; [note=&lt;word&gt;]</c>
/// and <c>EXO-BENCH-DONE</c>, both starting at column 0. Every other line is ignored.
/// </summary>
public static class BenchParser
{
    public const string LinePrefix = "EXO-BENCH";
    public const string DoneLine = "EXO-BENCH-DONE";

    public static BenchReport Parse(string transcript)
    {
        var report = new BenchReport();
        foreach (var raw in transcript.Split('\n'))
        {
            var line = raw.TrimEnd('\r', '\0', ' ', '\t');
            if (line.StartsWith("EXO-PANIC ", StringComparison.Ordinal) && report.Panic == null)
                report.Panic = line;
            if (!line.StartsWith(LinePrefix, StringComparison.Ordinal))
                continue;
            if (line == DoneLine)
            {
                report.Done = true;
                continue;
            }
            if (line.Length == LinePrefix.Length || line[LinePrefix.Length] != ' ')
            {
                report.Malformed.Add(line);
                continue;
            }
            var result = ParseLine(line);
            if (result == null)
            {
                report.Malformed.Add(line);
                continue;
            }
            report.Results.RemoveAll(r => r.Name == result.Name);
            report.Results.Add(result);
        }
        return report;
    }

    /// <summary>Parses one <c>EXO-BENCH name key=value...</c> line; null when it is malformed.</summary>
    public static BenchResult? ParseLine(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 6 || words[0] != LinePrefix || !IsName(words[1]))
            return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 2; i < words.Length; i++)
        {
            int eq = words[i].IndexOf('=');
            if (eq <= 0 || eq == words[i].Length - 1 || !fields.TryAdd(words[i][..eq], words[i][(eq + 1)..]))
                return null;
        }
        if (!TryNumber(fields, "median", out var median) || !TryNumber(fields, "min", out var min)
            || !TryNumber(fields, "iterations", out var iterations) || !fields.TryGetValue("unit", out var unit))
            return null;
        fields.TryGetValue("note", out var note);
        return new BenchResult(words[1], median, min, iterations, unit, note);
    }

    static bool TryNumber(Dictionary<string, string> fields, string key, out ulong value)
    {
        value = 0;
        return fields.TryGetValue(key, out var text) && text.All(char.IsAsciiDigit)
            && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    static bool IsName(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
}
