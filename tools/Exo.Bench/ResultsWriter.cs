using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Exo.Bench;

/// <summary>One guest boot of the run: its label (exo, posix, exo_shell, linux, linux_shell), status and wall time.</summary>
public sealed record GuestSummary(string Label, string Status, double? WallSeconds);

/// <summary>What results.json says about the run itself.</summary>
public sealed record RunHeader(
    string QemuVersion,
    string CpuModel,
    string LinuxKernel,
    DateTimeOffset Date,
    bool Quick,
    IReadOnlyList<GuestSummary> Guests,
    double TotalWallSeconds,
    string Icount);

/// <summary>Writes out/bench/results.json and the terminal table.</summary>
public static class ResultsWriter
{
    public static string ToJson(RunHeader header, IReadOnlyList<BenchRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("header");
            w.WriteString("qemu_version", header.QemuVersion);
            w.WriteString("cpu_model", header.CpuModel);
            w.WriteString("linux_kernel", header.LinuxKernel);
            w.WriteString("date", header.Date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteBoolean("quick", header.Quick);
            w.WriteStartObject("wall_seconds");
            foreach (var guest in header.Guests)
                WriteSeconds(w, guest.Label, guest.WallSeconds);
            WriteSeconds(w, "total", header.TotalWallSeconds);
            w.WriteEndObject();
            w.WriteString("icount", header.Icount);
            foreach (var guest in header.Guests)
                w.WriteString(guest.Label + "_status", guest.Status);
            w.WriteEndObject();

            w.WriteStartArray("results");
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", row.Name);
                w.WriteString("unit", row.UnitOf);
                WriteNumber(w, "exo", row.Exo?.Median);
                WriteNumber(w, "posix", row.Posix?.Median);
                WriteNumber(w, "linux", row.Linux?.Median);
                WriteNumber(w, "exo_min", row.Exo?.Min);
                WriteNumber(w, "posix_min", row.Posix?.Min);
                WriteNumber(w, "linux_min", row.Linux?.Min);
                w.WriteStartObject("iterations");
                WriteNumber(w, "exo", row.Exo?.Iterations);
                WriteNumber(w, "posix", row.Posix?.Iterations);
                WriteNumber(w, "linux", row.Linux?.Iterations);
                w.WriteEndObject();
                WriteRatio(w, "ratio", row.Ratio);
                WriteRatio(w, "posix_ratio", row.PosixRatio);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    static void WriteNumber(Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is ulong v)
            w.WriteNumber(name, v);
        else
            w.WriteNull(name);
    }

    static void WriteRatio(Utf8JsonWriter w, string name, double? ratio)
    {
        if (ratio is double value)
            w.WriteNumber(name, Math.Round(value, 4));
        else
            w.WriteNull(name);
    }

    static void WriteSeconds(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v)
            w.WriteNumber(name, Math.Round(v, 2));
        else
            w.WriteNull(name);
    }

    /// <summary>
    /// The terminal table: name, Exo-OS median, POSIX-X median, Linux median, Linux/Exo-OS and Linux/POSIX-X ratios,
    /// unit. A figure a side has no equivalent for is "-" ("n/a" for the audio and desktop rows: no comparable figure on
    /// Linux, and their boots run native programs); one it does not measure yet, "not yet".
    /// </summary>
    public static string Table(IReadOnlyList<BenchRow> rows)
    {
        const int Columns = 7;
        var lines = new List<string[]> { new[] { "name", "Exo-OS", "POSIX-X", "Linux", "ratio", "posix ratio", "unit" } };
        foreach (var row in rows)
        {
            lines.Add(new[]
            {
                row.Name,
                Figure(row.Exo, row.ExoHasEquivalent, "not yet"),
                Metrics.IsNativeOnly(row.Name) ? "n/a" : Figure(row.Posix, row.LinuxHasEquivalent, "not yet"),
                Metrics.IsNativeOnly(row.Name) ? "n/a" : Figure(row.Linux, row.LinuxHasEquivalent, "missing"),
                RatioText(row.Ratio),
                RatioText(row.PosixRatio),
                row.UnitOf,
            });
        }
        var widths = Enumerable.Range(0, Columns).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            sb.Append(l[0].PadRight(widths[0]));
            for (int c = 1; c < Columns - 1; c++)
                sb.Append("  ").Append(l[c].PadLeft(widths[c]));
            sb.Append("  ").Append(l[Columns - 1]).Append('\n');
            if (i == 0)
                sb.Append(new string('-', widths.Sum() + 2 * (Columns - 1))).Append('\n');
        }
        return sb.ToString();
    }

    static string Figure(BenchResult? result, bool hasEquivalent, string absent) =>
        result?.Median.ToString(CultureInfo.InvariantCulture) ?? (hasEquivalent ? absent : "-");

    static string RatioText(double? ratio) => ratio is double r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
