using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The network service end to end: normal boots with a virtio-net card on QEMU's user network, where the device manager
/// starts virtio_net and netstack (userland/config/init.conf), netstack takes its address by DHCP and offers the socket
/// protocol to the kernel, and Linux programs use AF_INET sockets through POSIX-X. The differential program inetsockets
/// (TCP and UDP over loopback) must print what it prints on this machine's Linux; Debian's busybox wget fetches from a
/// server of this test on the host (through slirp's 10.0.2.2), also 8 MiB checked by SHA-256; tcp_clients opens 100
/// connections at once and sends 100 MiB, wget fetches 100 MiB (SHA-256 both ways), 100 UDP datagrams are echoed by the
/// host; the host fetches a page
/// from busybox httpd in the guest through a forwarded port; a driver killed in the middle of a 100 MiB download is
/// started again under the same netstack, which resets the card's channel and goes on, and the download arrives whole; killing netstack fails its sockets and the device manager starts it
/// again, after which new connections work.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class NetworkServiceBootTests
{
    private const string Configured = "netstack: net0: 10.0.2.15/24 gateway 10.0.2.2 dns 10.0.2.3 (DHCP)";
    private const int GuestHttpPort = 8080;
    private readonly ITestOutputHelper _output;

    public NetworkServiceBootTests(ITestOutputHelper output) => _output = output;

    private static int FreeHostPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<QemuSession> BootAsync(int processors, int forwardedPort)
    {
        string[] arguments =
        {
            "-netdev", $"user,id=n0,hostfwd=tcp:127.0.0.1:{forwardedPort}-:{GuestHttpPort}",
            "-device", "virtio-net-pci,netdev=n0",
        };
        var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = TimeSpan.FromMinutes(15), ExtraArgs = arguments });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        await ConsoleCommands.WaitForTextAsync(qemu, 0, Configured);
        return qemu;
    }

    /// <summary>The lines a guest command printed, without the kernel's own notes that may land among them.</summary>
    private async Task<List<string>> RunAsync(QemuSession qemu, string command, TimeSpan? timeout = null)
        => (await ConsoleCommands.RunAsync(qemu, _output, command, timeout))
            .Where(line => !line.StartsWith(ExoOsProgramRunner.KernelNotePrefix, StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Inetsockets_prints_what_it_prints_on_linux(int processors)
    {
        string binary = ExoPaths.RequireLinuxProgram("inetsockets");
        var linux = LinuxHost.Run(binary, "inetsockets", Array.Empty<string>(), Array.Empty<string>());
        Assert.Equal(0, linux.ExitCode);
        var expected = linux.Lines.Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.DoesNotContain(expected, line => line.EndsWith(": no", StringComparison.Ordinal));

        await using var qemu = await BootAsync(processors, FreeHostPort());
        try
        {
            var lines = await RunAsync(qemu, "/exo/bin/inetsockets", TimeSpan.FromMinutes(5));
            Assert.Equal(expected, lines);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_hundred_connections_at_once_100_MiB_each_way_and_udp_echo(int processors)
    {
        await using var server = new NetworkHostServer();
        await using var qemu = await BootAsync(processors, FreeHostPort());
        try
        {
            Assert.Equal(new[] { "100 connections at once: 100 answered" },
                await RunAsync(qemu, $"/exo/bin/tcp_clients many 10.0.2.2 {server.Port} 100", TimeSpan.FromMinutes(5)));
            string expected = NetworkHostServer.PatternHash(NetworkHostServer.HugeBytes);
            Assert.Equal(new[] { $"the server received: {expected}" },
                await RunAsync(qemu, $"/exo/bin/tcp_clients upload 10.0.2.2 {server.Port} {NetworkHostServer.HugeBytes}", TimeSpan.FromMinutes(15)));
            Assert.Equal(new[] { $"{expected}  -" },
                await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/huge | sha256sum", TimeSpan.FromMinutes(15)));

            // UDP echo with a server on the host (through slirp: a datagram socket of its own).
            using var echo = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            using var stopEcho = new CancellationTokenSource();
            var echoing = Task.Run(async () =>
            {
                while (!stopEcho.IsCancellationRequested)
                {
                    UdpReceiveResult datagram;
                    try { datagram = await echo.ReceiveAsync(stopEcho.Token); }
                    catch (OperationCanceledException) { return; }
                    await echo.SendAsync(datagram.Buffer, datagram.RemoteEndPoint);
                }
            });
            int echoPort = ((IPEndPoint)echo.Client.LocalEndPoint!).Port;
            Assert.Equal(new[] { "100 datagrams: 100 echoed" }, await RunAsync(qemu, $"/exo/bin/tcp_clients udp 10.0.2.2 {echoPort} 100"));
            stopEcho.Cancel();
            await echoing;
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Busybox_wget_fetches_from_the_host_and_the_host_fetches_from_busybox_httpd(int processors)
    {
        await using var server = new NetworkHostServer();
        int forwarded = FreeHostPort();
        await using var qemu = await BootAsync(processors, forwarded);
        try
        {
            // Guest to host, through the gateway (slirp's 10.0.2.2 is the host's loopback).
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
            string expectedHash = Convert.ToHexString(SHA256.HashData(NetworkHostServer.Big)).ToLowerInvariant();
            var hash = await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/big | sha256sum", TimeSpan.FromMinutes(8));
            Assert.Equal(new[] { $"{expectedHash}  -" }, hash);

            // Host to guest: busybox httpd on the forwarded port.
            await RunAsync(qemu, $"mkdir -p /tmp/www && echo hello from exo-os > /tmp/www/index.html && httpd -p {GuestHttpPort} -h /tmp/www");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            string page = await http.GetStringAsync($"http://127.0.0.1:{forwarded}/index.html");
            Assert.Equal("hello from exo-os\n", page);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_killed_driver_is_started_again_under_the_same_service_and_connections_work()
    {
        await using var server = new NetworkHostServer();
        await using var qemu = await BootAsync(2, FreeHostPort());
        try
        {
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
            // 100 MiB on its way while the driver is killed: TCP carries it over the restart (the frames lost in between
            // are sent again), and the data arrives whole.
            await RunAsync(qemu, $"(wget -q -O - http://10.0.2.2:{server.Port}/huge | sha256sum > /tmp/huge.sha256) & true");
            await Task.Delay(TimeSpan.FromSeconds(2));
            int since = qemu.Serial.Length;
            await ConsoleCommands.KillFromMonitorAsync(qemu, "virtio_net");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "netstack: net0: the driver is gone; the channel is reset for the next one");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "netstack: net0: a new driver is ready");
            Assert.DoesNotContain("devices: started netstack", qemu.Serial[since..], StringComparison.Ordinal);   // the same service
            Assert.Equal(new[] { $"{NetworkHostServer.PatternHash(NetworkHostServer.HugeBytes)}  -" },
                await RunAsync(qemu, "wait; cat /tmp/huge.sha256", TimeSpan.FromMinutes(10)));
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_killed_network_service_is_started_again_and_new_connections_work()
    {
        await using var server = new NetworkHostServer();
        await using var qemu = await BootAsync(2, FreeHostPort());
        try
        {
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
            int since = qemu.Serial.Length;
            await ConsoleCommands.KillFromMonitorAsync(qemu, "netstack");
            await ConsoleCommands.WaitForTextAsync(qemu, since, Configured);   // the pair started again, DHCP again
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
