using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>What a Linux program printed on Exo-OS and how it ended, as the kernel shell's `run` reported it.</summary>
public sealed record ExoOsRun(string Program, IReadOnlyList<string> Lines, IReadOnlyList<string> KernelNotes, string Ending,
    int? ExitStatus, string Transcript, TimeSpan WallTime, int Boot)
{
    public bool ExitedWithZero => ExitStatus == 0;
}

/// <summary>
/// Runs Linux programs from the boot image on Exo-OS, one at a time, through the kernel shell of one boot (init=none,
/// so nothing else prints): it types `run NAME`; what the shell prints until its next prompt is the program's
/// output, then the shell's own line "process N exited with status S" (or "ended by FAULT", "was killed"). Lines
/// that start with "posix_x: " are the kernel's notes (a call not implemented yet), kept apart from the program's
/// lines. A program that does not give the prompt back within its time is reported as hung and the guest is booted
/// again for the next one; so is a guest that ended (a panic). Shared by a test class (xunit class fixture): one boot
/// for all its programs unless one hangs or crashes.
/// </summary>
public class ExoOsProgramRunner : IAsyncLifetime
{
    public const string KernelNotePrefix = "posix_x: ";
    private static readonly Regex Ending = new(@"^process \d+ (exited with status (\d+)|ended by .*|was killed)$", RegexOptions.CultureInvariant);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly int _processors;

    public ExoOsProgramRunner() : this(1) { }

    /// <summary>A runner whose guest has 'processors' processors.</summary>
    protected ExoOsProgramRunner(int processors) => _processors = processors;
    private readonly List<string> _bootLog = new();
    private QemuSession? _session;
    private int _boots;

    /// <summary>How long one program may run before it counts as hung: $EXO_BOOT_TIMEOUT (default 120 s) too.</summary>
    public static TimeSpan ProgramTimeout => Boot.Timeout;

    /// <summary>Boots so far and how each one went (for the test output).</summary>
    public IReadOnlyList<string> BootLog { get { lock (_bootLog) return _bootLog.ToList(); } }

    public async Task<ExoOsRun> RunAsync(string program)
    {
        await _gate.WaitAsync();
        try
        {
            var session = await EnsureBootedAsync();
            var command = "run " + program;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await session.SendAsync(command + "\r");
            string before;
            try
            {
                before = (await session.WaitForAsync(ShellSession.Prompt, ProgramTimeout)).Before;
            }
            catch (SerialWaitException e)
            {
                var serial = e.Serial;
                var partial = serial.Length > session.Cursor ? serial[session.Cursor..] : "";
                var ending = e.TimedOut && !session.HasExited
                    ? $"hung: no prompt within {ProgramTimeout.TotalSeconds:F0} s"
                    : "the guest ended: " + (session.HasExited ? (await session.Completion).DescribeExit() : e.Message);
                await EndSessionAsync(ending);
                return Parse(program, command, partial, clock.Elapsed, ending);
            }
            return Parse(program, command, before, clock.Elapsed, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ExoOsRun Parse(string program, string command, string text, TimeSpan wallTime, string? failure)
        => Parse(program, command, text, wallTime, failure, _boots);

    /// <summary>
    /// What the shell printed for `run NAME` (from the echoed command to the next prompt, or to where the program
    /// stopped when <paramref name="failure"/> says why): the program's lines, the kernel's notes, how it ended.
    /// </summary>
    public static ExoOsRun Parse(string program, string command, string text, TimeSpan wallTime, string? failure, int boot)
    {
        var lines = SerialText.SplitLines(ShellSession.StripEcho(text, command)).ToList();
        var notes = lines.Where(l => l.StartsWith(KernelNotePrefix, StringComparison.Ordinal)).ToList();
        lines.RemoveAll(l => l.StartsWith(KernelNotePrefix, StringComparison.Ordinal));
        string ending = failure ?? "no 'process N exited' line from the shell";
        int? status = null;
        if (failure == null && lines.Count > 0 && Ending.Match(lines[^1]) is { Success: true } match)
        {
            ending = lines[^1];
            if (match.Groups[2].Success)
                status = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            lines.RemoveAt(lines.Count - 1);
        }
        return new ExoOsRun(program, lines, notes, ending, status, text, wallTime, boot);
    }

    private async Task<QemuSession> EnsureBootedAsync()
    {
        if (_session is { HasExited: false })
            return _session;
        _boots++;
        // One session runs many programs: its overall deadline is a backstop; each wait has its own limit.
        var options = Boot.Kernel("init=none") with { Timeout = TimeSpan.FromMinutes(30), Smp = _processors };
        var session = QemuRunner.Start(options);
        try
        {
            await session.WaitForAsync(ShellSession.Prompt, Boot.Timeout);
        }
        catch
        {
            await session.DisposeAsync();
            var result = await session.Completion;
            Log($"boot {_boots}: no shell prompt ({result.DescribeExit()})\n{SerialText.TailBlock(result.Serial)}");
            throw;
        }
        Log($"boot {_boots}: prompt after {session.Elapsed.TotalSeconds:F1} s ({session.CommandLine})");
        _session = session;
        return session;
    }

    private async Task EndSessionAsync(string why)
    {
        if (_session == null)
            return;
        await _session.DisposeAsync();
        var result = await _session.Completion;
        Log($"boot {_boots} ended after {result.WallTime.TotalSeconds:F1} s: {why}; {result.DescribeExit()}");
        _session = null;
    }

    private void Log(string line)
    {
        lock (_bootLog)
            _bootLog.Add(line);
    }

    public Task InitializeAsync() => Task.CompletedTask;   // booted by the first program that runs

    public async Task DisposeAsync()
    {
        await EndSessionAsync("all programs ran");
        _gate.Dispose();
    }
}
