using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The serial console as a person uses it after a normal boot: busybox sh at its prompt, the control keys (^C ends
/// the foreground job, ^Z stops it, then bg, jobs and fg; ^D at an empty prompt ends the shell and init starts a new
/// one), stty, and the full-screen programs vi, less and more, clear and reset. No test sleeps to let the guest catch
/// up: each key is sent once the guest has printed what shows it is ready for it (a job announces itself once it is
/// the foreground process group; vi's status line shows its mode). Words the guest must print are typed split by
/// quotes (fore""ground), so the echo of the typed line never matches them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TerminalTests
{
    private const string Prompt = ConsoleGuest.Prompt;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private const string Interrupt = "\u0003", Suspend = "\u001a", EndOfFile = "\u0004", Escape = "\u001b";
    private static int s_marker;
    private readonly ITestOutputHelper _output;
    private readonly ConsoleGuest _guest;

    public TerminalTests(ITestOutputHelper output, ConsoleGuest guest)
    {
        _output = output;
        _guest = guest;
    }

    /// <summary>
    /// Types a command line and returns what it printed (after the echo of the line): the line ends with an echo of a
    /// marker the shell puts together ("@@"7@@ prints @@7@@), which is waited for, then the prompt after it.
    /// </summary>
    internal static async Task<string> RunAsync(QemuSession qemu, string command)
    {
        var marker = Interlocked.Increment(ref s_marker);
        await qemu.SendAsync($"{command}; echo \"@@\"{marker}@@\r");
        var done = await qemu.WaitForAsync($"@@{marker}@@", Step);
        await qemu.WaitForAsync(Prompt, Step);
        return done.Before;
    }

    /// <summary>Types a command line and waits until the guest prints <paramref name="ready"/>.</summary>
    private static async Task StartAsync(QemuSession qemu, string command, string ready)
    {
        await qemu.SendAsync(command + "\r");
        await qemu.WaitForAsync(ready, Step);
    }

    /// <summary>Sends a key and returns what the guest printed before its next prompt.</summary>
    private static async Task<string> PressAsync(QemuSession qemu, string key)
    {
        await qemu.SendAsync(key);
        return (await qemu.WaitForAsync(Prompt, Step)).Before;
    }

    [Fact]
    public Task Control_keys_interrupt_stop_and_resume_the_foreground_job() => _guest.UseAsync(_output, "control keys", async qemu =>
    {
        Assert.Contains("HELLO", await RunAsync(qemu, "echo hello | tr a-z A-Z"));

        // ^C: the job announces itself from the child, after the shell made its group the terminal's foreground.
        await StartAsync(qemu, "sh -c 'echo fore\"\"ground; exec yes > /dev/null'", "foreground");
        Assert.Contains("^C", await PressAsync(qemu, Interrupt));   // echoed as Linux's echoctl does
        Assert.Contains("status 130", await RunAsync(qemu, "echo status $?"));

        // ^Z stops the job; bg continues it behind the prompt, fg brings it back. Its trap on SIGCONT prints
        // "continued" each time it goes on, which the shell sends after handing it the terminal (fg).
        const string job = "sh -c 'trap \"echo con\"\"tinued\" CONT; echo sle\"\"eping; while sleep 1; do :; done'";
        await StartAsync(qemu, job, "sleeping");
        Assert.Matches(@"\[1\]\+\s+Stopped\s+sh -c", await PressAsync(qemu, Suspend));
        Assert.Matches(@"\[1\]\+\s+Stopped\s+sh -c", await RunAsync(qemu, "jobs"));
        await StartAsync(qemu, "bg", "continued");
        Assert.Matches(@"\[1\]\+\s+Running\s+sh -c", await RunAsync(qemu, "jobs"));
        await StartAsync(qemu, "fg", "continued");
        await PressAsync(qemu, Interrupt);
        Assert.Contains("status 130", await RunAsync(qemu, "echo status $?"));
        Assert.DoesNotContain("sh -c", await RunAsync(qemu, "jobs"));

        Assert.Contains("still here", await RunAsync(qemu, "echo still here"));
        return 0;
    });

    [Fact]
    public Task End_of_input_ends_the_shell_and_init_starts_another() => _guest.UseAsync(_output, "end of input", async qemu =>
    {
        var first = Regex.Match(await RunAsync(qemu, "echo pid=$$"), @"pid=(\d+)").Groups[1].Value;
        Assert.NotEqual("", first);
        await PressAsync(qemu, EndOfFile);   // at an empty prompt: the shell ends, init's console entry starts another
        var second = Regex.Match(await RunAsync(qemu, "echo pid=$$"), @"pid=(\d+)").Groups[1].Value;
        Assert.NotEqual("", second);
        Assert.NotEqual(first, second);
        return 0;
    });

    [Fact]
    public Task Stty_turns_echo_off_and_reports_the_terminal() => _guest.UseAsync(_output, "stty", async qemu =>
    {
        var settings = await RunAsync(qemu, "stty -a");
        Assert.Contains("intr = ^C", settings);
        Assert.Matches(@"\bicanon\b", settings);
        Assert.Matches(@"^\s*\d+ \d+\s*$", (await RunAsync(qemu, "stty size")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        // With echo off the typed line does not come back; read still gets it.
        await StartAsync(qemu, "stty -echo; echo re\"\"ady; read line; stty echo; echo \"got [$line]\"", "ready");
        var typed = await PressAsync(qemu, "unseen words\r");
        Assert.Contains("got [unseen words]", typed);
        Assert.DoesNotContain("unseen words\r\n", typed);
        Assert.Contains("echo back on", await RunAsync(qemu, "echo echo back on"));
        Assert.Matches(@"\becho\b", await RunAsync(qemu, "stty -a"));
        return 0;
    });

    [Fact]
    public Task Vi_writes_a_file_and_less_and_more_page_through_one() => _guest.UseAsync(_output, "vi, less, more", async qemu =>
    {
        await RunAsync(qemu, "rm -f /tmp/vi-file; seq 1 200 > /tmp/numbers");
        // vi's status line starts with its mode: '-' for commands, 'I' for insert.
        await StartAsync(qemu, "vi /tmp/vi-file", "- /tmp/vi-file");
        await qemu.SendAsync("i");
        await qemu.WaitForAsync("I /tmp/vi-file", Step);
        await qemu.SendAsync("written by vi");
        // ESC alone: busybox takes an ESC followed at once by more keys for an escape sequence it does not know and
        // drops them all (on Linux too), so ':' waits until vi shows it is back in command mode.
        await qemu.SendAsync(Escape);
        await qemu.WaitForAsync("- /tmp/vi-file [Modified]", Step);
        await PressAsync(qemu, ":wq\r");
        Assert.Matches(@"\nwritten by vi\r\n", await RunAsync(qemu, "cat /tmp/vi-file"));   // the line, whole

        // less: a screen of 23 lines and its status line; space for the next screen, q to leave.
        await StartAsync(qemu, "less /tmp/numbers", "/tmp/numbers\u001b[m");
        await qemu.SendAsync(" ");
        await qemu.WaitForAsync(new Regex(@"(?<!\d)46\r\n"), Step);
        Assert.DoesNotContain("47", await PressAsync(qemu, "q"));

        // more: the same through its --More-- prompt.
        await StartAsync(qemu, "more /tmp/numbers", "--More--");
        await qemu.SendAsync(" ");
        await qemu.WaitForAsync(new Regex(@"(?<!\d)46\r\n--More--"), Step);
        await PressAsync(qemu, "q");

        Assert.Contains("\u001b[H\u001b[J", await RunAsync(qemu, "clear"));
        Assert.Contains("\u001bc", await RunAsync(qemu, "reset"));
        Assert.Contains("after the screen programs", await RunAsync(qemu, "echo after the screen programs"));
        return 0;
    });
}
