using System.Diagnostics;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Testing.Tests;

/// <summary>
/// The process plumbing of <see cref="QemuSession"/> (capture, input, waits, timeouts, kills), tested
/// against small bash scripts that stand in for qemu-system-x86_64. Real QEMU is exercised by the
/// boot tests in tests/Exo.Kernel.BootTests.
/// </summary>
public sealed class QemuSessionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "exo-testing-" + Guid.NewGuid().ToString("N"));
    private readonly string _image;

    public QemuSessionTests()
    {
        Directory.CreateDirectory(_dir);
        _image = Path.Combine(_dir, "dummy.bin");
        File.WriteAllBytes(_image, new byte[16]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Writes an executable bash script that plays QEMU and returns options that run it.</summary>
    private QemuOptions Fake(string body, string? commandLine = null, double timeoutSeconds = 20)
    {
        var path = Path.Combine(_dir, "fake-qemu-" + Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(path, "#!/bin/bash\n" + body.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return QemuOptions.ForKernel(_image, commandLine) with
        {
            QemuBinary = path,
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
        };
    }

    private const string Shell = """
        printf 'booting\r\nexo> '
        while IFS= read -r -d $'\r' cmd; do
          printf '%s\r\n' "$cmd"
          case "$cmd" in
            help) printf 'commands: help quit\r\n' ;;
            quit) printf 'bye\r\n'; exit 1 ;;
            slow) sleep 1; printf 'done slowly\r\n' ;;
            *) printf 'unknown command: %s\r\n' "$cmd" ;;
          esac
          printf 'exo> '
        done
        exit 9
        """;

    [Fact]
    public async Task Batch_run_collects_all_output_exit_status_and_stderr()
    {
        var options = Fake("""
            printf 'line one\r\nEXO-TEST plan 0 x\r\n'
            printf 'tail without newline'
            echo "qemu: warning: something" >&2
            exit 3
            """);
        var r = await QemuRunner.RunAsync(options);

        Assert.Equal(3, r.ExitCode);
        Assert.False(r.TimedOut);
        Assert.Equal("line one\r\nEXO-TEST plan 0 x\r\ntail without newline", r.Serial);
        Assert.Contains("qemu: warning: something", r.StandardError);
        Assert.True(r.WallTime > TimeSpan.Zero && r.WallTime < TimeSpan.FromSeconds(15));
        Assert.Equal(QemuRunner.BuildArguments(options), r.Arguments);
    }

    [Fact]
    public async Task Arguments_reach_the_process_unsplit()
    {
        var options = Fake("""printf '%s\n' "$@" """, commandLine: "test=runtime,heap  bench quick");
        var r = await QemuRunner.RunAsync(options);

        var received = SerialText.SplitLines(r.Serial);
        Assert.Equal(QemuRunner.BuildArguments(options), received);
        Assert.Contains("test=runtime,heap  bench quick", received);
    }

    [Fact]
    public async Task Large_output_is_captured_completely()
    {
        var r = await QemuRunner.RunAsync(Fake("""for i in $(seq 1 20000); do echo "EXO-TEST line $i"; done; exit 1"""));

        var lines = SerialText.SplitLines(r.Serial);
        Assert.Equal(20000, lines.Count);
        Assert.Equal("EXO-TEST line 20000", lines[^1]);
    }

    [Fact]
    public async Task Utf8_split_across_writes_is_decoded()
    {
        // "µ" is C2 B5: write the two bytes separately.
        var r = await QemuRunner.RunAsync(Fake("""printf '\xc2'; sleep 0.2; printf '\xb5s\n'; exit 1"""));

        Assert.Equal("µs\n", r.Serial);
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree()
    {
        var options = Fake("""
            sleep 300 &
            echo "child $!"
            wait
            """, timeoutSeconds: 2);
        var sw = Stopwatch.StartNew();
        var r = await QemuRunner.RunAsync(options);
        sw.Stop();

        Assert.True(r.TimedOut);
        Assert.Null(r.ExitCode);
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.5, 15);
        Assert.Contains("timed out", r.DescribeExit());
        var child = int.Parse(Regex.Match(r.Serial, @"child (\d+)").Groups[1].Value);
        await AssertProcessGoneAsync(child);
    }

    [Fact]
    public async Task Interactive_send_and_wait_for_prompts()
    {
        await using var s = QemuRunner.Start(Fake(Shell));

        var first = await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        Assert.Equal("booting\r\n", first.Before);

        await s.SendAsync("help\r");
        var afterHelp = await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        Assert.Equal("help\r\ncommands: help quit\r\n", afterHelp.Before);

        await s.SendAsync("frobnicate\r");
        var unknown = await s.WaitForAsync(new Regex(@"unknown command: (\w+)"), TimeSpan.FromSeconds(10));
        Assert.Equal("frobnicate", unknown.Match.Groups[1].Value);
        await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));

        await s.TypeAsync("help\r", TimeSpan.FromMilliseconds(10));
        var typed = await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        Assert.Contains("commands: help quit", typed.Before);

        await s.SendAsync("quit\r");
        var r = await s.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, r.ExitCode);
        Assert.False(r.TimedOut);
        Assert.EndsWith("quit\r\nbye\r\n", r.Serial);
    }

    [Fact]
    public async Task Wait_does_not_match_text_before_the_cursor()
    {
        await using var s = QemuRunner.Start(Fake(Shell));
        await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));

        // The only prompt so far is behind the cursor: a second wait must time out.
        var e = await Assert.ThrowsAsync<SerialWaitException>(() => s.WaitForAsync("exo> ", TimeSpan.FromMilliseconds(500)));
        Assert.True(e.TimedOut);
        Assert.Contains("Timed out after 0.5 s waiting for \"exo> \"", e.Message);
        Assert.Contains("booting", e.Message); // the tail is quoted
    }

    [Fact]
    public async Task Wait_sees_output_that_arrives_later()
    {
        await using var s = QemuRunner.Start(Fake(Shell));
        await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        await s.SendAsync("slow\r");

        var m = await s.WaitForAsync("done slowly", TimeSpan.FromSeconds(10));
        Assert.Equal("done slowly", m.Value);
    }

    [Fact]
    public async Task Wait_fails_fast_when_the_guest_exits()
    {
        await using var s = QemuRunner.Start(Fake("printf 'about to die\\n'; sleep 0.3; exit 65"));
        var sw = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<SerialWaitException>(() => s.WaitForAsync("exo> ", TimeSpan.FromSeconds(30)));
        Assert.False(e.TimedOut);
        Assert.Contains("QEMU ended (exit status 65 (kernel panic)) before \"exo> \" appeared", e.Message);
        Assert.Contains("about to die", e.Serial);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Text_printed_just_before_exit_is_still_matched()
    {
        await using var s = QemuRunner.Start(Fake("printf 'rebooting\\r\\n'; exit 0"));
        await s.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var m = await s.WaitForAsync("rebooting", TimeSpan.FromSeconds(1));
        Assert.Equal("rebooting", m.Value);
    }

    [Fact]
    public async Task Send_after_exit_throws_a_clear_error()
    {
        await using var s = QemuRunner.Start(Fake("exit 0"));
        await s.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => s.SendAsync("help\r"));
        Assert.Contains("QEMU ended: exit status 0", e.Message);
    }

    [Fact]
    public async Task Session_deadline_bounds_every_wait_and_kills_the_guest()
    {
        await using var s = QemuRunner.Start(Fake(Shell, timeoutSeconds: 2));
        await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        var sw = Stopwatch.StartNew();

        // Asks for 60 s, but the session has only ~2 s in all.
        var e = await Assert.ThrowsAsync<SerialWaitException>(() => s.WaitForAsync("never", TimeSpan.FromSeconds(60)));
        Assert.True(e.TimedOut);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");

        var r = await s.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(r.TimedOut);
        Assert.Null(r.ExitCode);
    }

    [Fact]
    public async Task WaitForExit_with_a_timeout_kills_a_running_guest()
    {
        await using var s = QemuRunner.Start(Fake(Shell));
        var r = await s.WaitForExitAsync(TimeSpan.FromMilliseconds(300));

        Assert.True(r.TimedOut);
        Assert.Null(r.ExitCode);
        Assert.True(s.HasExited);
    }

    [Fact]
    public async Task Dispose_kills_a_running_guest()
    {
        int pid;
        await using (var s = QemuRunner.Start(Fake(Shell)))
        {
            pid = s.ProcessId;
            await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        }
        await AssertProcessGoneAsync(pid);
    }

    [Fact]
    public async Task Explicit_kill_gives_no_exit_status_and_no_timeout()
    {
        await using var s = QemuRunner.Start(Fake(Shell));
        await s.WaitForAsync("exo> ", TimeSpan.FromSeconds(10));
        s.Kill();
        var r = await s.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(r.ExitCode);
        Assert.False(r.TimedOut);
        Assert.Equal("killed by the harness", r.DescribeExit());
    }

    [Fact]
    public async Task Parallel_sessions_do_not_mix_output()
    {
        var runs = Enumerable.Range(0, 8)
            .Select(i => QemuRunner.RunAsync(Fake($"for j in 1 2 3 4 5; do echo 'guest {i} line '$j; sleep 0.01; done; exit 1")))
            .ToArray();
        var results = await Task.WhenAll(runs);

        for (int i = 0; i < results.Length; i++)
        {
            var lines = SerialText.SplitLines(results[i].Serial);
            Assert.Equal(Enumerable.Range(1, 5).Select(j => $"guest {i} line {j}"), lines);
            Assert.Equal(1, results[i].ExitCode);
        }
    }

    [Fact]
    public void Missing_image_says_to_build_the_kernel()
    {
        var options = Fake("exit 1") with { KernelImage = Path.Combine(_dir, "missing", "exo.bin") };

        var e = Assert.Throws<FileNotFoundException>(() => QemuRunner.Start(options));
        Assert.Contains("build the kernel first: make build", e.Message);
    }

    [Fact]
    public void Missing_qemu_binary_says_how_to_install_it()
    {
        var options = QemuOptions.ForKernel(_image) with { QemuBinary = Path.Combine(_dir, "no-such-qemu") };

        var e = Assert.Throws<InvalidOperationException>(() => QemuRunner.Start(options));
        Assert.Contains("apt-get install -y qemu-system-x86", e.Message);
    }

    [Fact]
    public async Task Cancellation_kills_a_batch_run()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => QemuRunner.RunAsync(Fake("sleep 60"), cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Executables_are_resolved_on_PATH_or_as_paths()
    {
        Assert.NotNull(QemuSession.ResolveExecutable("sh"));
        Assert.Equal(_image, QemuSession.ResolveExecutable(_image));
        Assert.Null(QemuSession.ResolveExecutable("exo-no-such-program-" + Guid.NewGuid().ToString("N")));
        Assert.Null(QemuSession.ResolveExecutable(Path.Combine(_dir, "missing")));
    }

    [Fact]
    public async Task Guest_runs_under_a_backstop_that_outlives_the_deadline_by_the_grace()
    {
        // The fake prints its parent's command line: the coreutils timeout wrapper, when present.
        var options = Fake("tr '\\0' ' ' < /proc/$PPID/cmdline; echo; exit 1", timeoutSeconds: 7);
        var r = await QemuRunner.RunAsync(options);

        if (QemuSession.ResolveExecutable("timeout") is null)
            return; // no backstop available on this machine
        var expected = (long)Math.Ceiling((TimeSpan.FromSeconds(7) + QemuSession.BackstopGrace).TotalSeconds);
        Assert.Contains($"timeout -s KILL {expected}s {options.QemuBinary}", r.Serial);
        Assert.Equal(1, r.ExitCode); // the wrapper passes the guest's status through
    }

    private static async Task AssertProcessGoneAsync(int pid)
    {
        // Killed processes may linger briefly as zombies until reaped.
        for (int i = 0; i < 50; i++)
        {
            if (!IsAlive(pid))
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"process {pid} is still running");
    }

    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return false;
        try
        {
            var text = File.ReadAllText(stat);
            // state is the field after the ")" that closes the command name
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
