namespace Exo.Bench;

/// <summary>One row of the comparison: a metric with the Exo-OS and Linux values (null: not measured).</summary>
public sealed record BenchRow(string Name, BenchResult? Exo, BenchResult? Linux, bool LinuxHasEquivalent)
{
    public const string Unit = "instructions";

    /// <summary>Linux median / Exo-OS median (above 1: Exo-OS needs fewer instructions); null when a side is missing.</summary>
    public double? Ratio => Exo != null && Linux != null && Exo.Median > 0 ? (double)Linux.Median / Exo.Median : null;
}

/// <summary>The fixed list of benchmark rows and how the two guests' reports merge into it.</summary>
public static class Metrics
{
    /// <summary>Every row, in table order; each is always printed.</summary>
    public static readonly IReadOnlyList<string> Names = new[]
    {
        "syscall.null", "syscall.getpid", "time.clock_gettime",
        "alloc.small_pair", "alloc.batch100", "alloc.refill", "alloc.page",
        "ctx.switch", "sched.pick", "thread.create_join",
        "ipc.rtt", "ipc.rtt_64", "ipc.futex_rtt", "ipc.ring_msg", "ipc.zero_copy_1M",
        "mem.page_fault", "proc.spawn", "proc.fork", "boot.to_init",
    };

    /// <summary>Rows the Linux reference VM has no equivalent for (printed as "-").</summary>
    public static readonly IReadOnlySet<string> NoLinuxEquivalent = new HashSet<string>(StringComparer.Ordinal)
    {
        "alloc.refill", "sched.pick", "ipc.ring_msg", "ipc.zero_copy_1M",
    };

    /// <summary>Rows the Linux reference VM must report.</summary>
    public static IEnumerable<string> LinuxNames => Names.Where(n => !NoLinuxEquivalent.Contains(n));

    /// <summary>The fixed rows, then any other row the Exo-OS kernel reported, in its order.</summary>
    public static List<BenchRow> Merge(BenchReport? exo, BenchReport? linux)
    {
        var rows = new List<BenchRow>();
        foreach (var name in Names)
            rows.Add(new BenchRow(name, exo?.Find(name), linux?.Find(name), !NoLinuxEquivalent.Contains(name)));
        if (exo != null)
            foreach (var extra in exo.Results.Where(r => !Names.Contains(r.Name)))
                rows.Add(new BenchRow(extra.Name, extra, linux?.Find(extra.Name), linux?.Find(extra.Name) != null));
        return rows;
    }
}
