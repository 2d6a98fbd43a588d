using System.Globalization;

namespace Exo.Bench;

/// <summary>
/// The storage rows' figures from tools/bench/exo_count.c, a QEMU plugin that writes "KIND EXECUTED" each time the
/// program runs one of bench.h's marks (1: a timed batch begins, 2: it ends, 3: a row's batches are done), EXECUTED
/// being every instruction the guest ran so far. Those boots run with -icount sleep=on, whose TSC also advances with the
/// host's real time while the guest halts waiting for the disk; the marks give what the system executed, halted time
/// excluded. A row's batches are the begin and end pairs before its row mark; rows come in the order the program
/// printed them (its EXO-BENCH lines), and a batch's value is its count over the row's operations per batch
/// (iterations / batches), reported like bench.h does: the lower median and the minimum.
/// </summary>
public static class InstructionMarks
{
    public const int Begin = 1, End = 2, Row = 3;

    /// <summary>The instructions of each batch, one list per row mark, in order.</summary>
    public static List<List<ulong>> Batches(string marks)
    {
        var rows = new List<List<ulong>>();
        var current = new List<ulong>();
        ulong? begin = null;
        int lineNumber = 0;
        foreach (var raw in marks.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            var fields = line.Split(' ');
            if (fields.Length != 2 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
                || !ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var executed))
                throw new FormatException($"marks line {lineNumber}: '{line}' is not 'KIND EXECUTED'");
            switch (kind)
            {
                case Begin when begin == null:
                    begin = executed;
                    break;
                case End when begin != null && executed >= begin:
                    current.Add(executed - begin.Value);
                    begin = null;
                    break;
                case Row when begin == null:
                    rows.Add(current);
                    current = new List<ulong>();
                    break;
                default:
                    throw new FormatException($"marks line {lineNumber}: mark {kind} out of order");
            }
        }
        return rows;
    }

    /// <summary>
    /// The report with each of 'rows' (the rows the marks belong to) that it holds replaced by its counted figures;
    /// the marks' row groups are matched to those rows in the order the report has them, and must agree in number.
    /// </summary>
    public static BenchReport Apply(BenchReport report, string marks, IReadOnlySet<string> rows)
    {
        var batches = Batches(marks);
        var marked = report.Results.Where(r => rows.Contains(r.Name)).ToList();
        if (marked.Count != batches.Count)
            throw new FormatException($"{batches.Count} rows of marks for {marked.Count} rows printed");
        var counted = new BenchReport { Done = report.Done, Panic = report.Panic };
        counted.Malformed.AddRange(report.Malformed);
        foreach (var result in report.Results)
        {
            int index = marked.IndexOf(result);
            if (index < 0)
            {
                counted.Results.Add(result);
                continue;
            }
            var values = batches[index];
            if (values.Count == 0 || result.Iterations % (ulong)values.Count != 0)
                throw new FormatException($"{result.Name}: {values.Count} marked batches for {result.Iterations} iterations");
            ulong perBatch = result.Iterations / (ulong)values.Count;
            var perOperation = values.Select(v => (v + perBatch / 2) / perBatch).OrderBy(v => v).ToList();
            counted.Results.Add(result with { Median = perOperation[(perOperation.Count - 1) / 2], Min = perOperation[0] });
        }
        return counted;
    }
}
