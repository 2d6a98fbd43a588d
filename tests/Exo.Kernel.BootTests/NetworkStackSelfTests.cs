using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The network stack library (userland/services/network/stack) in ring 3 under Exo.Runtime: netstack_selftest pings
/// over loopback, reassembles a 20,000-byte UDP datagram and answers ARP and echo request frames from a simulated link.
/// The host tests cover the protocols; this checks that the same code runs without a garbage collector in the guest.
/// </summary>
public sealed class NetworkStackSelfTests
{
    private readonly ITestOutputHelper _output;

    public NetworkStackSelfTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task The_stack_runs_in_ring_3()
    {
        await using var shell = await ShellSession.BootAsync(_output);
        var response = await shell.RunAsync("run netstack_selftest");
        Assert.Contains("netstack_selftest: ok", response, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", response, StringComparison.Ordinal);
        Assert.Matches(@"process \d+ exited with status 0", response);
    }
}
