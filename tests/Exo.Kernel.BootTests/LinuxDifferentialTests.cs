using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>One boot of the kernel suite "linux", shared by the tests of the class (each boot costs seconds under TCG).</summary>
public sealed class LinuxSuiteBoot
{
    private readonly Lazy<Task<QemuResult>> _run = new(() => QemuRunner.RunAsync(Boot.Kernel("test=linux")));

    public Task<QemuResult> RunAsync() => _run.Value;
}

/// <summary>
/// Differential tests of the Linux personality: the same static Linux binary runs on this machine's Linux and on
/// Exo-OS (kernel suite "linux") with the same arguments and environment, and must print the same lines.
/// </summary>
public sealed class LinuxDifferentialTests : IClassFixture<LinuxSuiteBoot>
{
    private readonly ITestOutputHelper _output;
    private readonly LinuxSuiteBoot _boot;

    public LinuxDifferentialTests(ITestOutputHelper output, LinuxSuiteBoot boot)
    {
        _output = output;
        _boot = boot;
    }

    [Fact]
    public Task Start_stack_reads_the_same_as_on_linux()
        // argv[0] without the path, as Exo-OS starts it from the boot image: LinuxHost sets it apart from the file.
        => SameLinesOnBoth("linux_start_test", new[] { "one", "two" }, new[] { "EXO_TEST=1", "HOME=/" }, "start: ");

    /// <summary>
    /// vdso_test (static glibc) finds the vDSO through AT_SYSINFO_EHDR and checks its symbols and clocks: the same
    /// lines on Linux and on Exo-OS. On Exo-OS the suite's own test also counts the system calls it made (the clock
    /// calls stayed in ring 3): the suite passing covers that.
    /// </summary>
    [Fact]
    public Task Vdso_serves_glibc_the_same_as_on_linux()
        => SameLinesOnBoth("vdso_test", Array.Empty<string>(), new[] { "HOME=/" }, "vdso: ");

    // Runs the program on Linux, then reads the suite's run of it on Exo-OS: its lines that start with 'prefix' must be
    // the same, none of them a failed check (": NO"), and the suite must pass.
    private async Task SameLinesOnBoth(string name, string[] arguments, string[] environment, string prefix)
    {
        var program = ExoPaths.RequireLinuxProgram(name);
        var linux = RunOnLinux(program, name, arguments, environment);
        _output.WriteLine("on Linux:\n" + linux);
        var expected = LinesStartingWith(linux, prefix);
        Assert.True(expected.Count > 20, "the program printed too little on Linux:\n" + linux);
        Assert.DoesNotContain(expected, line => line.EndsWith(": NO", StringComparison.Ordinal));

        var result = await _boot.RunAsync();
        var verdict = TestReportParser.Evaluate(result, new[] { "linux" });
        Boot.LogRun(_output, result);
        Boot.LogSerial(_output, result.Serial);
        Assert.Equal(expected, LinesStartingWith(result.Serial, prefix));
        Assert.True(verdict.Success, "suite 'linux': " + verdict.FailureMessage);
    }

    private static List<string> LinesStartingWith(string output, string prefix) =>
        SerialText.SplitLines(output).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    private static string RunOnLinux(string program, string argument0, string[] arguments, string[] environment)
    {
        var run = LinuxHost.Run(program, argument0, arguments, environment);
        Assert.True(run.ExitCode == 0, $"{argument0} on Linux exited with {run.ExitCode}:\n{run.StandardOutput}{run.StandardError}");
        return run.StandardOutput;
    }
}
