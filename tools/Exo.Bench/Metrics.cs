namespace Exo.Bench;

/// <summary>
/// One row of the comparison: a metric measured three ways (null: not measured). Exo: Exo-OS's own implementation
/// (kernel-level or a native ring-3 program); Posix: the Linux reference VM's own static binary run on Exo-OS through
/// POSIX-X; Linux: that binary on Linux.
/// </summary>
public sealed record BenchRow(string Name, BenchResult? Exo, BenchResult? Posix, BenchResult? Linux,
    bool LinuxHasEquivalent, bool ExoHasEquivalent = true)
{
    public const string Unit = "instructions";

    /// <summary>What the row counts: the guests' unit (instructions unless a row says otherwise, as the audio rows do).</summary>
    public string UnitOf => Exo?.Unit ?? Posix?.Unit ?? Linux?.Unit ?? (Metrics.AudioRows.Contains(Name) ? AudioUnit : Unit);

    const string AudioUnit = "us (underruns: count)";

    /// <summary>Linux median / Exo-OS median (above 1: Exo-OS needs fewer instructions); null when a side is missing.</summary>
    public double? Ratio => RatioOf(Exo);

    /// <summary>Linux median / POSIX-X median: the same binary on both kernels.</summary>
    public double? PosixRatio => RatioOf(Posix);

    double? RatioOf(BenchResult? exo) => exo != null && Linux != null && exo.Median > 0 ? (double)Linux.Median / exo.Median : null;
}

/// <summary>The fixed list of benchmark rows and how the guests' reports merge into it.</summary>
public static class Metrics
{
    /// <summary>Every row, in table order; each is always printed.</summary>
    public static readonly IReadOnlyList<string> Names = new[]
    {
        ControlRow,
        "syscall.null", "syscall.getpid", "time.clock_gettime",
        "alloc.small_pair", "alloc.batch100", "alloc.refill", "alloc.page",
        "ctx.switch", "sched.pick", "thread.create_join",
        "ipc.rtt", "ipc.rtt_64", "ipc.futex_rtt", "ipc.futex_rtt_process", "ipc.ring_msg", "ipc.zero_copy_1M",
        "mem.page_fault", "proc.spawn", "proc.fork",
        "proc.exec_dynamic", "python.startup",
        "hackbench.process_socket", "hackbench.process_pipe", "hackbench.thread_socket", "hackbench.thread_pipe",
        "disk.read_4k", "disk.write_4k_fsync", "disk.seq_read_1M", "file.cached_read_4k", "file.create_delete",
        "net.tcp_rx_mib", "net.tcp_tx_mib", "net.tcp_connect_close", "net.udp_rtt",
        "audio.latency_p50", "audio.latency_p99", "audio.underruns",
        "audio.latency_p50_load", "audio.latency_p99_load", "audio.underruns_load",
        "gui.compose_full", "gui.compose_damage", "gui.key_to_pixel",
        "boot.to_init", "boot.to_shell", "boot.to_desktop",
    };

    /// <summary>
    /// The storage boot's rows (tools/bench/linux-reference/storage): the same static program on Linux's ext4 and on
    /// Exo-OS's extfs through POSIX-X, each on its own copy of one disk image.
    /// </summary>
    public static readonly IReadOnlySet<string> StorageRows = new HashSet<string>(StringComparer.Ordinal)
    {
        "disk.read_4k", "disk.write_4k_fsync", "disk.seq_read_1M", "file.cached_read_4k", "file.create_delete",
    };

    /// <summary>
    /// The network boot's rows (tools/bench/linux-reference/network): the same static program on Linux and through POSIX-X,
    /// and net_bench through exo_std's native sockets (the exo column), each guest with a virtio-net card.
    /// </summary>
    public static readonly IReadOnlySet<string> NetworkRows = new HashSet<string>(StringComparer.Ordinal)
    {
        "net.tcp_rx_mib", "net.tcp_tx_mib", "net.tcp_connect_close", "net.udp_rtt",
    };

