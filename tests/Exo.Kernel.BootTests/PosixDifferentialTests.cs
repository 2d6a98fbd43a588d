using System.Text;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// POSIX-X's differential tests: each program of userland/linux/differential (static C, glibc) runs on this machine's
/// Linux, then on Exo-OS, and must print the same lines and exit 0 on both. The programs print relations they check
/// themselves where values legitimately differ between systems, so nothing is filtered here (the only lines set apart
/// on Exo-OS are the kernel's own "posix_x: " notes). On Linux: argv[0] the bare name as on Exo-OS, an environment of
/// TMPDIR alone (a fresh scratch directory, also the working directory: the programs work in $TMPDIR/difftest-NAME,
/// on Exo-OS /tmp/difftest-NAME), standard input a fresh pseudo-terminal (on Exo-OS it is the console). On Exo-OS: the
/// kernel shell of one boot types `run NAME` for each program in turn (<see cref="ExoOsProgramRunner"/>).
/// <see cref="Programs"/> says which programs are expected to pass on Exo-OS today; the others still run on Linux
/// (they stay known-good) and are reported as skipped on Exo-OS with the reason. $EXO_DIFFTEST_ALL=1 runs them on
/// Exo-OS too and reports how far each gets (for moving a program into the list once it passes).
/// </summary>
public class PosixDifferentialTests : IClassFixture<ExoOsProgramRunner>
{
    /// <summary>
    /// Every program, with null when it is expected to pass on Exo-OS today, else why it is not. A program enters
    /// the list (null) when it passes.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> Programs = new Dictionary<string, string?>
    {
        ["devices"] = null,
        ["attributes"] = null,
        ["files"] = null,
        ["directories"] = null,
        ["stat"] = null,
        ["memory"] = null,
        ["dynamic"] = null,
        ["filemaps"] = null,
        ["mapnames"] = null,
        ["identity"] = null,
        ["resources"] = null,
        ["system"] = null,
        ["threadstate"] = null,
        ["errors"] = null,
        ["executables"] = null,
        ["terminal"] = null,
        ["processes"] = null,
        ["signals"] = null,
        ["pipes"] = null,
        ["time"] = null,
        ["mounts"] = null,
        ["threads"] = null,
        ["futexes"] = null,
        ["pimutexes"] = null,
        ["eventfds"] = null,
        ["epolls"] = null,
        ["timerfds"] = null,
        ["signalfds"] = null,
        ["unixsockets"] = null,
        ["extended_attributes"] = null,
        ["descriptor_ranges"] = null,
        ["copy_ranges"] = null,
        ["filelocks"] = null,
        ["textpages"] = null,
        ["recordlocks"] = null,
        ["memfd"] = null,
        ["priorities"] = null,
        ["lesser_calls"] = null,
        ["pty"] = null,
        ["pty_signals"] = null,
        ["pty_shell"] = HostHasBusybox() ? null : "this machine has no busybox: nothing to compare Exo-OS's output with",
        // AF_INET needs the network service, which runs on a network card: NetworkServiceBootTests boots with one and
        // compares this program's output with Linux's at 1, 2 and 4 processors.
        ["inetsockets"] = "runs in NetworkServiceBootTests, whose boots have a network card and the network service",
        ["netinterfaces"] = "runs in NetworkToolsBootTests, whose boots have a network card and the network service",
        ["pingsockets"] = "runs in NetworkToolsBootTests, whose boots have a network card and the network service",
        ["vectorstate"] = HostHasAvx2() ? null : "this machine's processor has no AVX2: nothing to compare Exo-OS's output with",
    };

    // pty_shell runs busybox's shell on a pseudo-terminal: /bin/busybox on Exo-OS, where the host has one.
    private static bool HostHasBusybox() => File.Exists("/bin/busybox") || File.Exists("/usr/bin/busybox");

    // vectorstate compares YMM state handling: on a host without AVX2 it only prints that it skipped.
    private static bool HostHasAvx2()
        => File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").Any(line => line.StartsWith("flags") && line.Split(' ', '\t').Contains("avx2"));

    public const string AllVariable = "EXO_DIFFTEST_ALL";
    private const string NotePrefix = ExoOsProgramRunner.KernelNotePrefix;

