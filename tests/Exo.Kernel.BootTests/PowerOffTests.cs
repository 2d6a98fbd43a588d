using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// reboot(2) from a Linux program: busybox's <c>poweroff -f</c> in the console's shell after a normal boot powers the
/// machine off (ACPI S5: QEMU ends with status 0), as on Linux.
/// </summary>
public sealed class PowerOffTests
{
    private readonly ITestOutputHelper _output;

    public PowerOffTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Busybox_poweroff_force_powers_the_machine_off()
    {
        await using var qemu = QemuRunner.Start(Boot.Kernel(commandLine: null));
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        await qemu.SendAsync("poweroff -f\r");
        var result = await qemu.WaitForExitAsync();
        Boot.LogRun(_output, result);
        Assert.True(result.ExitCode == ExitStatus.Shutdown,
            $"expected exit status 0 (ACPI S5) after 'poweroff -f', got {result.DescribeExit()}\n{SerialText.TailBlock(result.Serial)}");
        Assert.Contains("posix_x: reboot(2): powering off", result.Serial);
    }
}
