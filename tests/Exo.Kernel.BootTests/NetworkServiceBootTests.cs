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
/// server of this test on the host (through slirp's 10.0.2.2), also 8 MiB checked by SHA-256; the host fetches a page
/// from busybox httpd in the guest through a forwarded port; killing netstack fails its sockets and the device manager
/// starts it again, after which new connections work.
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

    /// <summary>A one-connection-at-a-time HTTP/1.0 server on the host's loopback: GET /small and GET /big (8 MiB).</summary>
    private sealed class HostServer : IAsyncDisposable
    {
        public static readonly byte[] Small = Encoding.ASCII.GetBytes("hello from the host\n");
        public static readonly byte[] Big = MakeBig();
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        public int Requests;

        public HostServer()
        {
            _listener.Start();
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private static byte[] MakeBig()
        {
            var data = new byte[8 << 20];
            new Random(20261203).NextBytes(data);
            return data;
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                catch (ObjectDisposedException) { return; }
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var request = new StringBuilder();
                        var buffer = new byte[1024];
                        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int count = await stream.ReadAsync(buffer, _stop.Token);
                            if (count == 0)
                                break;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, count));
                        }
                        Interlocked.Increment(ref Requests);
                        byte[] body = request.ToString().StartsWith("GET /big", StringComparison.Ordinal) ? Big : Small;
                        byte[] header = Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {body.Length}\r\nContent-Type: application/octet-stream\r\n\r\n");
                        await stream.WriteAsync(header, _stop.Token);
                        await stream.WriteAsync(body, _stop.Token);
                    }
                    catch (IOException) { }
                    catch (OperationCanceledException) { return; }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try { await _serving; } catch (Exception) { }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Busybox_wget_fetches_from_the_host_and_the_host_fetches_from_busybox_httpd(int processors)
    {
        await using var server = new HostServer();
        int forwarded = FreeHostPort();
        await using var qemu = await BootAsync(processors, forwarded);
        try
        {
            // Guest to host, through the gateway (slirp's 10.0.2.2 is the host's loopback).
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
            string expectedHash = Convert.ToHexString(SHA256.HashData(HostServer.Big)).ToLowerInvariant();
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
    public async Task A_killed_network_service_is_started_again_and_new_connections_work()
    {
        await using var server = new HostServer();
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
