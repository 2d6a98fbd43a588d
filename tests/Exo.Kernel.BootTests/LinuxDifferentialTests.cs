using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Differential tests of the Linux personality: the same static Linux binary runs on this machine's Linux and on
/// Exo-OS (kernel suite "linux") with the same arguments and environment, and must print the same lines.
/// </summary>
public sealed class LinuxDifferentialTests
{
    private readonly ITestOutputHelper _output;

    public LinuxDifferentialTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Start_stack_reads_the_same_as_on_linux()
    {
        var program = ExoPaths.RequireLinuxProgram("linux_start_test");
        // argv[0] without the path, as Exo-OS starts it from the boot image: perl's exec sets it apart from the file.
        var linux = RunOnLinux(program, "linux_start_test", new[] { "one", "two" }, new[] { "EXO_TEST=1", "HOME=/" });
        _output.WriteLine("on Linux:\n" + linux);
        var expected = StartLines(linux);
        Assert.True(expected.Count > 20, "the program printed too little on Linux:\n" + linux);
        Assert.DoesNotContain(expected, line => line.EndsWith(": NO", StringComparison.Ordinal));

        var result = await QemuRunner.RunAsync(Boot.Kernel("test=linux"));
        var verdict = TestReportParser.Evaluate(result, new[] { "linux" });
        Boot.LogRun(_output, result);
        Boot.LogSerial(_output, result.Serial);
        Assert.True(verdict.Success, "suite 'linux': " + verdict.FailureMessage);
        Assert.Equal(expected, StartLines(result.Serial));
    }

    private static List<string> StartLines(string output) =>
        SerialText.SplitLines(output).Where(l => l.StartsWith("start: ", StringComparison.Ordinal)).ToList();

    private static string RunOnLinux(string program, string argument0, string[] arguments, string[] environment)
    {
        var run = LinuxHost.Run(program, argument0, arguments, environment);
        Assert.True(run.ExitCode == 0, $"linux_start_test on Linux exited with {run.ExitCode}:\n{run.StandardOutput}{run.StandardError}");
        return run.StandardOutput;
    }
}
