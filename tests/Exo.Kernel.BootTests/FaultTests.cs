using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Deliberate faults (<c>test=fault_page</c>, <c>test=fault_panic</c>) must produce a complete
/// EXO-PANIC report and exit status 65.
/// </summary>
public sealed class FaultTests
{
    private readonly ITestOutputHelper _output;

    public FaultTests(ITestOutputHelper output) => _output = output;

    // A register name and, later on the same line, a hex value (0x-prefixed, or 8 to 16 hex digits):
    // accepts "RIP=0x...", "RIP 0x...", "faulting address (cr2) 0x...".
    private static Regex Register(string name) =>
        new($@"\b{name}\b[^\n]*?(0x[0-9a-f]+|\b[0-9a-f]{{8,16}}\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    [Fact]
    public async Task Page_fault_is_reported_with_address_and_registers()
    {
        var (result, panic) = await BootToPanicAsync("test=fault_page");
        var text = panic.FullText;

        Assert.True(text.Contains("page fault", StringComparison.OrdinalIgnoreCase),
            $"panic report does not say 'page fault':\n{panic}");
        Assert.True(Register("CR2").IsMatch(text), $"panic report has no faulting address (CR2) in hex:\n{panic}");
        Assert.True(Register("RIP").IsMatch(text), $"panic report has no 'RIP=0x...':\n{panic}");
        Assert.True(Register("RSP").IsMatch(text), $"panic report has no 'RSP=0x...':\n{panic}");
        AssertPanicExit(result);
    }

    [Fact]
    public async Task Managed_exception_is_reported_with_type_and_message()
    {
        var (result, panic) = await BootToPanicAsync("test=fault_panic");
        var text = panic.FullText;

        Assert.True(text.Contains("InvalidOperationException", StringComparison.Ordinal),
            $"panic report does not name the exception type InvalidOperationException:\n{panic}");
        Assert.True(text.Contains("deliberate", StringComparison.Ordinal),
            $"panic report does not carry the exception message 'deliberate':\n{panic}");
        AssertPanicExit(result);
    }

    [Fact]
    public async Task Double_free_is_reported_with_the_address()
    {
        var (result, panic) = await BootToPanicAsync("test=fault_double_free");
        var text = panic.FullText;
        var announced = Regex.Match(result.Serial, @"double free of (0x[0-9a-f]+)");
        Assert.True(announced.Success, $"the kernel did not say which block it frees twice\n{SerialText.TailBlock(result.Serial)}");
        Assert.True(text.Contains("double free", StringComparison.Ordinal), $"panic report does not say 'double free':\n{panic}");
        Assert.True(text.Contains(announced.Groups[1].Value, StringComparison.Ordinal),
            $"panic report does not name the address {announced.Groups[1].Value}:\n{panic}");
        // The caller may be inlined into its own caller; the backtrace must name kernel code either way.
        Assert.True(Regex.IsMatch(text, @"#\d+ 0x[0-9a-f]+ <Exo_Kernel_"), $"panic backtrace names no kernel function:\n{panic}");
        AssertPanicExit(result);
    }

    [Fact]
    public async Task Lock_order_inversion_is_reported_with_both_locks()
    {
        var (result, panic) = await BootToPanicAsync("test=fault_lock_order");
        Assert.Contains("lock order: lock order inverted: taking process registry while holding console output", result.Serial,
            StringComparison.Ordinal);
        Assert.True(panic.FullText.Contains("lock order", StringComparison.Ordinal), $"panic report does not say 'lock order':\n{panic}");
        Assert.DoesNotContain("lock order inversion not detected", result.Serial, StringComparison.Ordinal);
        AssertPanicExit(result);
    }

    private async Task<(QemuResult, PanicReport)> BootToPanicAsync(string commandLine)
    {
        var result = await QemuRunner.RunAsync(Boot.Kernel(commandLine));
        Boot.LogRun(_output, result);
        Boot.LogSerial(_output, result.Serial);

        Assert.False(result.TimedOut, $"'{commandLine}': {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
        var panic = PanicReportParser.Parse(result.Serial);
        Assert.True(panic is not null, $"'{commandLine}': no EXO-PANIC report\n{SerialText.TailBlock(result.Serial)}");
        Assert.True(panic!.Complete, $"'{commandLine}': panic report has no EXO-PANIC-END\n{SerialText.TailBlock(result.Serial)}");
        return (result, panic);
    }

    private static void AssertPanicExit(QemuResult result) =>
        Assert.True(result.ExitCode == ExitStatus.Panic,
            $"expected exit status 65 after the panic report, got {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
}
