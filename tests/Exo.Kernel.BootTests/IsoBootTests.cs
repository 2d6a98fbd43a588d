using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The `make run` path: GRUB loads the kernel ELF through multiboot2 (with the framebuffer request), and the
/// shell comes up on the serial console.
/// </summary>
public sealed class IsoBootTests
{
    private readonly ITestOutputHelper _output;

    public IsoBootTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Grub_iso_boots_to_the_shell_and_shuts_down()
    {
        await using var shell = await ShellSession.BootIsoAsync(_output);
        var memory = await shell.RunAsync("mem");
        Assert.Contains("physical", memory, StringComparison.Ordinal);
        var result = await shell.RunToExitAsync("shutdown");
        Assert.True(result.ExitCode == ExitStatus.Shutdown,
            $"expected exit status 0 (ACPI S5) after 'shutdown', got {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
    }
}