    /// <summary>
    /// The dynamic boot's rows (tools/bench/linux-reference/dynamic): Debian's dynamically linked bash, python3.11 and
    /// hackbench, started by one static harness, the same files on Linux and through POSIX-X.
    /// </summary>
    public static readonly IReadOnlySet<string> DynamicRows = new HashSet<string>(StringComparer.Ordinal)
    {
        "proc.exec_dynamic", "python.startup",
        "hackbench.process_socket", "hackbench.process_pipe", "hackbench.thread_socket", "hackbench.thread_pipe",
    };

    /// <summary>
    /// The fairness check: user-mode work with no system call (the reference programs' control.user_loop). The same
    /// binary must count the same instructions on Linux and through POSIX-X; if it does not, the two guests are not
    /// measured alike and no other row can be trusted.
    /// </summary>
    public const string ControlRow = "control.user_loop";

    /// <summary>The desktop boot's rows (userland/csharp/compositor/CompositorBenchmark.cs): the reference VM has no desktop.</summary>
    public static readonly IReadOnlySet<string> DesktopRows = new HashSet<string>(StringComparer.Ordinal)
    {
        "gui.compose_full", "gui.compose_damage", "gui.key_to_pixel", "boot.to_desktop",
    };

    /// <summary>Rows of a native program with nothing to compare on Linux or through POSIX-X (both columns "n/a").</summary>
    public static bool IsNativeOnly(string name) => AudioRows.Contains(name) || DesktopRows.Contains(name);

    /// <summary>The audio boot's rows (AudioBench): the audio service's own figures, in microseconds and counts.</summary>
    public static readonly IReadOnlySet<string> AudioRows = new HashSet<string>(AudioBench.Rows, StringComparer.Ordinal);

    /// <summary>Rows the Linux reference VM has no equivalent for (printed as "-"; the audio rows as "n/a").</summary>
    public static readonly IReadOnlySet<string> NoLinuxEquivalent = new HashSet<string>(
        new[] { "alloc.refill", "sched.pick", "ipc.ring_msg", "ipc.zero_copy_1M" }.Concat(AudioBench.Rows).Concat(DesktopRows),
        StringComparer.Ordinal);


    /// <summary>Rows only the reference binaries measure: Exo-OS's own column has no equivalent (printed as "-").</summary>
    public static readonly IReadOnlySet<string> NoExoEquivalent = new HashSet<string>(
        new[] { ControlRow, "boot.to_shell" }.Concat(StorageRows).Concat(DynamicRows), StringComparer.Ordinal);

    /// <summary>Rows the Linux reference VM must report.</summary>
    public static IEnumerable<string> LinuxNames => Names.Where(n => !NoLinuxEquivalent.Contains(n));

    /// <summary>The fixed rows, then any other row the Exo-OS kernel reported, in its order.</summary>
    public static List<BenchRow> Merge(BenchReport? exo, BenchReport? posix, BenchReport? linux)
    {
        var rows = new List<BenchRow>();
        foreach (var name in Names)
            rows.Add(new BenchRow(name, exo?.Find(name), posix?.Find(name), linux?.Find(name),
                !NoLinuxEquivalent.Contains(name), !NoExoEquivalent.Contains(name)));
        if (exo != null)
            foreach (var extra in exo.Results.Where(r => !Names.Contains(r.Name)))
                rows.Add(new BenchRow(extra.Name, extra, posix?.Find(extra.Name), linux?.Find(extra.Name), linux?.Find(extra.Name) != null));
        return rows;
    }

    /// <summary>
    /// What is wrong with the control row, or null when it holds: both POSIX-X and Linux measured it and their medians
    /// are equal. Missing on a side that ran is wrong too (the fairness of that run is then unknown).
    /// </summary>
    public static string? ControlProblem(IReadOnlyList<BenchRow> rows, bool posixRan, bool linuxRan)
    {
        var control = rows.First(r => r.Name == ControlRow);
        if (posixRan && control.Posix == null)
            return $"{ControlRow} is missing from the POSIX-X run";
        if (linuxRan && control.Linux == null)
            return $"{ControlRow} is missing from the Linux run";
        if (control.Posix != null && control.Linux != null && control.Posix.Median != control.Linux.Median)
            return $"{ControlRow} differs: POSIX-X {control.Posix.Median}, Linux {control.Linux.Median} instructions " +
                   "(the same user-mode code must count the same on both: the measurement is not fair)";
        return null;
    }
}
