using System.Diagnostics;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Differential tests of busybox on POSIX-X: each script of userland/rootfs/tests (in the image at
/// /usr/share/exo-tests) runs in the console's busybox sh after a normal boot (init, then <c>/bin/sh -l</c>) and on
/// this machine's Linux with the same busybox binary and root file system (tools/scripts/run-rootfs-test-on-linux.sh),
/// and both must print the same lines and end with the same status. Whatever legitimately differs (pids, times,
/// sizes) the scripts replace themselves, or print a relation instead. One guest serves the whole collection
/// (<see cref="ConsoleGuest"/>); a script that hangs or ends the guest gets it booted again for the next.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BusyboxTests
{
    private readonly ITestOutputHelper _output;
    private readonly ConsoleGuest _guest;

    public BusyboxTests(ITestOutputHelper output, ConsoleGuest guest)
    {
        _output = output;
        _guest = guest;
    }

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(240);

    [Theory]
    [InlineData("shell")]
    [InlineData("jobs")]
    [InlineData("tree")]
    [InlineData("files")]
    [InlineData("text")]
    [InlineData("archive")]
    [InlineData("misc")]
    [InlineData("system")]   // ps, top, free, uptime, mount, df: needs /proc
    public async Task Script_prints_what_it_prints_on_linux(string name)
    {
        var expected = RunOnLinux(_output, $"/usr/share/exo-tests/{name}.sh");
        var clock = Stopwatch.StartNew();
        var actual = await _guest.UseAsync(_output, $"{name}.sh", qemu => RunScriptAsync(qemu, "/usr/share/exo-tests/run-test", name));
        _output.WriteLine($"{name}.sh in the guest: {clock.Elapsed.TotalSeconds:F1} s");
        var difference = Difference(expected, actual);
        Assert.True(difference == null, $"{name}.sh differs from Linux (- Linux, + Exo-OS):\n{difference}");
    }

    /// <summary>
    /// Runs the script in the guest's console shell through <paramref name="runner"/> (userland/rootfs/tests/run-test, or
    /// the Debian root's) and returns what it printed.
    /// </summary>
    internal static async Task<string> RunScriptAsync(QemuSession qemu, string runner, string name)
    {
        await qemu.SendAsync($"sh {runner} {name}\r");
        var begin = new Regex($@"@@BEGIN {Regex.Escape(name)}\r?\n");
        await qemu.WaitForAsync(begin, ScriptTimeout);
        // The output ends with a newline ("status N"); one that does not (cat lost bytes) still ends at the marker, and
        // differs from Linux's, rather than waiting out the time limit.
        var end = await qemu.WaitForAsync(new Regex($@"(\r?\n)?@@END {Regex.Escape(name)}\r?\n"), ScriptTimeout);
        await qemu.WaitForAsync(ConsoleGuest.Prompt, TimeSpan.FromSeconds(30));
        return end.Before;
    }

    /// <summary>
    /// The script's output on this machine's Linux (the same busybox in a copy of out/rootfs, with the trees of
    /// <paramref name="layers"/> laid over it: out/debian-root for the Debian root's tests).
    /// </summary>
    internal static string RunOnLinux(ITestOutputHelper log, string script, params string[] layers)
    {
        var name = Path.GetFileNameWithoutExtension(script);
        var root = ExoPaths.FindRepoRoot();
        var start = new ProcessStartInfo(Path.Combine(root, "tools/scripts/run-rootfs-test-on-linux.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var layer in layers)
        {
            start.ArgumentList.Add("--layer");
            start.ArgumentList.Add(Path.Combine(root, layer));
        }
        start.ArgumentList.Add(Path.Combine(root, "out/rootfs"));
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var reading = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(ScriptTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{name}.sh did not end on Linux within {ScriptTimeout.TotalSeconds} s");
        }
        var output = reading.Result;
        Assert.True(process.ExitCode == 0, $"{name}.sh could not run on Linux ({process.ExitCode}):\n{errors.Result}");
        log.WriteLine($"--- {name}.sh on Linux ---\n{output.TrimEnd()}");
        return output;
    }

    /// <summary>Null when the two outputs have the same lines; else a unified-style list of the differing lines.</summary>
    internal static string? Difference(string expected, string actual)
    {
        var a = Lines(expected);
        var b = Lines(actual);
        if (a.SequenceEqual(b))
            return null;
        // Longest common subsequence, to show only what differs (outputs are a few hundred lines).
        var length = new int[a.Count + 1, b.Count + 1];
        for (int i = a.Count - 1; i >= 0; i--)
            for (int j = b.Count - 1; j >= 0; j--)
                length[i, j] = a[i] == b[j] ? length[i + 1, j + 1] + 1 : Math.Max(length[i + 1, j], length[i, j + 1]);
        var text = new System.Text.StringBuilder();
        int x = 0, y = 0;
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y]) { x++; y++; }
            else if (y < b.Count && (x == a.Count || length[x, y + 1] >= length[x + 1, y])) text.Append($"+ [{y + 1}] {b[y++]}\n");
            else text.Append($"- [{x + 1}] {a[x++]}\n");
        }
        return text.ToString();
    }

    private static List<string> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
