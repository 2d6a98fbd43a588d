using System.Net;
using System.Net.Sockets;
using System.Text;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Debian's busybox network tools on Exo-OS, on QEMU's user network (slirp: gateway 10.0.2.2, resolver 10.0.2.3, the
/// guest 10.0.2.15/24 by DHCP): ping through a raw ICMP socket (the gateway answers echo; loopback; an address nobody
/// has times out), ifconfig and route (ioctls and /proc/net/route), ip (netlink), nslookup through slirp's resolver,
/// and nc and telnet to a server of this test on the host; /etc/resolv.conf names the DHCP lease's DNS server.
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
    /// <summary>The words of each line (runs of spaces and tabs fold), to compare tables without their column widths.</summary>
    private static List<string> Words(IEnumerable<string> lines)
        => lines.Select(line => string.Join(' ', line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))).ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Ifconfig_route_and_ip_show_the_dhcp_lease(int processors)
    {
        await using var qemu = await BootAsync(processors);
        try
        {
            var ifconfig = Words(await RunAsync(qemu, "ifconfig; echo status $?"));
            Assert.Contains("eth0 Link encap:Ethernet HWaddr 52:54:00:12:34:56", ifconfig);
            Assert.Contains("inet addr:10.0.2.15 Bcast:10.0.2.255 Mask:255.255.255.0", ifconfig);
            Assert.Contains("UP BROADCAST RUNNING MULTICAST MTU:1500 Metric:1", ifconfig);
            Assert.Contains("lo Link encap:Local Loopback", ifconfig);
            Assert.Contains("inet addr:127.0.0.1 Mask:255.0.0.0", ifconfig);
            Assert.Contains("UP LOOPBACK RUNNING MTU:65536 Metric:1", ifconfig);
            Assert.Equal("status 0", ifconfig[^1]);
            // Changing an interface is refused honestly (root: EOPNOTSUPP); an unknown one is ENODEV.
            var set = await RunAsync(qemu, "ifconfig eth0 10.0.2.16; echo status $?; ifconfig nosuch; echo status $?");
            Assert.Contains(set, line => line.Contains("Operation not supported", StringComparison.Ordinal));
            Assert.Contains(set, line => line.Contains("nosuch: error fetching interface information: Device not found", StringComparison.Ordinal));
            Assert.Equal(new[] { "status 1", "status 1" }, set.Where(line => line.StartsWith("status", StringComparison.Ordinal)));

            var route = Words(await RunAsync(qemu, "route -n; echo status $?"));
            Assert.Equal(new[]
            {
                "Kernel IP routing table",
                "Destination Gateway Genmask Flags Metric Ref Use Iface",
                "0.0.0.0 10.0.2.2 0.0.0.0 UG 0 0 0 eth0",
                "10.0.2.0 0.0.0.0 255.255.255.0 U 0 0 0 eth0",
                "status 0",
            }, route);

            var address = Words(await RunAsync(qemu, "ip addr; echo status $?"));
            Assert.Contains("inet 127.0.0.1/8 scope host lo", address);
            Assert.Contains("inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic eth0", address);   // a lease: not permanent
            Assert.Contains("link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff", address);
            Assert.Equal("status 0", address[^1]);
            var link = Words(await RunAsync(qemu, "ip link; echo status $?"));
            Assert.Contains(link, line => line.StartsWith("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536", StringComparison.Ordinal));
            Assert.Contains(link, line => line.StartsWith("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500", StringComparison.Ordinal));
            Assert.Equal("status 0", link[^1]);
            var routes = Words(await RunAsync(qemu, "ip route; echo status $?"));
            Assert.Equal(new[] { "default via 10.0.2.2 dev eth0", "10.0.2.0/24 dev eth0 scope link src 10.0.2.15", "status 0" }, routes);
            // A change through netlink is refused with the error ip prints.
            var change = await RunAsync(qemu, "ip addr add 10.0.2.99/24 dev eth0; echo status $?");
            Assert.Contains(change, line => line.Contains("Operation not supported", StringComparison.Ordinal));
            Assert.Equal("status 2", change[^1]);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Netinterfaces_prints_what_it_prints_on_linux(int processors)
    {
        string binary = ExoPaths.RequireLinuxProgram("netinterfaces");
        var linux = LinuxHost.Run(binary, "netinterfaces", Array.Empty<string>(), Array.Empty<string>());
        Assert.Equal(0, linux.ExitCode);
        var expected = linux.Lines.Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.DoesNotContain(expected, line => line.EndsWith(": no", StringComparison.Ordinal));

        await using var qemu = await BootAsync(processors);
        try
        {
            Assert.Equal(expected, await RunAsync(qemu, "/exo/bin/netinterfaces", TimeSpan.FromMinutes(2)));
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Nslookup_asks_qemu_s_resolver_and_nc_and_telnet_reach_a_host_server(int processors)
    {
        // slirp's resolver (10.0.2.3) forwards to this machine's: the guest must hear what the host hears for the name.
        string name = "example.com";
        string? hostAnswer = null;
        try
        {
            hostAnswer = (await Dns.GetHostAddressesAsync(name)).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)?.ToString();
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.HostNotFound)
        {
            hostAnswer = null;   // the host's resolver answers, without an address (an offline machine's NXDOMAIN)
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var qemu = await BootAsync(processors);
        try
        {
            // /etc/resolv.conf is the DHCP lease's (a link to /proc/posix_x/resolv.conf), which nslookup reads.
            Assert.Equal(new[] { "/proc/posix_x/resolv.conf", "nameserver 10.0.2.3" },
                await RunAsync(qemu, "readlink /etc/resolv.conf; grep -v '^#' /etc/resolv.conf"));
            var lookup = await RunAsync(qemu, $"nslookup {name}; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Equal("Server:\t\t10.0.2.3", lookup[0]);
            if (hostAnswer != null)
            {
                Assert.Contains(lookup, line => line == $"Address: {hostAnswer}" || line.StartsWith($"Address: {hostAnswer}", StringComparison.Ordinal));
                Assert.Equal("status 0", lookup[^1]);
            }
            else
            {
                // An answer came back through QEMU's resolver all the same: the name does not exist here.
                Assert.Contains($"** server can't find {name}: NXDOMAIN", lookup);
                Assert.Equal("status 1", lookup[^1]);
            }

            foreach (string command in new[] { "nc", "telnet" })
            {
                var accepting = listener.AcceptTcpClientAsync();
                var sending = RunAsync(qemu, $"echo hello from {command} | {command} 10.0.2.2 {port}; echo status $?", TimeSpan.FromMinutes(1));
                using var client = await accepting.WaitAsync(TimeSpan.FromMinutes(1));
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                string? line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
                Assert.Equal($"hello from {command}", line?.TrimEnd('\r'));
                client.Close();   // the tool ends when the server does
                var output = await sending;
                Assert.Contains("status 0", output);
            }
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
