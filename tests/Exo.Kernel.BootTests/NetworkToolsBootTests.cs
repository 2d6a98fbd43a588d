using System.Net;
using System.Net.Sockets;
using System.Text;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Debian's busybox network tools on Exo-OS, on QEMU's user network (slirp: gateway 10.0.2.2, resolver 10.0.2.3, the
/// guest 10.0.2.15/24 by DHCP): ping through a raw ICMP socket (the gateway answers echo; loopback; an address nobody
/// has times out), ifconfig and route (ioctls and /proc/net/route), ip (netlink), nslookup through slirp's resolver,
/// and nc and telnet to a server of this test on the host.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class NetworkToolsBootTests
{
    private const string Configured = "netstack: net0: 10.0.2.15/24 gateway 10.0.2.2 dns 10.0.2.3 (DHCP)";
    private readonly ITestOutputHelper _output;

    public NetworkToolsBootTests(ITestOutputHelper output) => _output = output;

    private static async Task<QemuSession> BootAsync(int processors)
    {
        string[] arguments = { "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0" };
        var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = TimeSpan.FromMinutes(10), ExtraArgs = arguments });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        await ConsoleCommands.WaitForTextAsync(qemu, 0, Configured);
        return qemu;
    }

    private async Task<List<string>> RunAsync(QemuSession qemu, string command, TimeSpan? timeout = null)
        => (await ConsoleCommands.RunAsync(qemu, _output, command, timeout))
            .Where(line => !line.StartsWith(ExoOsProgramRunner.KernelNotePrefix, StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Ping_answers_from_the_gateway_and_loopback_and_times_out_on_silence(int processors)
    {
        await using var qemu = await BootAsync(processors);
        try
        {
            var gateway = await RunAsync(qemu, "ping -c 3 10.0.2.2; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Equal("PING 10.0.2.2 (10.0.2.2): 56 data bytes", gateway[0]);
            Assert.Equal(3, gateway.Count(line => line.StartsWith("64 bytes from 10.0.2.2: seq=", StringComparison.Ordinal) && line.Contains(" ttl=")));
            Assert.Contains("3 packets transmitted, 3 packets received, 0% packet loss", gateway);
            Assert.Equal("status 0", gateway[^1]);

            var loopback = await RunAsync(qemu, "ping -c 2 127.0.0.1; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Equal(2, loopback.Count(line => line.StartsWith("64 bytes from 127.0.0.1: seq=", StringComparison.Ordinal) && line.Contains(" ttl=64 ")));
            Assert.Contains("2 packets transmitted, 2 packets received, 0% packet loss", loopback);
            Assert.Equal("status 0", loopback[^1]);

            // Nobody has 10.0.2.99: ARP gives up, nothing answers, and -W 1 ends the wait.
            var silence = await RunAsync(qemu, "ping -c 1 -W 1 10.0.2.99; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Contains("1 packets transmitted, 0 packets received, 100% packet loss", silence);
            Assert.Equal("status 1", silence[^1]);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
