using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The serial console as a person uses it after a normal boot: busybox sh at its prompt, the control keys (^C stops
/// the foreground job, ^Z stops it and fg brings it back, ^D at an empty prompt ends the shell and init starts a new
/// one), and the full-screen programs vi and less over the terminal.
/// </summary>
public sealed class TerminalTests
{
    private const string Prompt = BusyboxTests.Prompt;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly ITestOutputHelper _output;

    public TerminalTests(ITestOutputHelper output) => _output = output;

    private async Task<QemuSession> BootAsync()
    {
        var qemu = QemuRunner.Start(Boot.Kernel(commandLine: null) with { Timeout = TimeSpan.FromMinutes(5) });
        await qemu.WaitForAsync(Prompt, Boot.Timeout);
        _output.WriteLine($"prompt after {qemu.Elapsed.TotalSeconds:F1} s");
        return qemu;
    }

    private async Task Finish(QemuSession qemu)
    {
        await qemu.DisposeAsync();
        var result = await qemu.Completion;
        Boot.LogRun(_output, result);
        Boot.LogSerial(_output, result.Serial);
    }

    // Types a command line and returns what came before the next prompt.
    private static async Task<string> RunAsync(QemuSession qemu, string command)
    {
        await qemu.SendAsync(command + "\r");
        return (await qemu.WaitForAsync(Prompt, Step)).Before;
    }

    [Fact]
    public async Task Control_keys_interrupt_and_stop_the_foreground_job()
    {
        var qemu = await BootAsync();
        try
        {
            Assert.Contains("HELLO", await RunAsync(qemu, "echo hello | tr a-z A-Z"));

            await qemu.SendAsync("yes > /dev/null\r");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await qemu.SendAsync("\u0003");   // ^C
            await qemu.WaitForAsync(Prompt, Step);
            Assert.Contains("status 130", await RunAsync(qemu, "echo status $?"));

            await qemu.SendAsync("sleep 100\r");
            await Task.Delay(TimeSpan.FromSeconds(1));
            await qemu.SendAsync("\u0003");
            await qemu.WaitForAsync(Prompt, Step);
            Assert.Contains("status 130", await RunAsync(qemu, "echo status $?"));

            await qemu.SendAsync("sleep 100\r");
            await Task.Delay(TimeSpan.FromSeconds(1));
            await qemu.SendAsync("\u001a");   // ^Z
            var stopped = await qemu.WaitForAsync(Prompt, Step);
            Assert.Matches(@"Stopped\s+sleep 100", stopped.Before);
            Assert.Matches(@"sleep 100", await RunAsync(qemu, "jobs"));
            await qemu.SendAsync("fg\r");
            await qemu.WaitForAsync("sleep 100", Step);
            await Task.Delay(TimeSpan.FromSeconds(1));
            await qemu.SendAsync("\u0003");
            await qemu.WaitForAsync(Prompt, Step);
            Assert.Contains("status 130", await RunAsync(qemu, "echo status $?"));
            Assert.DoesNotContain("sleep", await RunAsync(qemu, "jobs"));
            Assert.Contains("still here", await RunAsync(qemu, "echo still here"));
        }
        finally
        {
            await Finish(qemu);
        }
    }

    [Fact]
    public async Task End_of_input_ends_the_shell_and_init_starts_another()
    {
        var qemu = await BootAsync();
        try
        {
            var first = Regex.Match(await RunAsync(qemu, "echo pid=$$"), @"pid=(\d+)").Groups[1].Value;
            Assert.NotEqual("", first);
            await qemu.SendAsync("\u0004");   // ^D at an empty prompt
            await qemu.WaitForAsync(Prompt, Step);
            var second = Regex.Match(await RunAsync(qemu, "echo pid=$$"), @"pid=(\d+)").Groups[1].Value;
            Assert.NotEqual("", second);
            Assert.NotEqual(first, second);
        }
        finally
        {
            await Finish(qemu);
        }
    }

    [Fact]
    public async Task Vi_writes_a_file_and_less_shows_one()
    {
        var qemu = await BootAsync();
        try
        {
            await qemu.SendAsync("vi /tmp/f\r");
            await qemu.WaitForAsync("/tmp/f", Step);   // vi's status line names the file
            await Task.Delay(TimeSpan.FromSeconds(1));
            await qemu.SendAsync("i");
            await qemu.SendAsync("written by vi");
            await qemu.SendAsync("\u001b");   // ESC: back to command mode
            await Task.Delay(TimeSpan.FromSeconds(0.5));
            await qemu.SendAsync(":wq\r");
            await qemu.WaitForAsync(Prompt, Step);
            Assert.Contains("written by vi", await RunAsync(qemu, "cat /tmp/f"));

            await RunAsync(qemu, "seq 1 200 > /tmp/numbers");
            await qemu.SendAsync("less /tmp/numbers\r");
            await qemu.WaitForAsync(new Regex(@"\b20\r?\n"), Step);   // the first screen
            await qemu.SendAsync(" ");   // the next screen
            await qemu.WaitForAsync(new Regex(@"\b40\b"), Step);
            await qemu.SendAsync("q");
            await qemu.WaitForAsync(Prompt, Step);
            Assert.Contains("after less", await RunAsync(qemu, "echo after less"));
        }
        finally
        {
            await Finish(qemu);
        }
    }
}
