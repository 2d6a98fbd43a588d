using System.Globalization;
using System.Text.RegularExpressions;

namespace Exo.Bench;

/// <summary>
/// The audio boot's rows (make bench's exo_audio boot, init=bench_audio.conf): audio_test's lines
/// "audio_test: bench: audio.latency_p50 N us, audio.latency_p99 N us, audio.underruns N, ..." (the measured client
/// alone) and "audio_test: bench under load: ..." (beside a CPU hog and the IPC load test), read from the audio service's
/// own figures. Latencies are guest microseconds (-icount shift=3, sleep=off: QEMU's HDA model moves on the virtual
/// clock), underruns a count: not instructions, and Linux has no comparable figure (its column says "n/a").
/// </summary>
public static class AudioBench
{
    public const string LatencyP50 = "audio.latency_p50", LatencyP99 = "audio.latency_p99", Underruns = "audio.underruns";
    /// <summary>The suffix of the rows measured under load.</summary>
    public const string LoadSuffix = "_load";

    public static readonly IReadOnlyList<string> Rows = new[]
    {
        LatencyP50, LatencyP99, Underruns, LatencyP50 + LoadSuffix, LatencyP99 + LoadSuffix, Underruns + LoadSuffix,
    };

    static readonly Regex Line = new(
        @"^audio_test: bench( under load)?: audio\.latency_p50 (\d+) us, audio\.latency_p99 (\d+) us, audio\.underruns (\d+)",
        RegexOptions.CultureInvariant | RegexOptions.Multiline);

    /// <summary>The audio rows a transcript's lines give (a later line replaces an earlier one), as one report.</summary>
    public static BenchReport Parse(string transcript)
    {
        var report = new BenchReport { Done = transcript.Contains(BenchParser.DoneLine, StringComparison.Ordinal) };
        foreach (Match match in Line.Matches(transcript.Replace("\r", "", StringComparison.Ordinal)))
        {
            string suffix = match.Groups[1].Success ? LoadSuffix : "";
            Add(report, LatencyP50 + suffix, match.Groups[2].Value, "us");
            Add(report, LatencyP99 + suffix, match.Groups[3].Value, "us");
            Add(report, Underruns + suffix, match.Groups[4].Value, "count");
        }
        return report;
    }

    static void Add(BenchReport report, string name, string value, string unit)
    {
        if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
            return;
        report.Results.RemoveAll(r => r.Name == name);
        report.Results.Add(new BenchResult(name, number, number, 1, unit, null));
    }
}
