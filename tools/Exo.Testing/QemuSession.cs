using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Exo.Testing;

/// <summary>
/// A running QEMU guest whose COM1 is this object's input and output. Created by
/// <see cref="QemuRunner.Start"/>. Every wait is bounded: by its own timeout and by the session's
/// overall deadline (<see cref="QemuOptions.Timeout"/>), after which the process tree is killed.
/// </summary>
public sealed class QemuSession : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly Process _process;
    private readonly StringBuilder _serial = new();
    private readonly StringBuilder _stderr = new();
    private readonly Stopwatch _clock;
    private readonly TaskCompletionSource<QemuResult> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _watchdogCancel = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private int _cursor;
    private bool _killedByHarness;
    private bool _timedOut;
    private int _disposed;
    // Started under coreutils' timeout, which makes a process group of its own (setpgid): a kill reaches the whole
    // group at once. .NET's tree walk alone missed a child its parent started within the parent's first clock tick
    // (it takes a process for a child only if it started later): a fake guest's `sleep 300 &` outlived the kill.
    private readonly bool _leadsProcessGroup;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
    private const int SignalKill = 9;

    private QemuSession(QemuOptions options, IReadOnlyList<string> arguments, Process process, Stopwatch clock, bool leadsProcessGroup)
    {
        Options = options;
        Arguments = arguments;
        _process = process;
        _leadsProcessGroup = leadsProcessGroup;
        _clock = clock;
        _stdoutPump = PumpAsync(process.StandardOutput.BaseStream, _serial, notify: true);
        _stderrPump = PumpAsync(process.StandardError.BaseStream, _stderr, notify: false);
        _ = MonitorExitAsync();
        _ = WatchdogAsync(options.Timeout);
    }

    /// <summary>The options this session was started with.</summary>
    public QemuOptions Options { get; }

    /// <summary>QEMU's arguments (without the executable).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The command line, shell-quoted, for logs.</summary>
    public string CommandLine => QemuRunner.FormatCommand(Options.QemuBinary, Arguments);

    /// <summary>Id of the process started: QEMU, or the coreutils <c>timeout</c> backstop wrapping it.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Everything received on COM1 so far.</summary>
    public string Serial { get { lock (_gate) return _serial.ToString(); } }

    /// <summary>
    /// Position in <see cref="Serial"/> after the last successful wait: the next wait only looks at
    /// output from here on, so waiting twice for the same prompt finds two different prompts.
    /// </summary>
    public int Cursor { get { lock (_gate) return _cursor; } }

    /// <summary>Time left before the session's overall deadline.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Options.Timeout - _clock.Elapsed;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>True once QEMU has exited and its output has been collected.</summary>
    public bool HasExited => _completion.Task.IsCompleted;

    /// <summary>Host time since QEMU was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// Extra time the backstop gives QEMU beyond <see cref="QemuOptions.Timeout"/> before it kills it
    /// on its own (only matters if this host process died without killing QEMU).
    /// </summary>
    internal static readonly TimeSpan BackstopGrace = TimeSpan.FromSeconds(30);

    private static readonly object LiveGate = new();
    private static readonly HashSet<QemuSession> Live = new();
    private static bool _exitHookInstalled;

    internal static QemuSession Start(QemuOptions options, IReadOnlyList<string> arguments)
    {
        var qemu = ResolveExecutable(options.QemuBinary)
            ?? throw new InvalidOperationException(
                $"Could not find QEMU '{options.QemuBinary}'. Install it (apt-get install -y qemu-system-x86) " +
                $"or point ${QemuOptions.QemuEnvironmentVariable} at it.");

        // If this host process dies without running its cleanup (SIGKILL), nothing would stop a guest
        // that hangs silently. Start QEMU under coreutils' timeout so it dies on its own at the latest
        // BackstopGrace after the session's deadline.
        var backstop = OperatingSystem.IsWindows() ? null : ResolveExecutable("timeout");
        var psi = new ProcessStartInfo(backstop ?? qemu)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        if (backstop is not null)
        {
            var seconds = (long)Math.Ceiling((options.Timeout + BackstopGrace).TotalSeconds);
            psi.ArgumentList.Add("-s");
            psi.ArgumentList.Add("KILL");
            psi.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s");
            psi.ArgumentList.Add(qemu);
        }
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);

        var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        try
        {
            if (!process.Start())
                throw new InvalidOperationException($"Could not start '{psi.FileName}'.");
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException(
                $"Could not start QEMU '{options.QemuBinary}' ({e.Message}). Install it (apt-get install -y qemu-system-x86) " +
                $"or point ${QemuOptions.QemuEnvironmentVariable} at it.", e);
        }
        var session = new QemuSession(options, arguments, process, clock, leadsProcessGroup: backstop is not null);
        Register(session);
        return session;
    }

    /// <summary>Full path of <paramref name="name"/> (a path, or a command looked up on PATH), or null.</summary>
    internal static string? ResolveExecutable(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return null;
        if (name.Contains(Path.DirectorySeparatorChar) || name.Contains(Path.AltDirectorySeparatorChar))
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
                return candidate + ".exe";
        }
        return null;
    }

    private static void Register(QemuSession session)
    {
        lock (LiveGate)
        {
            Live.Add(session);
            if (!_exitHookInstalled)
            {
                // Ctrl-C, SIGTERM or a normal exit of the test host: kill every guest still running.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
                _exitHookInstalled = true;
            }
        }
        session._completion.Task.ContinueWith(_ => { lock (LiveGate) Live.Remove(session); }, TaskScheduler.Default);
    }

    private static void KillAllLive()
    {
        QemuSession[] sessions;
        lock (LiveGate)
            sessions = Live.ToArray();
        foreach (var s in sessions)
            s.Kill();
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to the guest's COM1.</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes raw bytes to the guest's COM1.</summary>
    public async Task SendAsync(byte[] bytes)
    {
        if (HasExited)
            throw new InvalidOperationException($"Cannot write to COM1: QEMU has already exited. {Describe()}");
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            using var cts = new CancellationTokenSource(Remaining + TimeSpan.FromSeconds(1));
            await stdin.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
            await stdin.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            throw new InvalidOperationException($"Cannot write to COM1 ({e.Message}). {Describe()}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> one character at a time with <paramref name="delay"/> between
    /// characters, like a person typing.
    /// </summary>
    public async Task TypeAsync(string text, TimeSpan delay)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            await SendAsync(rune.ToString()).ConfigureAwait(false);
            await Task.Delay(delay).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until <paramref name="text"/> appears in the output after <see cref="Cursor"/>, then moves
    /// the cursor past it. Throws <see cref="SerialWaitException"/> on timeout or if QEMU exits first.
    /// </summary>
    public Task<SerialMatch> WaitForAsync(string text, TimeSpan? timeout = null) =>
        WaitForAsync(new Regex(Regex.Escape(text), RegexOptions.CultureInvariant), timeout, $"\"{text}\"");

    /// <summary>Like <see cref="WaitForAsync(string, TimeSpan?)"/> for a regular expression.</summary>
    public Task<SerialMatch> WaitForAsync(Regex pattern, TimeSpan? timeout = null) =>
        WaitForAsync(pattern, timeout, $"/{pattern}/");

    // Matches 'pattern' after the cursor and moves the cursor past the match. Call with _gate held.
    private bool TryMatch(Regex pattern, out SerialMatch found)
    {
        var text = _serial.ToString();
        var m = pattern.Match(text, _cursor);
        if (!m.Success)
        {
            found = null!;
            return false;
        }
        var start = _cursor;
        _cursor = m.Index + m.Length;
        found = new SerialMatch(m, text.Substring(start, m.Index - start), start);
        return true;
    }

    private async Task<SerialMatch> WaitForAsync(Regex pattern, TimeSpan? timeout, string what)
    {
        var limit = timeout is { } t && t < Remaining ? t : Remaining;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (TryMatch(pattern, out var found))
                    return found;
                changed = _changed.Task;
            }

            if (_completion.Task.IsCompleted)
            {
                // Re-check once: the last bytes may have arrived together with the exit.
                lock (_gate)
                {
                    if (TryMatch(pattern, out var found))
                        return found;
                }
                var r = _completion.Task.Result;
                throw new SerialWaitException(
                    $"QEMU ended ({r.DescribeExit()}) before {what} appeared on COM1.\n{SerialText.TailBlock(r.Serial)}",
                    timedOut: r.TimedOut, r.Serial);
            }

            var left = limit - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                var serial = Serial;
                throw new SerialWaitException(
                    $"Timed out after {limit.TotalSeconds:F1} s waiting for {what} on COM1.\n{SerialText.TailBlock(serial)}",
                    timedOut: true, serial);
            }

            using var delayCancel = new CancellationTokenSource();
            var delay = Task.Delay(left, delayCancel.Token);
            await Task.WhenAny(changed, _completion.Task, delay).ConfigureAwait(false);
            delayCancel.Cancel();
        }
    }

    /// <summary>
    /// Waits for QEMU to exit. If <paramref name="timeout"/> (default: the session's remaining time)
    /// elapses first, kills the process tree and returns a result marked as timed out.
    /// </summary>
    public async Task<QemuResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? Remaining;
        if (limit > TimeSpan.Zero)
        {
            using var delayCancel = new CancellationTokenSource();
            var done = await Task.WhenAny(_completion.Task, Task.Delay(limit, delayCancel.Token)).ConfigureAwait(false);
            delayCancel.Cancel();
            if (done == _completion.Task)
                return await _completion.Task.ConfigureAwait(false);
        }
        if (!_completion.Task.IsCompleted)
            KillInternal(timedOut: true);
        return await _completion.Task.ConfigureAwait(false);
    }

    /// <summary>Kills QEMU (and its children) if still running; the result has a null exit code.</summary>
    public void Kill() => KillInternal(timedOut: false);

    /// <summary>The final result; completes when QEMU has exited.</summary>
    public Task<QemuResult> Completion => _completion.Task;

    private void KillInternal(bool timedOut)
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
                return;
        }
        try
        {
            if (_process.HasExited)
                return; // exited on its own; its status is being collected
        }
        catch (InvalidOperationException)
        {
            return;
        }
        lock (_gate)
        {
            _killedByHarness = true;
            _timedOut |= timedOut;
        }
        try
        {
            if (_leadsProcessGroup)
                kill(-_process.Id, SignalKill);
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* already gone */ }
        catch (Win32Exception) { /* already gone */ }
    }

    private async Task WatchdogAsync(TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, _watchdogCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        KillInternal(timedOut: true);
    }

    private async Task PumpAsync(Stream stream, StringBuilder sink, bool notify)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(bytes).ConfigureAwait(false);
                int c = decoder.GetChars(bytes, 0, n, chars, 0, flush: n == 0);
                TaskCompletionSource? toSignal = null;
                lock (_gate)
                {
                    sink.Append(chars, 0, c);
                    if (notify && c > 0)
                    {
                        toSignal = _changed;
                        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
                toSignal?.TrySetResult();
                if (n == 0)
                    break;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Pipe torn down after a kill: keep what we have.
        }
    }

    private async Task MonitorExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Process object disposed under us: fall through with what we have.
        }
        var wall = _clock.Elapsed;
        _watchdogCancel.Cancel();

        // Collect the last output; a leftover child holding the pipe must not hang us.
        using (var drainCancel = new CancellationTokenSource())
        {
            var drained = Task.WhenAll(_stdoutPump, _stderrPump);
            await Task.WhenAny(drained, Task.Delay(DrainTimeout, drainCancel.Token)).ConfigureAwait(false);
            drainCancel.Cancel();
        }

        int? exitCode;
        bool killed, timedOut;
        lock (_gate)
        {
            killed = _killedByHarness;
            timedOut = _timedOut;
        }
        try { exitCode = killed ? null : _process.ExitCode; }
        catch (Exception) { exitCode = null; } // process object disposed under us

        try { _process.StandardInput.Close(); } catch (Exception) { /* broken pipe */ }

        string serial, stderr;
        lock (_gate)
        {
            serial = _serial.ToString();
            stderr = _stderr.ToString();
        }
        _completion.TrySetResult(new QemuResult(exitCode, timedOut, wall, serial, stderr, Arguments, Options.QemuBinary));
        TaskCompletionSource last;
        lock (_gate) last = _changed;
        last.TrySetResult();
    }

    private string Describe() =>
        _completion.Task.IsCompleted ? $"QEMU ended: {_completion.Task.Result.DescribeExit()}." : "QEMU is running.";

    /// <summary>Kills QEMU if still running and releases the process.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Kill();
        using (var cancel = new CancellationTokenSource())
        {
            await Task.WhenAny(_completion.Task, Task.Delay(TimeSpan.FromSeconds(10), cancel.Token)).ConfigureAwait(false);
            cancel.Cancel();
        }
        _watchdogCancel.Cancel();
        _process.Dispose();
        _watchdogCancel.Dispose();
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>A successful wait: the match and the output between the previous cursor and the match.</summary>
/// <param name="Match">The regex match (index relative to the whole serial text).</param>
/// <param name="Before">Output from the previous cursor up to the start of the match.</param>
/// <param name="Start">Cursor position the wait started from.</param>
public sealed record SerialMatch(Match Match, string Before, int Start)
{
    /// <summary>The matched text.</summary>
    public string Value => Match.Value;
}

/// <summary>A wait on COM1 that failed: timed out, or QEMU exited first.</summary>
public sealed class SerialWaitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SerialWaitException(string message, bool timedOut, string serial) : base(message)
    {
        TimedOut = timedOut;
        Serial = serial;
    }

    /// <summary>True when the wait (or the session) ran out of time.</summary>
    public bool TimedOut { get; }

    /// <summary>The serial output at the time of failure.</summary>
    public string Serial { get; }
}
