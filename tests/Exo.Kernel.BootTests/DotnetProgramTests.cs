using System.Diagnostics;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A .NET 10 program (userland/linux/dotnet/ExoDotnetCheck: NativeAOT, linux-x64, glibc, dynamically linked, built by
/// the SDK as for any Linux machine) runs unmodified on Exo-OS at 1, 2 and 4 processors and prints what the same
/// binary prints on this machine's Linux, with the same exit status: the garbage collector under pressure,
/// exceptions, threads, tasks and Parallel.For, files, the environment and arguments.
/// </summary>
public sealed class DotnetProgramTests
{
    private const string Program = "ExoDotnetCheck";
    private const string Arguments = "first second";
    private const string Environment = "EXO_CHECK=exo";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);
    private readonly ITestOutputHelper _output;

    public DotnetProgramTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task NativeAot_program_prints_what_it_prints_on_linux(int processors)
    {
        var expected = RunOnLinux();
        var options = Boot.Kernel(commandLine: null) with { Smp = processors, Timeout = TimeSpan.FromMinutes(20) };
        await using var qemu = QemuRunner.Start(options);
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        var clock = Stopwatch.StartNew();
        await qemu.TypeAsync($"{Environment} /exo/bin/{Program} {Arguments}; echo \"status $?\"\r", TimeSpan.FromMilliseconds(5));
        await qemu.WaitForAsync($"{Program} {Arguments}; echo \"status $?\"", TimeSpan.FromSeconds(30));
        var run = await qemu.WaitForAsync(new Regex(@"status \d+\r?\n"), RunTimeout);
        _output.WriteLine($"on Exo-OS at {processors} processors, {clock.Elapsed.TotalSeconds:F1} s:\n{run.Before}{run.Value}");
        var actual = (run.Before + run.Value).Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\n');
        var difference = BusyboxTests.Difference(expected, actual);
        Assert.True(difference == null, $"{Program} differs from Linux (- Linux, + Exo-OS):\n{difference}");
    }

    /// <summary>The program's output on this machine's Linux, then "status N" as the guest's shell prints it.</summary>
    private string RunOnLinux()
    {
        var start = new ProcessStartInfo(ExoPaths.RequireLinuxProgram(Program))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments.Split(' '))
            start.ArgumentList.Add(argument);
        var variable = Environment.Split('=');
        start.Environment[variable[0]] = variable[1];
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output += $"status {process.ExitCode}\n";
        _output.WriteLine($"on Linux:\n{output}");
        return output;
    }
}
