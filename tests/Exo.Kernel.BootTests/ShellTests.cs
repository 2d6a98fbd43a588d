using System.Globalization;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// End-to-end tests of the COM1 shell: boot with an empty command line, type commands at
/// <c>exo&gt; </c>, read the answers. Each test boots its own guest.
/// </summary>
public sealed class ShellTests
{
    private readonly ITestOutputHelper _output;

    public ShellTests(ITestOutputHelper output) => _output = output;

    private static readonly Regex Number = new(@"\d+(?:\.\d+)?", RegexOptions.CultureInvariant);

    [Fact]
    public async Task Help_lists_the_commands()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("help");

        var missing = new[] { "mem", "uptime", "cpu", "modules", "panic", "reboot", "shutdown" }
            .Where(c => !Regex.IsMatch(response, $@"\b{c}\b"))
            .ToList();
        Assert.True(missing.Count == 0, $"'help' does not list: {string.Join(", ", missing)}\nresponse:\n{response}");
    }

    [Fact]
    public async Task Mem_prints_physical_and_heap_usage()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("mem");
        var lines = SerialText.SplitLines(response);

        Assert.True(lines.Any(l => Contains(l, "physical") && Number.IsMatch(l)),
            $"no line with 'physical' and a number in:\n{response}");
        Assert.True(lines.Any(l => Contains(l, "heap") && Number.IsMatch(l)),
            $"no line with 'heap' and a number in:\n{response}");
    }

    [Fact]
    public async Task Uptime_increases()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var first = await shell.RunAsync("uptime");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // > 1 s, so even a seconds-resolution uptime moves
        var second = await shell.RunAsync("uptime");

        var a = Numbers(first);
        var b = Numbers(second);
        Assert.True(a.Count > 0, $"no number in the first 'uptime' answer:\n{first}");
        Assert.True(b.Count > 0, $"no number in the second 'uptime' answer:\n{second}");
        Assert.True(CompareLexicographically(b, a) > 0,
            $"uptime did not increase: first '{first.Trim()}', then '{second.Trim()}'");
    }

    [Fact]
    public async Task Cpu_prints_the_tsc_frequency()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("cpu");

        var frequency = new Regex(@"\d+(?:\.\d+)?\s*[kMG]?Hz", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        Assert.True(SerialText.SplitLines(response).Any(l => l.Contains("TSC", StringComparison.Ordinal) && frequency.IsMatch(l)),
            $"no line with 'TSC' and a frequency (e.g. '2400.0 MHz') in:\n{response}");
    }

    [Fact]
    public async Task Modules_answers()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("modules");

        Assert.False(string.IsNullOrWhiteSpace(response), "'modules' printed nothing");
        Assert.False(Contains(response, "unknown command"), $"'modules' is not a known command:\n{response}");
    }

    [Fact]
    public async Task Programs_lists_the_programs_of_exo_bin_by_name()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("programs");

        // "  hello  8976 B": the name first. The boot image is a root file system; only exo/bin/ holds programs.
        var names = SerialText.SplitLines(response).Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0).ToList();
        foreach (var program in new[] { "hello", "init", "hello_cs", "linux_hello" })
            Assert.True(names.Contains(program), $"'programs' does not list {program}:\n{response}");
        Assert.False(names.Any(n => n.Contains('/')), $"'programs' shows a path, not a name:\n{response}");
        foreach (var other in new[] { "busybox", "sh", "passwd", "init.conf" })
            Assert.False(names.Contains(other), $"'programs' lists {other}, which is not in exo/bin/:\n{response}");
    }

    [Fact]
    public async Task Unknown_command_is_reported_and_the_shell_goes_on()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("frobnicate");
        Assert.True(SerialText.SplitLines(response).Any(l => Contains(l, "unknown command")),
            $"no 'unknown command' line for 'frobnicate':\n{response}");

        var uptime = await shell.RunAsync("uptime");
        Assert.True(Numbers(uptime).Count > 0, $"shell did not answer 'uptime' after an unknown command:\n{uptime}");
    }

    [Fact]
    public async Task Bad_argument_gets_a_clear_error_and_the_shell_goes_on()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("mem bogus");

        var error = new Regex(@"error|usage|invalid|unknown|unexpected|bad|not (a |an )?(valid|recogni[sz]ed)", RegexOptions.IgnoreCase);
        Assert.True(error.IsMatch(response), $"'mem bogus' did not answer with an error or usage line:\n{response}");

        var uptime = await shell.RunAsync("uptime");
        Assert.True(Numbers(uptime).Count > 0, $"shell did not answer 'uptime' after a bad argument:\n{uptime}");
    }

    [Fact]
    public async Task Ps_lists_threads_with_state_and_priority()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("ps");
        var lines = SerialText.SplitLines(response);
        Assert.True(lines.Any(l => l.Contains("kernel-main", StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal)),
            $"'ps' does not show the running kernel-main thread:\n{response}");
        Assert.True(lines.Any(l => l.Contains("(idle)", StringComparison.Ordinal)), $"'ps' does not show the idle thread:\n{response}");
        Assert.True(lines.Any(l => Contains(l, "prio") && Contains(l, "burst")), $"'ps' has no header with priority and burst:\n{response}");
    }

    [Fact]
    public async Task Run_shows_output_and_status_and_caps_explains_bad_use()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var hello = await shell.RunAsync("run hello_cs");
        Assert.Contains("hello from C# in ring 3", hello, StringComparison.Ordinal);
        Assert.Contains("hello_cs: clock: time page, in step with the kernel", hello, StringComparison.Ordinal);
        Assert.Matches(@"process \d+ exited with status 0", hello);
        var missing = await shell.RunAsync("run no_such_program");
        Assert.Contains("error: cannot run no_such_program: not found", missing, StringComparison.Ordinal);
        var fault = await shell.RunAsync("run read_kernel");
        Assert.Matches(@"process \d+ ended by", fault);
        var noProcess = await shell.RunAsync("caps 999");
        Assert.Contains("error: no process 999", noProcess, StringComparison.Ordinal);
        var usage = await shell.RunAsync("caps x");
        Assert.Contains("usage: caps PID", usage, StringComparison.Ordinal);
        var uptime = await shell.RunAsync("uptime");
        Assert.True(Numbers(uptime).Count > 0, $"shell did not answer 'uptime' after the failed commands:\n{uptime}");
    }

    // Only run-driver gives the root resource: driver_test passes with it and stops at its first check without.
    [Fact]
    public async Task Run_driver_gives_the_root_resource_and_run_does_not()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var driver = await shell.RunAsync("run-driver driver_test");
        Assert.Contains("driver_test: I/O ports, RTC interrupts, HPET mapping and refusals checked", driver, StringComparison.Ordinal);
        Assert.Matches(@"process \d+ exited with status 0", driver);
        var plain = await shell.RunAsync("run driver_test");
        Assert.Matches(@"process \d+ exited with status 1\b", plain);
        var usage = await shell.RunAsync("run-driver");
        Assert.Contains("usage: run-driver PROGRAM", usage, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    // Asks ps (up to 30 s) until 'program' runs under a pid other than 'notId': ps's answer and that pid (null if never).
    private static async Task<(string Ps, string? Id)> WaitForRunningAsync(ShellSession shell, string program, string? notId)
    {
        var pattern = new Regex($@"(?m)^\s*(\d+)\s+running\b.*\b{Regex.Escape(program)}\s*$", RegexOptions.CultureInvariant);
        var ps = "";
        for (int attempt = 0; attempt < 60; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(TimeSpan.FromSeconds(0.5));
            ps = await shell.RunAsync("ps");
            var match = pattern.Match(ps);
            if (match.Success && match.Groups[1].Value != notId)
                return (ps, match.Groups[1].Value);
        }
        return (ps, null);
    }

    [Fact]
    public async Task Init_starts_at_boot_ps_lists_it_and_run_passes_arguments()
    {
        await using var shell = await ShellSession.BootAsync(_output, withInit: true);
        // init prints as it starts its programs, before or after the prompt: ask ps until echo_service runs.
        var (ps, echoId) = await WaitForRunningAsync(shell, "echo_service", notId: null);
        foreach (var program in new[] { "init", "names", "echo_service" })
            Assert.Matches($@"(?m)^\s*\d+\s+running\b.*\b{program}\s*$", ps);
        var initId = Regex.Match(ps, @"(?m)^\s*(\d+)\s+running\b.*\binit\s*$").Groups[1].Value;
        var caps = await shell.RunAsync($"caps {initId}");
        Assert.Contains("memory", caps, StringComparison.Ordinal);
        Assert.Contains("endpoint", caps, StringComparison.Ordinal);
        // kill: init sees its service end, reports it and starts it again under a new pid.
        // (init prints while the shell answers: check words that one write carries, not whole lines.)
        var killed = await shell.RunAsync($"kill {echoId}");
        Assert.Contains("killed process ", killed, StringComparison.Ordinal);
        var (_, restartedId) = await WaitForRunningAsync(shell, "echo_service", notId: echoId);
        Assert.True(restartedId != null, "init did not start echo_service again after 'kill'");
        const string started = "init: started service echo (echo_service)";
        for (int attempt = 0; attempt < 60 && CountOf(shell.Qemu.Serial, started) < 2; attempt++)
            await Task.Delay(TimeSpan.FromSeconds(0.5));   // init is done printing before the next commands
        Assert.Equal(2, CountOf(shell.Qemu.Serial, started));
        Assert.Contains("usage: kill PID", await shell.RunAsync("kill"), StringComparison.Ordinal);
        Assert.Contains("error: no process 999", await shell.RunAsync("kill 999"), StringComparison.Ordinal);
        var hello = await shell.RunAsync("run hello_cs first second");
        Assert.Contains("hello_cs: argument 1: first", hello, StringComparison.Ordinal);
        Assert.Contains("hello_cs: argument 2: second", hello, StringComparison.Ordinal);
        Assert.Matches(@"process \d+ exited with status 0", hello);
    }

    [Fact]
    public async Task Bench_sched_reports_the_scheduler_rows_and_bad_use_is_explained()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("bench sched");
        foreach (var row in new[] { "ctx.switch", "sched.pick", "thread.create_join" })
            Assert.True(Regex.IsMatch(response, $@"^EXO-BENCH {Regex.Escape(row)} median=\d+ min=\d+ iterations=\d+", RegexOptions.Multiline),
                $"'bench sched' printed no {row} row:\n{response}");
        var usage = await shell.RunAsync("bench nothing");
        Assert.Contains("usage: bench sched", usage, StringComparison.Ordinal);
        var uptime = await shell.RunAsync("uptime");
        Assert.True(Numbers(uptime).Count > 0, $"shell did not answer 'uptime' after 'bench nothing':\n{uptime}");
    }

    [Fact]
    public async Task Panic_command_reports_and_exits_65()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var result = await shell.RunToExitAsync("panic");

        Assert.False(result.TimedOut, "guest did not exit after 'panic'\n" + result.SerialTail());
        var panic = PanicReportParser.Parse(result.Serial);
        Assert.True(panic is not null, "no EXO-PANIC report after 'panic'\n" + SerialText.TailBlock(result.Serial));
        Assert.True(panic!.Complete, "panic report has no EXO-PANIC-END\n" + SerialText.TailBlock(result.Serial));
        Assert.True(result.ExitCode == ExitStatus.Panic,
            $"expected exit status 65 after 'panic', got {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
    }

    [Fact]
    public async Task Shutdown_powers_off_through_acpi()
    {
        await using var shell = await ShellSession.BootAsync(_output, machine: "q35");
        var result = await shell.RunToExitAsync("shutdown");

        Assert.True(result.ExitCode == ExitStatus.Shutdown,
            $"expected exit status 0 (ACPI S5) after 'shutdown', got {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
        Assert.Null(PanicReportParser.Parse(result.Serial));
    }

    [Fact]
    public async Task Reboot_resets_the_machine()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var start = shell.Qemu.Serial.Length;
        var result = await shell.RunToExitAsync("reboot");

        // QEMU runs with -no-reboot, so the reset ends it with status 0.
        Assert.True(result.ExitCode == ExitStatus.Shutdown,
            $"expected exit status 0 (reset with -no-reboot) after 'reboot', got {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
        Assert.True(SerialText.SplitLines(result.Serial[start..]).Any(l => Contains(l, "rebooting")),
            "no 'rebooting' line after 'reboot'\n" + SerialText.TailBlock(result.Serial));
        Assert.Null(PanicReportParser.Parse(result.Serial));
    }

    private static bool Contains(string text, string word) => text.Contains(word, StringComparison.OrdinalIgnoreCase);

    private static List<double> Numbers(string text) =>
        Number.Matches(text).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>
    /// Compares number sequences left to right, so "0:00:07" &gt; "0:00:05" and "5 s (5000000 us)" &gt; "3 s (3000000 us)".
    /// </summary>
    private static int CompareLexicographically(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            int c = a[i].CompareTo(b[i]);
            if (c != 0)
                return c;
        }
        return a.Count.CompareTo(b.Count);
    }
}
