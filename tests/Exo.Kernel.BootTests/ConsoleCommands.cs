using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>Commands typed into the console's busybox shell after a normal boot, and the lines they printed.</summary>
internal static class ConsoleCommands
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    public static readonly Regex ShellPrompt = new(@"exo:[^#\r\n]*# ", RegexOptions.CultureInvariant);

    /// <summary>
    /// Runs 'command' in the console's shell and requires exactly the 'expected' lines, then "status N" when N is not 0
    /// (give it as the last expected line). The markers are split in the command so that its echo never matches them.
    /// </summary>
    public static Task ExpectAsync(QemuSession qemu, ITestOutputHelper output, string command, params string[] expected)
        => ExpectAsync(qemu, output, CommandTimeout, command, expected);

    /// <summary>The same with a longer limit than <see cref="CommandTimeout"/>, for a command known to run long.</summary>
    public static async Task ExpectAsync(QemuSession qemu, ITestOutputHelper output, TimeSpan timeout, string command, params string[] expected)
    {
        var lines = await RunAsync(qemu, output, command, timeout);
        Assert.True(expected.SequenceEqual(lines), $"'{command}' printed:\n{string.Join("\n", lines)}\nexpected:\n{string.Join("\n", expected)}");
    }

    /// <summary>Runs 'command' in the console's shell: the lines it printed, then "status N" when N is not 0.</summary>
    public static async Task<List<string>> RunAsync(QemuSession qemu, ITestOutputHelper output, string command, TimeSpan? timeout = null)
    {
        var limit = timeout ?? CommandTimeout;
        // Typed a character at a time, as a person types. Sent whole, such lines first arrived with characters swapped at 2
        // processors ("/mntr/ing": the serial port drained by two processors at once, fixed in SerialPort); after that fix,
        // 1 boot in 30 still lost a whole line sent at once right after a prompt (not understood yet; see the README).
        await qemu.TypeAsync($"echo @@be''gin; {command}; echo @@e''nd $?\r", TimeSpan.FromMilliseconds(2));
        await qemu.WaitForAsync(new Regex(@"@@begin\r?\n", RegexOptions.CultureInvariant), limit);
        var end = await qemu.WaitForAsync(new Regex(@"@@end (\d+)\r?\n", RegexOptions.CultureInvariant), limit);
        await qemu.WaitForAsync(ShellPrompt, limit);
        var lines = SerialText.SplitLines(end.Before).Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        var status = end.Match.Groups[1].Value;
        if (status != "0")
            lines.Add($"status {status}");
        output.WriteLine($"$ {command}\n{string.Join("\n", lines)}");
        return lines;
    }
}
