using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// init, the name service and restarts (kernel suite "init", configuration userland/config/init_test.conf):
/// besides the in-kernel verdict (every task init ran succeeded), what init and its programs report over the
/// serial port: the bad configuration line, the crash and the restart, arguments reaching a program.
/// Two processors: init, the name service, the echo service and the client run in parallel.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class InitTests
{
    private readonly ITestOutputHelper _output;

    public InitTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Init_starts_services_reports_a_crash_and_restarts_it(int processors)
    {
        var options = Boot.Kernel("test=init", "q35", "256M") with { Smp = processors };
        var result = await QemuRunner.RunAsync(options);
        var verdict = TestReportParser.Evaluate(result, new[] { "init" });
        Boot.LogRun(_output, result);
        _output.WriteLine(verdict.Report.FormatTable());
        Boot.RecordSkips(_output, verdict, $"init suite on q35, 256M, {processors} processor(s)");
        Boot.LogSerial(_output, result.Serial);
        Assert.True(verdict.Success, "suite 'init': " + verdict.FailureMessage);

        string[] expected =
        {
            "init: configuration line 7: unknown directive",
            "init: started the name service (names)",
            "init: started service echo (echo_service)",
            "init: service echo (echo_service) was ended by a fault (vector 14)",
            "init: restarting service echo (echo_service) (restart 1 of 2)",
            "init_client: the name service found, refused and removed as it should",
            "hello_cs: argument 2: argument-two",
            "init: every task has ended, 0 failed",
            "init: stopped service echo (echo_service) was killed",
            "init: the name service (names) was killed",
            "init: no configuration (the kernel grants it as a memory object)",
        };
        foreach (var line in expected)
            Assert.Contains(line, result.Serial, StringComparison.Ordinal);
        Assert.Matches(@"init_client: echo answered from pid (\d+), crashed, and answered again from pid (?!\1\b)\d+", result.Serial);
    }
}
