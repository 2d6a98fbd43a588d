using System.Globalization;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Bad input gets a clear error and the system goes on with nothing lost (issue 13). Each test boots its own guest to
/// the kernel shell (init=none) and runs the programs of userland/linux/robustness with `run`:
/// - the system call fuzzer: $EXO_FUZZ_CALLS random Linux calls (default <see cref="DefaultFuzzCalls"/>; `make soak
///   SUITE=robustness` varies the seed) from seed $EXO_FUZZ_SEED (default <see cref="DefaultFuzzSeed"/>): the kernel
///   never panics or hangs, every fuzz child ends and says how (no child may die by a signal: the fuzzer bounds its
///   arguments so that none can legitimately end it); and half as many again with four threads in each child making
///   their calls at once (--threads=4);
/// - the kernel shell's `run` of malformed files (made by the differential program executables with --make): a clear
///   error line each, the shell goes on (execve's errnos are compared with Linux by PosixDifferentialTests);
/// - a fork bomb: forks are refused with EAGAIN or ENOMEM, every child ends;
/// - out of memory: absurd sizes get ENOMEM, a process that touches memory until none is left is ended, and the
///   memory comes back.
/// After each, nothing leaked (the kernel's free frames and heap bytes, and the process count, are back where they
/// were after a first run of the same kind warmed the caches: AssertNothingLeaked) and a normal
/// program still runs.
/// </summary>
public sealed class RobustnessTests
{
    public const string FuzzCallsVariable = "EXO_FUZZ_CALLS";
    public const string FuzzSeedVariable = "EXO_FUZZ_SEED";
    /// <summary>The issue's 100,000 calls per run: about 2.5 minutes under TCG.</summary>
    public const int DefaultFuzzCalls = 100_000;
    public const ulong DefaultFuzzSeed = 13;

    /// <summary>
    /// What the caches may keep after a warm-up (the heap's per-processor caches and slabs, a few page tables): frames
    /// fewer than the first run left, and heap bytes more. A leak of a page or an object per process or call shows
    /// far above these (a fuzz run makes hundreds of processes; a fork bomb two hundred). Since a process's thread table
    /// is a page of its own (256 thread slots), more pages pass through the per-processor page caches, whose fill after
    /// a run varies by about 20 frames either way from run to run (measured: 46,745 to 46,770 free after the same
    /// fork bomb): 24 failed about 1 run in 10.
    /// </summary>
    public const int FrameTolerance = 48;
    public const long HeapTolerance = 48 * 1024;

    private static readonly Regex ProcessEnding = new(@"^process \d+ (exited with status (\d+)|ended by .*|was killed)$",
        RegexOptions.CultureInvariant | RegexOptions.Multiline);
    private static readonly Regex FreeFrames = new(@"^physical: .* free \((\d+) frames\)", RegexOptions.CultureInvariant | RegexOptions.Multiline);
    private static readonly Regex HeapBytes = new(@"^heap: .* in use \((\d+) bytes\)", RegexOptions.CultureInvariant | RegexOptions.Multiline);
    private static readonly Regex ProcessRow = new(@"^\s+\d+\s+(running|exited)\s", RegexOptions.CultureInvariant | RegexOptions.Multiline);

    private readonly ITestOutputHelper _output;

    public RobustnessTests(ITestOutputHelper output) => _output = output;

    public static int FuzzCalls => int.TryParse(Environment.GetEnvironmentVariable(FuzzCallsVariable), NumberStyles.None,
        CultureInfo.InvariantCulture, out var calls) && calls > 0 ? calls : DefaultFuzzCalls;

    public static ulong FuzzSeed => ulong.TryParse(Environment.GetEnvironmentVariable(FuzzSeedVariable), NumberStyles.None,
        CultureInfo.InvariantCulture, out var seed) ? seed : DefaultFuzzSeed;

    private static readonly Regex FuzzChild = new(@"^child (\d+)(?: \(calls (\d+) to (\d+)\))?: (.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex FuzzSummary = new(
        @"^system_call_fuzzer: seed (\d+): (\d+) calls made by (\d+) children, (\d+) ended by a signal, (\d+) hung",
        RegexOptions.CultureInvariant | RegexOptions.Multiline);

    [Fact]
    public Task System_call_fuzzer_neither_panics_nor_hangs_nor_leaks() => FuzzAsync(FuzzCalls, FuzzSeed, threads: 1);

    /// <summary>The fuzzer again with four threads in each child making their random calls at once (half the calls).</summary>
    [Fact]
    public Task System_call_fuzzer_in_four_threads_neither_panics_nor_hangs_nor_leaks() => FuzzAsync(FuzzCalls / 2, FuzzSeed + 1, threads: 4);

