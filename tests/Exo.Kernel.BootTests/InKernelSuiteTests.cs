using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Boots the kernel with <c>test=&lt;suite&gt;</c> once per suite and checks the EXO-TEST report.
/// The in-kernel tests are only known after booting, so each suite is one xunit test; its output
/// lists every in-kernel test with outcome and time, and its failure message names the failures.
/// </summary>
public sealed class InKernelSuiteTests
{
    private readonly ITestOutputHelper _output;

    public InKernelSuiteTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [MemberData(nameof(KernelSuites.Names), MemberType = typeof(KernelSuites))]
    public Task Suite(string suite) => SuiteRunner.RunAsync(_output, suite, machine: "q35", memory: "256M");
}

/// <summary>The runtime suite on the other machine type and at the memory extremes the kernel supports.</summary>
public sealed class MachineVariantTests
{
    private readonly ITestOutputHelper _output;

    public MachineVariantTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("pc", "256M")]
    [InlineData("q35", "128M")]
    [InlineData("q35", "4G")]
    [InlineData("pc", "128M")]
    [InlineData("pc", "4G")]
    public Task Runtime_suite(string machine, string memory) =>
        SuiteRunner.RunAsync(_output, "runtime", machine, memory);
}

internal static class SuiteRunner
{
    public static async Task RunAsync(ITestOutputHelper output, string suite, string machine, string memory, int processors = 1)
    {
        // The ipc suite pushes two million messages; with four virtual processors on two host cores it needs longer
        // (96 to 145 s alone on such a machine since hand-off targets share their caller's slice; more on a loaded one).
        var options = Boot.Kernel($"test={suite}", machine, memory) with { Smp = processors };
        if (suite == "ipc")
            options = options with { Timeout = options.Timeout * 5 };
        var result = await QemuRunner.RunAsync(options);
        var verdict = TestReportParser.Evaluate(result, new[] { suite });

        Boot.LogRun(output, result);
        output.WriteLine(verdict.Report.FormatTable());
        Boot.RecordSkips(output, verdict, $"{suite} suite on {machine}, {memory}, {processors} processor(s)");
        if (!verdict.Success)
        {
            foreach (var p in verdict.Problems)
                output.WriteLine("problem: " + p);
            Boot.LogSerial(output, result.Serial);
        }

        Assert.True(verdict.Success, $"suite '{suite}' on {machine} with {memory}: " + verdict.FailureMessage);
    }
}

/// <summary>
/// Machines with more than one CPU: the smp suite (processors start, answer interrupts) and the scheduler
/// suite (threads on every processor) run with 2 and 4. Each vCPU is a host thread; on a 2-core machine a
/// vCPU can spin on a lock whose holder the host has descheduled, so this collection runs alone.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class MultiprocessorMachineTests
{
    private readonly ITestOutputHelper _output;

    public MultiprocessorMachineTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public Task Scheduler_suite(int processors) =>
        SuiteRunner.RunAsync(_output, "scheduler", "q35", "256M", processors);

    // Calls between processes on several processors: the fast path's hand-off, the callers' queue, migrations.
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public Task Ipc_suite(int processors) =>
        SuiteRunner.RunAsync(_output, "ipc", "q35", "256M", processors);

    // A port capability revoked while its holder runs on the other processor: the revocation rewrites that
    // processor's TSS bitmap at once (driver_test's check 71 fails at 2 processors without it).
    [Fact]
    public Task Drivers_suite_two_processors() =>
        SuiteRunner.RunAsync(_output, "drivers", "q35", "256M", 2);

    // Processes, threads and kill on several processors: kill_test's victims start on the other processor,
    // threads_test's threads run on both (make soak SUITE=processes SMP=2 RUNS=100 for the rare interleavings).
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public Task Processes_suite(int processors) =>
        SuiteRunner.RunAsync(_output, "processes", "q35", "256M", processors);

    [Theory]
    [InlineData("q35", 2)]
    [InlineData("q35", 4)]
    [InlineData("pc", 4)]
    public Task Smp_suite(string machine, int processors) =>
        SuiteRunner.RunAsync(_output, "smp", machine, "256M", processors);
}

/// <summary>Runs with no other test collection at the same time (see <see cref="MultiprocessorMachineTests"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiprocessorCollection
{
    public const string Name = "multiprocessor";
}
