using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Normal boots with QEMU user networking (-netdev user) on virtio-net cards: the device manager starts virtio_net for
/// each card with only its device's capabilities, and the client userland/config/network_test.conf names (virtio_net_test) with the card's
/// network-device channel. The client asks slirp's gateway 10.0.2.2 for its MAC by ARP, pings it, sends a burst of 600
/// echo requests (more than the 256-slot rings and the driver's 128 buffers each way) and checks every reply. Also: the
/// kernel's `pci` and /proc/bus/pci list the card; the link taken down and up (QEMU's set_link) reaches the driver by its
/// configuration-change interrupt and the client through the facts; two cards at once (a transitional one, a modern-only one); the driver
/// killed in the middle of the client's traffic (the same client told, resetting the channel and passing again with the
/// driver started again), then the client killed (its driver stopped, both started again with a fresh channel).
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class NetworkDeviceBootTests
{
    private const string GatewayMac = "52:55:0a:00:02:02";
    private readonly ITestOutputHelper _output;

    public NetworkDeviceBootTests(ITestOutputHelper output) => _output = output;

    /// <summary>QEMU arguments for one card per entry: a user network each, the card's MAC, and whether it is modern only.</summary>
    private static string[] Cards(params (string Mac, bool ModernOnly)[] cards)
    {
        var arguments = new List<string>();
        for (int i = 0; i < cards.Length; i++)
        {
            arguments.Add("-netdev");
            arguments.Add($"user,id=n{i}");
            arguments.Add("-device");
            arguments.Add($"virtio-net-pci,netdev=n{i},mac={cards[i].Mac}{(cards[i].ModernOnly ? ",disable-legacy=on" : "")}");
        }
        return arguments.ToArray();
    }

    private static async Task<QemuSession> BootAsync(int processors, string[] arguments)
    {
        var qemu = QemuRunner.Start(Boot.Kernel("init=network_test.conf", "q35", "256M") with { Smp = processors, Timeout = TimeSpan.FromMinutes(10), ExtraArgs = arguments });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        return qemu;
    }

    /// <summary>The client's lines for card 'name' after 'since': its facts, then PASS for ARP, ping and the burst.</summary>
    private static async Task ExpectChecksPassAsync(QemuSession qemu, int since, string name, string mac)
    {
        await ConsoleCommands.WaitForTextAsync(qemu, since, $"virtio_net_test: {name}: all checks passed");
        string serial = qemu.Serial[since..];
        Assert.Contains($"virtio_net: {name} mac {mac}, link up", serial, StringComparison.Ordinal);
        Assert.Contains($"virtio_net_test: {name}: facts: mac {mac}, link up, mtu 1500", serial, StringComparison.Ordinal);
        Assert.Contains($"virtio_net_test: {name}: PASS arp: 10.0.2.2 is at {GatewayMac}", serial, StringComparison.Ordinal);
        Assert.Contains($"virtio_net_test: {name}: PASS ping: echo reply from 10.0.2.2", serial, StringComparison.Ordinal);
        Assert.Contains($"virtio_net_test: {name}: PASS burst: 600 echo requests through 256-slot rings, every reply back once", serial, StringComparison.Ordinal);
        Assert.DoesNotContain($"virtio_net_test: {name}: FAIL", serial, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_client_reaches_the_gateway_by_arp_and_ping_through_virtio_net(int processors)
    {
        // A second QEMU monitor on a socket of our own, for set_link (the harness's is off).
        string monitor = Path.Combine(Path.GetTempPath(), $"exo-net-{Guid.NewGuid():N}.sock");
        var arguments = Cards(("52:54:00:12:34:56", false)).Concat(new[] { "-monitor", $"unix:{monitor},server=on,wait=off" }).ToArray();
        await using var qemu = await BootAsync(processors, arguments);
        try
        {
            await ExpectChecksPassAsync(qemu, 0, "net0", "52:54:00:12:34:56");
            Assert.Contains("devices: 00:02.0 1af4:1000 class 020000", qemu.Serial, StringComparison.Ordinal);   // transitional, modern too
            Assert.Contains("devices: started virtio_net net0 00:02.0 4", qemu.Serial, StringComparison.Ordinal);   // BAR 1 holds the MSI-X table
            Assert.Contains("devices: started virtio_net_test net0", qemu.Serial, StringComparison.Ordinal);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "devices: 6 PCI functions, 1 drivers started");   // the manager's summary may come late
            await ConsoleCommands.ExpectAsync(qemu, _output, "grep 1af41000 /proc/bus/pci/devices", "0010\t1af41000\t0");
            string listing = await ConsoleCommands.RunInMonitorAsync(qemu, "pci");
            Assert.Contains("00:02.0 1af4:1000 class 020000", listing, StringComparison.Ordinal);
            Assert.Contains("msi-x", listing, StringComparison.Ordinal);

            // The link taken down and up again: the configuration-change interrupt, the facts, the client told.
            int since = qemu.Serial.Length;
            await QemuMonitorAsync(monitor, "set_link n0 off");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "virtio_net: net0 link down");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "virtio_net_test: net0: link down");
            since = qemu.Serial.Length;
            await QemuMonitorAsync(monitor, "set_link n0 on");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "virtio_net: net0 link up");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "virtio_net_test: net0: link up");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
            File.Delete(monitor);
        }
    }

    /// <summary>Types one command into the QEMU monitor listening on the socket 'path' and waits for its next prompt.</summary>
    private static async Task QemuMonitorAsync(string path, string command)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        var received = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        async Task WaitForPromptAsync(int prompts)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (received.ToString().Split("(qemu) ").Length - 1 < prompts)
            {
                int count = await stream.ReadAsync(buffer, limit.Token);
                if (count == 0)
                    throw new IOException("the QEMU monitor closed its socket");
                received.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, count));
            }
        }
        await WaitForPromptAsync(1);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\n"));
        await WaitForPromptAsync(2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Two_cards_each_get_their_driver_and_client(int processors)
    {
        await using var qemu = await BootAsync(processors, Cards(("52:54:00:12:34:56", false), ("52:54:00:ab:cd:ef", true)));
        try
        {
            await ExpectChecksPassAsync(qemu, 0, "net0", "52:54:00:12:34:56");
            await ExpectChecksPassAsync(qemu, 0, "net1", "52:54:00:ab:cd:ef");
            Assert.Contains("devices: 00:03.0 1af4:1041 class 020000", qemu.Serial, StringComparison.Ordinal);   // modern only
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "devices: 7 PCI functions, 2 drivers started");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_driver_killed_mid_traffic_is_started_again_and_the_client_goes_on(int processors)
    {
        await using var qemu = await BootAsync(processors, Cards(("52:54:00:12:34:56", false)));
        try
        {
            // The driver killed during the echoes: the client is told, resets the channel and passes again with the new driver.
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "virtio_net_test: net0: traffic started");
            int since = qemu.Serial.Length;
            await ConsoleCommands.KillFromMonitorAsync(qemu, "virtio_net");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: a virtio_net driver ended with status");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "virtio_net_test: net0: the driver is gone: the channel is dead");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "virtio_net_test: net0: channel reset for a new driver");
            string report = qemu.Serial[since..];
            Assert.Contains("bus mastering turned off", report, StringComparison.Ordinal);
            Assert.Contains("devices: told the client of net0 that its driver is gone", report, StringComparison.Ordinal);
            Assert.Contains("devices: restarting virtio_net for net0 (restart 1 of 3): its client keeps the channel", report, StringComparison.Ordinal);
            Assert.DoesNotContain("virtio_net_test: net0: traffic done", report, StringComparison.Ordinal);   // killed mid-traffic
            int reset = qemu.Serial.IndexOf("virtio_net_test: net0: channel reset for a new driver", since, StringComparison.Ordinal);
            await ExpectChecksPassAsync(qemu, reset, "net0", "52:54:00:12:34:56");
            Assert.DoesNotContain("devices: the client of net0", qemu.Serial, StringComparison.Ordinal);   // the same client throughout
            Assert.Single(Regex.Matches(qemu.Serial, "devices: started virtio_net_test net0"));
            Assert.Equal(2, Regex.Matches(qemu.Serial, "devices: started virtio_net net0 ").Count);

            // The client killed: the manager stops its driver and starts both again with a fresh channel.
            since = qemu.Serial.Length;
            await ConsoleCommands.KillFromMonitorAsync(qemu, "virtio_net_test");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: the client of net0 was killed");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: stopping virtio_net for net0: a new client gets a fresh channel");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: restarting virtio_net and its client for net0 (restart 2 of 3)");
            int restarted = qemu.Serial.IndexOf("devices: restarting virtio_net and its client for net0", since, StringComparison.Ordinal);
            await ExpectChecksPassAsync(qemu, restarted, "net0", "52:54:00:12:34:56");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