    private async Task FuzzAsync(int calls, ulong seed, int threads)
    {
        // About 1.5 ms a call under TCG; the fuzzer's own watchdog reports a hung call after 20 s.
        var limit = TimeSpan.FromSeconds(120 + calls / 250);
        await using var shell = await BootAsync(TimeSpan.FromMinutes(5) + limit * 2);

        // A first short run with another seed warms what the kernel keeps (caches, slabs, /tmp's directory), with as many
        // threads: the kernel keeps the stacks of the most threads alive at once mapped for the next ones.
        var warmUp = await RunProgramAsync(shell, threads == 1 ? "system_call_fuzzer 2000 1000001"
            : $"system_call_fuzzer 4000 1000001 2000 0 --threads={threads}", limit);
        AssertExitedWithZero(warmUp, "the fuzzer's warm-up run");
        var before = await SettledMemoryAsync(shell, null);

        var command = threads == 1 ? $"system_call_fuzzer {calls} {seed}" : $"system_call_fuzzer {calls} {seed} 2000 0 --threads={threads}";
        _output.WriteLine($"reproduce: run {command} (add --verbose to print each call; CALLS_PER_CHILD and FIRST narrow it down)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fuzz = await RunProgramAsync(shell, command, limit);
        _output.WriteLine($"{calls} calls in {clock.Elapsed.TotalSeconds:F1} s");

        var summary = FuzzSummary.Match(fuzz);
        Assert.True(summary.Success, $"the fuzzer printed no summary (seed {seed}: run {command}):\n{Tail(fuzz)}");
        int children = int.Parse(summary.Groups[3].Value, CultureInfo.InvariantCulture);
        int hung = int.Parse(summary.Groups[5].Value, CultureInfo.InvariantCulture);
        var childLines = SerialText.SplitLines(fuzz).Where(l => FuzzChild.IsMatch(l)).ToList();
        var hangs = childLines.Where(l => l.Contains("HANG", StringComparison.Ordinal)).ToList();
        Assert.True(hung == 0, $"{hung} fuzz child(ren) hung in a call (seed {seed}):\n  " + string.Join("\n  ", hangs));
        // Every child ended and was reported: one line each, an exit or a signal.
        var ended = childLines.Where(l => FuzzChild.Match(l).Groups[4].Value.StartsWith("exited with", StringComparison.Ordinal)
            || FuzzChild.Match(l).Groups[4].Value.StartsWith("ended by", StringComparison.Ordinal)).ToList();
        Assert.True(ended.Count == children, $"{children} fuzz children, but {ended.Count} lines say how one ended:\n  " + string.Join("\n  ", childLines));
        // The fuzzer bounds its arguments so that no call can legitimately end it (memory calls stay in its scratch
        // region, signals it sends itself are ignored ones, see system_call_fuzzer.c's prepare()): a child ended by a
        // signal is a kernel bug (brk(-100) once unmapped the program's own code) or a hole in those bounds.
        var signalled = childLines.Where(l => l.Contains(": ended by", StringComparison.Ordinal)).ToList();
        Assert.True(signalled.Count == 0, $"{signalled.Count} fuzz child(ren) ended by a signal (seed {seed}; each line names the call "
            + "it was making; to make that call alone: run system_call_fuzzer INDEX+1 SEED 1 INDEX):\n  " + string.Join("\n  ", signalled));
        AssertExitedWithZero(fuzz, "the fuzzer");

        var after = await SettledMemoryAsync(shell, before);
        AssertNothingLeaked(before, after, $"{calls} fuzzed calls (seed {seed})");
        await AssertNormalProgramRunsAsync(shell);
    }

    /// <summary>The malformed files of executables.c (--make), each run by the kernel shell: how its error line must read.</summary>
    public static readonly IReadOnlyList<(string File, string Error)> MalformedFiles = new[]
    {
        ("truncated-header", "not an executable (the file is smaller than an ELF header)"),
        ("truncated-program-headers", "not an executable (program headers extend past the end of the file)"),
        ("bad-magic", "not an executable (not an ELF file (bad magic number))"),
        ("text", "not an executable (the file is smaller than an ELF header)"),
        ("elf32", "not an executable (not a 64-bit ELF file)"),
        ("wrong-machine", "not an executable (not an x86-64 program)"),
        ("headers-past-end", "not an executable (program headers extend past the end of the file)"),
        ("too-many-headers", "not an executable (too many program headers (more than 64))"),
        ("no-headers", "not an executable (the program has no loadable segment)"),
        ("file-over-memory-size", "not an executable (a segment has more file bytes than memory bytes)"),
        ("overlapping-segments", "not an executable (loadable segments share a page)"),
        ("huge-segment", "out of memory"),
        ("kernel-segment", "not an executable (a segment lies outside user space)"),
        ("segment-past-end", "not an executable (a segment's file bytes extend past the end of the file)"),
        ("missing-interpreter", "not an executable (dynamically linked programs (with an interpreter) are not supported yet)"),
        ("empty", "not an executable (the file is smaller than an ELF header)"),
        ("script-missing", "not an executable (a script (#!): the launcher runs ELF programs; execve runs scripts)"),
        ("directory", "access denied"),
        ("not-executable", "access denied"),
        ("link-loop", "too many levels of symbolic links"),
        ("missing", "not found"),
    };

    [Fact]
    public async Task Kernel_shell_run_of_a_malformed_file_prints_why_and_goes_on()
    {
        await using var shell = await BootAsync(TimeSpan.FromMinutes(10));
        AssertExitedWithZero(await RunProgramAsync(shell, "executables --make /tmp/m", Boot.Timeout), "executables --make");
        var before = await SettledMemoryAsync(shell, null);
        var wrong = new List<string>();
        foreach (var (file, error) in MalformedFiles)
        {
            var path = "/tmp/m/" + file;
            var response = await shell.RunAsync("run " + path, Boot.Timeout);
            var expected = $"error: cannot run {path}: {error}";
            if (SerialText.SplitLines(response).FirstOrDefault(l => l.Length > 0) != expected)
                wrong.Add($"run {path}: expected \"{expected}\", got:\n    {response.Trim().Replace("\n", "\n    ", StringComparison.Ordinal)}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        AssertExitedWithZero(await RunProgramAsync(shell, "/tmp/m/valid", Boot.Timeout), "the valid file beside them");
        var after = await SettledMemoryAsync(shell, before);
        AssertNothingLeaked(before, after, "the malformed files' runs");
        await AssertNormalProgramRunsAsync(shell);
    }

    [Fact]
    public async Task Fork_bomb_is_refused_and_every_child_ends()
    {
        await using var shell = await BootAsync(TimeSpan.FromMinutes(10));
        // The first run fills the caches (thread stacks, slabs for two hundred processes); the second must leave the
        // kernel's memory where the first did.
        AssertForkBomb(await RunProgramAsync(shell, "fork_bomb", Boot.Timeout));
        var before = await SettledMemoryAsync(shell, null);
        AssertForkBomb(await RunProgramAsync(shell, "fork_bomb", Boot.Timeout));
        var after = await SettledMemoryAsync(shell, before);
        AssertNothingLeaked(before, after, "a second fork bomb");
        await AssertNormalProgramRunsAsync(shell);
    }

    private static void AssertForkBomb(string output)
    {
        AssertEveryCheckHeld(output, "fork_bomb");
        Assert.Contains("fork_bomb: every check held", output, StringComparison.Ordinal);
        AssertExitedWithZero(output, "fork_bomb");
    }

    [Fact]
    public async Task Record_locks_stop_at_their_limit_and_every_record_comes_back()
    {
        await using var shell = await BootAsync(TimeSpan.FromMinutes(10));
        // Twice: the second run finds the pool as the first left it (every record given back).
        for (int run = 0; run < 2; run++)
        {
            var output = await RunProgramAsync(shell, "lock_limit", Boot.Timeout);
            AssertEveryCheckHeld(output, "lock_limit");
            Assert.Contains("lock_limit: every check held", output, StringComparison.Ordinal);
            AssertExitedWithZero(output, "lock_limit");
        }
        await AssertNormalProgramRunsAsync(shell);
    }

    [Fact]
    public async Task Out_of_memory_ends_the_process_and_the_memory_comes_back()
    {
        await using var shell = await BootAsync(TimeSpan.FromMinutes(10));
        var first = await RunProgramAsync(shell, "out_of_memory", Boot.Timeout);
        AssertOutOfMemory(first);
        var before = await SettledMemoryAsync(shell, null);
        var second = await RunProgramAsync(shell, "out_of_memory", Boot.Timeout);
        AssertOutOfMemory(second);
        var after = await SettledMemoryAsync(shell, before);
        AssertNothingLeaked(before, after, "a second run out of memory");
        await AssertNormalProgramRunsAsync(shell);
    }

    private static void AssertOutOfMemory(string output)
    {
        AssertEveryCheckHeld(output, "out_of_memory");
        foreach (var line in new[] { "mmap of 64 TiB: ENOMEM", "mmap of 2^64 - 4096 bytes: ENOMEM", "sbrk of 16 TiB: ENOMEM" })
            Assert.Contains(line, output, StringComparison.Ordinal);
        Assert.Contains("out_of_memory: every check held", output, StringComparison.Ordinal);
        AssertExitedWithZero(output, "out_of_memory");
    }

    // ---------------------------------------------------------------- shared steps

    /// <summary>The kernel's memory as the shell's mem and ps report it.</summary>
    public sealed record MemorySnapshot(long FreeFrames, long HeapBytes, int Processes)
    {
        public override string ToString() => $"{FreeFrames} free frames, {HeapBytes} heap bytes in use, {Processes} processes";
    }

    private static MemorySnapshot ParseSnapshot(string mem, string ps)
    {
        var frames = FreeFrames.Match(mem);
        var heap = HeapBytes.Match(mem);
        Assert.True(frames.Success && heap.Success, $"mem's answer has no free frames or heap bytes:\n{mem}");
        return new MemorySnapshot(long.Parse(frames.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(heap.Groups[1].Value, CultureInfo.InvariantCulture), ProcessRow.Matches(ps).Count);
    }

    /// <summary>
    /// The memory once the reaper has freed the processes that ended (it runs a little after their exit status is
    /// known): asked again until the process count is back to <paramref name="baseline"/>'s (or, without one, two
    /// answers agree), for at most ten seconds.
    /// </summary>
    private async Task<MemorySnapshot> SettledMemoryAsync(ShellSession shell, MemorySnapshot? baseline)
    {
        MemorySnapshot? previous = null;
        for (int attempt = 0; ; attempt++)
        {
            var ps = await shell.RunAsync("ps", Boot.Timeout);
            var snapshot = ParseSnapshot(await shell.RunAsync("mem", Boot.Timeout), ps);
            bool settled = baseline != null
                ? snapshot.Processes <= baseline.Processes && snapshot.FreeFrames >= baseline.FreeFrames - FrameTolerance
                : snapshot == previous;
            if (settled || attempt == 20)
            {
                _output.WriteLine($"memory: {snapshot}");
                return snapshot;
            }
            previous = snapshot;
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static void AssertNothingLeaked(MemorySnapshot before, MemorySnapshot after, string what)
    {
        Assert.True(after.Processes <= before.Processes,
            $"after {what} {after.Processes} processes are left, {before.Processes} before: the rest were never reaped");
        Assert.True(after.FreeFrames >= before.FreeFrames - FrameTolerance,
            $"after {what} {before.FreeFrames - after.FreeFrames} frames fewer are free ({before} before, {after} after; "
            + $"the caches may keep {FrameTolerance}): a leak");
        Assert.True(after.HeapBytes <= before.HeapBytes + HeapTolerance,
            $"after {what} the kernel heap holds {after.HeapBytes - before.HeapBytes} bytes more ({before} before, {after} after; "
            + $"the caches may keep {HeapTolerance}): a leak");
    }

    private static async Task AssertNormalProgramRunsAsync(ShellSession shell)
    {
        var hello = await shell.RunAsync("run linux_hello", Boot.Timeout);
        Assert.Contains("hello from a Linux binary", hello, StringComparison.Ordinal);
        AssertExitedWithZero(hello, "linux_hello afterwards");
        var native = await shell.RunAsync("run hello", Boot.Timeout);
        AssertExitedWithZero(native, "the native hello afterwards");
    }

    private static void AssertEveryCheckHeld(string output, string program)
    {
        var failed = SerialText.SplitLines(output).Where(l => l.EndsWith(": no", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 0, $"{program}'s checks failed:\n  " + string.Join("\n  ", failed) + "\n" + output);
    }

    private static void AssertExitedWithZero(string output, string what)
    {
        var endings = ProcessEnding.Matches(output);
        Assert.True(endings.Count > 0, $"{what}: the shell printed no 'process N exited' line:\n{Tail(output)}");
        var last = endings[^1];
        Assert.True(last.Groups[2].Success && last.Groups[2].Value == "0", $"{what}: {last.Value}\n{Tail(output)}");
    }

    /// <summary>
    /// Types `run COMMAND` and returns what the shell printed up to its next prompt. A guest that stops (a panic) or
    /// a program that does not end within <paramref name="limit"/> fails the test with the serial output's end.
    /// </summary>
    private async Task<string> RunProgramAsync(ShellSession shell, string command, TimeSpan limit)
    {
        try
        {
            return await shell.RunAsync("run " + command, limit);
        }
        catch (SerialWaitException e)
        {
            var panic = PanicReportParser.Parse(e.Serial);
            var why = panic != null ? "the kernel panicked:\n" + panic
                : shell.Qemu.HasExited ? "the guest ended" : $"no prompt within {limit.TotalSeconds:F0} s: a hang";
            Assert.Fail($"run {command}: {why}\n{SerialText.TailBlock(e.Serial)}");
            throw;
        }
    }

    private Task<ShellSession> BootAsync(TimeSpan deadline)
        => ShellSession.BootAsync(_output, Boot.Kernel("init=none") with { Timeout = deadline });

    private static string Tail(string text)
    {
        var lines = SerialText.SplitLines(text);
        return string.Join("\n", lines.Skip(Math.Max(0, lines.Count - 30)));
    }
}
