using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Exo.Bench;

/// <summary>What results.json says about the run itself.</summary>
public sealed record RunHeader(
    string QemuVersion,
    string CpuModel,
    string LinuxKernel,
    DateTimeOffset Date,
    bool Quick,
    double? ExoWallSeconds,
    double? LinuxWallSeconds,
    double TotalWallSeconds,
    string Icount,
    string ExoStatus,
    string LinuxStatus);

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
            WriteSeconds(w, "exo", header.ExoWallSeconds);
            WriteSeconds(w, "linux", header.LinuxWallSeconds);
            WriteSeconds(w, "total", header.TotalWallSeconds);
            w.WriteEndObject();
            w.WriteString("icount", header.Icount);
            w.WriteString("exo_status", header.ExoStatus);
            w.WriteString("linux_status", header.LinuxStatus);
            w.WriteEndObject();

            w.WriteStartArray("results");
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", row.Name);
                w.WriteString("unit", BenchRow.Unit);
                WriteNumber(w, "exo", row.Exo?.Median);
                WriteNumber(w, "linux", row.Linux?.Median);
                WriteNumber(w, "exo_min", row.Exo?.Min);
                WriteNumber(w, "linux_min", row.Linux?.Min);
                w.WriteStartObject("iterations");
                WriteNumber(w, "exo", row.Exo?.Iterations);
                WriteNumber(w, "linux", row.Linux?.Iterations);
                w.WriteEndObject();
                if (row.Ratio is double ratio)
                    w.WriteNumber("ratio", Math.Round(ratio, 4));
                else
                    w.WriteNull("ratio");
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

    static void WriteSeconds(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v)
            w.WriteNumber(name, Math.Round(v, 2));
        else
            w.WriteNull(name);
    }

    /// <summary>The terminal table: name, Exo-OS median, Linux median, Linux/Exo-OS ratio, unit.</summary>
    public static string Table(IReadOnlyList<BenchRow> rows)
    {
        var lines = new List<string[]> { new[] { "name", "Exo-OS", "Linux", "ratio", "unit" } };
        foreach (var row in rows)
        {
            lines.Add(new[]
            {
                row.Name,
                row.Exo?.Median.ToString(CultureInfo.InvariantCulture) ?? "not yet",
                row.Linux?.Median.ToString(CultureInfo.InvariantCulture) ?? (row.LinuxHasEquivalent ? "missing" : "-"),
                row.Ratio is double r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-",
                BenchRow.Unit,
            });
        }
        var widths = Enumerable.Range(0, 5).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            sb.Append(l[0].PadRight(widths[0])).Append("  ")
              .Append(l[1].PadLeft(widths[1])).Append("  ")
              .Append(l[2].PadLeft(widths[2])).Append("  ")
              .Append(l[3].PadLeft(widths[3])).Append("  ")
              .Append(l[4]).Append('\n');
            if (i == 0)
                sb.Append(new string('-', widths.Sum() + 8)).Append('\n');
        }
        return sb.ToString();
    }
}
