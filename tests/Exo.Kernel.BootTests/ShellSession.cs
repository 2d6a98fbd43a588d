using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The kernel booted with an empty command line, driven through its COM1 shell.
/// Disposing it kills QEMU if still running and logs the transcript and wall time.
/// </summary>
public sealed class ShellSession : IAsyncDisposable
{
    public const string Prompt = "exo> ";

    private readonly ITestOutputHelper _output;

    private ShellSession(QemuSession session, ITestOutputHelper output)
    {
        Qemu = session;
        _output = output;
    }

    public QemuSession Qemu { get; }

    /// <summary>
    /// Boots to the first prompt. Without init by default: its programs print as they start, and lines from two
    /// writers on one console may interleave with a command's answer. Pass withInit for a normal boot.
    /// </summary>
    public static Task<ShellSession> BootAsync(ITestOutputHelper output, string machine = "q35", bool withInit = false)
        => BootAsync(output, Boot.Kernel(commandLine: withInit ? null : "init=none", machine));

    /// <summary>Boots the GRUB ISO (multiboot2, as `make run` does) to the shell prompt.</summary>
    public static Task<ShellSession> BootIsoAsync(ITestOutputHelper output)
        => BootAsync(output, QemuOptions.ForIso(ExoPaths.RequireIso()) with { Timeout = Boot.Timeout });

    /// <summary>Ctrl-]: with init running, the console is its programs'; this key hands it to the kernel shell.</summary>
    public const string MonitorKey = "\u001d";
    public const string MonitorBanner = "The kernel monitor: Ctrl-]";

    /// <summary>Boots with the given options (a longer overall deadline, another command line) to the shell prompt.</summary>
    public static async Task<ShellSession> BootAsync(ITestOutputHelper output, QemuOptions options)
    {
        var session = QemuRunner.Start(options);
        var shell = new ShellSession(session, output);
        try
        {
            var first = await session.WaitForAsync(new System.Text.RegularExpressions.Regex(
                System.Text.RegularExpressions.Regex.Escape(Prompt) + "|" + System.Text.RegularExpressions.Regex.Escape(MonitorBanner)));
            if (first.Value == MonitorBanner)
            {
                await session.SendAsync(MonitorKey);   // init runs: ask for the kernel shell
                await session.WaitForAsync(Prompt);
            }
            output.WriteLine($"prompt after {session.Elapsed.TotalSeconds:F2} s");
        }
        catch
        {
            await shell.DisposeAsync();
            throw;
        }
        return shell;
    }

    /// <summary>
    /// Types <paramref name="command"/> + CR, waits for the next prompt and returns what the shell
    /// printed in between, without the echoed command line.
    /// </summary>
    public async Task<string> RunAsync(string command, TimeSpan? timeout = null)
    {
        await Qemu.SendAsync(command + "\r");
        var m = await Qemu.WaitForAsync(Prompt, timeout);
        var response = StripEcho(m.Before, command);
        _output.WriteLine($"{Prompt}{command}\n{response.TrimEnd()}");
        return response;
    }

    /// <summary>Types <paramref name="command"/> + CR and waits for QEMU to exit (the command ends the guest).</summary>
    public async Task<QemuResult> RunToExitAsync(string command)
    {
        var start = Qemu.Serial.Length;
        await Qemu.SendAsync(command + "\r");
        var result = await Qemu.WaitForExitAsync();
        var after = StripEcho(result.Serial[Math.Min(start, result.Serial.Length)..], command);
        _output.WriteLine($"{Prompt}{command}\n{after.TrimEnd()}");
        return result;
    }

    /// <summary>Removes the echoed command line (if the shell echoes) from a response.</summary>
    public static string StripEcho(string text, string command)
    {
        var lines = SerialText.SplitLines(text).ToList();
        if (lines.Count > 0 && lines[0].Trim() == command.Trim())
            lines.RemoveAt(0);
        return string.Join("\n", lines);
    }

    /// <summary>Transcript tail for assertion messages.</summary>
    public string Tail() => SerialText.TailBlock(Qemu.Serial);

    public async ValueTask DisposeAsync()
    {
        await Qemu.DisposeAsync(); // kills QEMU if the test left it running
        var result = await Qemu.Completion;
        Boot.LogRun(_output, result);
        Boot.LogSerial(_output, result.Serial);
    }
}