    private readonly ITestOutputHelper _output;
    private readonly ExoOsProgramRunner _exo;

    public PosixDifferentialTests(ITestOutputHelper output, ExoOsProgramRunner exo)
    {
        _output = output;
        _exo = exo;
    }

    public static TheoryData<string> ProgramNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Programs.Keys)
                data.Add(name);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProgramNames))]
    public Task Program_prints_the_same_on_linux_and_on_exo_os(string program) => CheckAsync(program);

    /// <summary>Runs 'program' on Linux then on Exo-OS (through this class's runner) and compares.</summary>
    protected async Task CheckAsync(string program)
    {
        var binary = ExoPaths.RequireLinuxProgram(program);
        var expected = RunOnLinux(program, binary);

        var reason = Programs[program];
        bool all = Environment.GetEnvironmentVariable(AllVariable) == "1";
        if (reason != null && !all)
        {
            _output.WriteLine($"skipped on Exo-OS: {reason} (${AllVariable}=1 runs it there anyway)");
            Boot.RecordSkip(_output, "posix differential", program + " on Exo-OS", reason);
            return;
        }

        var exo = await _exo.RunAsync(program);
        LogExoOs(exo);
        var verdict = Compare(program, expected, exo);
        if (verdict != null)
            _output.WriteLine(ListDifferences(expected, exo.Lines));
        if (reason != null)
        {
            _output.WriteLine(verdict == null
                ? $"{program} now passes on Exo-OS: move it into the list (PosixDifferentialTests.Programs)"
                : $"{program} (expected not to pass yet) on Exo-OS:\n{verdict}");
            Boot.RecordSkip(_output, "posix differential", program + " on Exo-OS", reason);
            return;
        }
        if (verdict != null)
            Assert.Fail(verdict);
    }

    /// <summary>The table and the folder agree: every program has a row, every row a program.</summary>
    [Fact]
    public void Every_program_in_the_folder_has_a_row()
    {
        var folder = Path.Combine(ExoPaths.FindRepoRoot(), "userland", "linux", "differential");
        var sources = Directory.GetFiles(folder, "*.c").Select(f => Path.GetFileNameWithoutExtension(f)!).Order().ToList();
        Assert.Equal(sources, Programs.Keys.Order().ToList());
    }

    private const int LinuxRetries = 2;

    private IReadOnlyList<string> RunOnLinux(string program, string binary)
    {
        var scratch = Directory.CreateTempSubdirectory("exo-difftest-");
        try
        {
            // The reference itself may fail now and then: this machine's Linux (6.18, with its per-process futex hash)
            // lost a requeued futex waiter of `futexes` about once in 100 runs under load, and the run hung. A failed
            // Linux run is made again, at most twice; Exo-OS's run is never repeated.
            var linux = LinuxHost.Run(binary, program, Array.Empty<string>(), new[] { "TMPDIR=" + scratch.FullName },
                scratch.FullName, terminalInput: true);
            for (int again = 0; again < LinuxRetries && (linux.TimedOut || linux.ExitCode != 0); again++)
            {
                _output.WriteLine($"--- on Linux: {(linux.TimedOut ? "did not finish" : $"exit {linux.ExitCode}")} after "
                    + $"{linux.WallTime.TotalSeconds:F2} s; run again ---");
                _output.WriteLine(linux.StandardOutput.TrimEnd());
                linux = LinuxHost.Run(binary, program, Array.Empty<string>(), new[] { "TMPDIR=" + scratch.FullName },
                    scratch.FullName, terminalInput: true);
            }
            _output.WriteLine($"--- on Linux ({linux.WallTime.TotalSeconds:F2} s, exit {linux.ExitCode}) ---");
            _output.WriteLine(linux.StandardOutput.TrimEnd());
            if (linux.StandardError.Length > 0)
                _output.WriteLine("standard error:\n" + linux.StandardError.TrimEnd());
            Assert.False(linux.TimedOut, $"{program} did not finish on Linux");
            Assert.True(linux.ExitCode == 0, $"{program} exited with {linux.ExitCode} on Linux");
            var lines = linux.Lines;
            Assert.True(lines.Count > 0, $"{program} printed nothing on Linux");
            var failed = lines.Where(l => l.EndsWith(": no", StringComparison.Ordinal)).ToList();
            Assert.True(failed.Count == 0, $"{program}'s own checks failed on Linux (the program is wrong):\n  " + string.Join("\n  ", failed));
            Assert.DoesNotContain(lines, l => l.StartsWith(NotePrefix, StringComparison.Ordinal));
            Assert.False(Directory.EnumerateFileSystemEntries(scratch.FullName).Any(), $"{program} left files in its scratch directory on Linux");
            return lines;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private void LogExoOs(ExoOsRun exo)
    {
        _output.WriteLine($"--- on Exo-OS (boot {exo.Boot}, {exo.WallTime.TotalSeconds:F2} s, {exo.Ending}) ---");
        foreach (var line in exo.Lines)
            _output.WriteLine(line);
        foreach (var note in exo.KernelNotes)
            _output.WriteLine("kernel note: " + note);
        foreach (var line in _exo.BootLog)
            _output.WriteLine(line);
    }

    /// <summary>Null when Exo-OS printed the same lines and exited 0, else a readable account of the first difference.</summary>
    public static string? Compare(string program, IReadOnlyList<string> linux, ExoOsRun exo)
    {
        int first = FirstDifference(linux, exo.Lines);
        if (first < 0 && exo.ExitedWithZero)
            return null;
        var text = new StringBuilder();
        if (first < 0)
            text.Append($"{program}: the same {linux.Count} lines on Exo-OS, but it ended with \"{exo.Ending}\" (exit 0 expected)");
        else
            text.Append(DescribeDifference(program, linux, exo.Lines, first)).Append($"\nOn Exo-OS it ended with \"{exo.Ending}\".");
        if (exo.KernelNotes.Count > 0)
            text.Append("\nKernel notes on Exo-OS: ").Append(string.Join("; ", exo.KernelNotes.Select(n => n[NotePrefix.Length..])));
        return text.ToString();
    }

    /// <summary>Every position where the two differ (at most 60), for the test output.</summary>
    public static string ListDifferences(IReadOnlyList<string> linux, IReadOnlyList<string> exo)
    {
        var text = new StringBuilder("--- every differing line, position by position (- Linux, + Exo-OS) ---\n");
        int shown = 0;
        for (int i = 0; i < Math.Max(linux.Count, exo.Count) && shown < 60; i++)
        {
            string? expected = i < linux.Count ? linux[i] : null, actual = i < exo.Count ? exo[i] : null;
            if (expected == actual)
                continue;
            text.Append($"  - {i + 1,4}  {expected ?? "(nothing)"}\n  + {i + 1,4}  {actual ?? "(nothing)"}\n");
            shown++;
        }
        return text.ToString();
    }

    /// <summary>The index of the first line that differs (a missing line counts), or -1 when both are the same.</summary>
    public static int FirstDifference(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        int common = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < common; i++)
            if (expected[i] != actual[i])
                return i;
        return expected.Count == actual.Count ? -1 : common;
    }

    /// <summary>The first differing line with three lines of context before it and the counts after it, diff-style.</summary>
    public static string DescribeDifference(string program, IReadOnlyList<string> linux, IReadOnlyList<string> exo, int first)
    {
        var text = new StringBuilder();
        text.Append($"{program}: Exo-OS differs from Linux at line {first + 1} (Linux printed {linux.Count} lines, Exo-OS {exo.Count}):\n");
        for (int i = Math.Max(0, first - 3); i < first; i++)
            text.Append($"    {i + 1,4}  {linux[i]}\n");
        text.Append(first < linux.Count ? $"  - {first + 1,4}  {linux[first]}    (Linux)\n" : "  -       (Linux printed nothing more)\n");
        text.Append(first < exo.Count ? $"  + {first + 1,4}  {exo[first]}    (Exo-OS)\n" : "  +       (Exo-OS printed nothing more)\n");
        int differing = 0;
        for (int i = first; i < Math.Max(linux.Count, exo.Count); i++)
            if (i >= linux.Count || i >= exo.Count || linux[i] != exo[i])
                differing++;
        text.Append($"  ({differing} line(s) differ from there on, counted position by position)");
        return text.ToString();
    }
}
