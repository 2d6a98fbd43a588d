using System.Net;
using System.Net.Sockets;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// exo_std's native sockets (Exo.Std.Net, docs/network.md) in a normal boot with a virtio-net card on QEMU's user network:
/// socket_client_test claims a channel of its own from netstack and checks a refused connection, TCP and UDP over
/// loopback and 1 MiB echoed by a server of this test on the host (through slirp's 10.0.2.2). It runs more times than
/// netstack has native channels (NativeClients.MaximumClients), so a channel whose program ended must be reset and
/// offered again for the later runs to get one.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class NativeSocketBootTests
{
    private const string Configured = "netstack: net0: 10.0.2.15/24 gateway 10.0.2.2 dns 10.0.2.3 (DHCP)";
    /// <summary>More than netstack's pool of native channels (4).</summary>
    private const int Runs = 6;
    private readonly ITestOutputHelper _output;

    public NativeSocketBootTests(ITestOutputHelper output) => _output = output;

    /// <summary>Echoes every connection's bytes back, a task per connection.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        public long Echoed;

        public EchoServer()
        {
            _listener.Start(16);
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task ServeAsync()
        {
            var connections = new List<Task>();
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { break; }
                connections.Add(EchoAsync(client));
            }
            try { await Task.WhenAll(connections); } catch (Exception) { }
        }

        private async Task EchoAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[65536];
                    int count;
                    while ((count = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, count), _stop.Token);
                        Interlocked.Add(ref Echoed, count);
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _serving;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_native_program_has_sockets_of_its_own(int processors)
    {
        await using var server = new EchoServer();
        string[] arguments = { "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0" };
        await using var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = TimeSpan.FromMinutes(15), ExtraArgs = arguments });
        try
        {
            await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, Configured);
            for (int run = 0; run < Runs; run++)
            {
                string response = await ConsoleCommands.RunInMonitorAsync(qemu, $"run socket_client_test {server.Port}");
                _output.WriteLine(response);
                Assert.Contains("socket_client_test: connect to a closed port refused", response, StringComparison.Ordinal);
                Assert.Contains("socket_client_test: 1 MiB echoed by the host over TCP", response, StringComparison.Ordinal);
                Assert.Contains("socket_client_test: ok", response, StringComparison.Ordinal);
                Assert.DoesNotContain("FAILED", response, StringComparison.Ordinal);
                Assert.Matches(@"process \d+ exited with status 0", response);
            }
            Assert.Equal(Runs * (1L << 20), Interlocked.Read(ref server.Echoed));
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
