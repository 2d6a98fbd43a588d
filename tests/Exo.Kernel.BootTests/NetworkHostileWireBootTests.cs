using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The network service over a hostile wire: the guest's card is joined to QEMU's user network (the host's TCP) through
/// <see cref="HostileWireRelay"/>, which drops, duplicates, reorders, delays and corrupts frames, and injects malformed
/// ones. TCP must still deliver every byte in order both ways (busybox wget and tcp_clients, checked by SHA-256), and after
/// malformed frames, a SYN flood and a peer that holds a zero window forever, netstack must still run (the same process,
/// never started again), within its memory bound, with a transfer that was going on meanwhile arriving whole and new
/// connections working both ways.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class NetworkHostileWireBootTests
{
    private const string Configured = "netstack: net0: 10.0.2.15/24 gateway 10.0.2.2 dns 10.0.2.3 (DHCP)";
    private const ushort GuestHttpPort = 8080;
    private static readonly IPAddress Guest = IPAddress.Parse("10.0.2.15");
    private static readonly IPAddress Gateway = IPAddress.Parse("10.0.2.2");

    /// <summary>
    /// netstack's memory bound, in pages: everything it maps is fixed at start (the stack's workspace, about 1.7 MiB;
    /// TCP's table and buffers, 16 MiB; the channels and its image), so whatever the wire sends, its mapped pages stay
    /// under 24 MiB.
    /// </summary>
    private const ulong NetstackPageBound = (24UL << 20) / 4096;

    /// <summary>The wire of the transfer tests: rates per frame, each direction.</summary>
    private static readonly WireImpairment Lossy = new()
    {
        DropRate = 0.03,
        DuplicateRate = 0.02,
        ReorderRate = 0.03,
        CorruptRate = 0.01,
        Delay = TimeSpan.FromMilliseconds(1),
        Jitter = TimeSpan.FromMilliseconds(2),
    };

    private readonly ITestOutputHelper _output;

    public NetworkHostileWireBootTests(ITestOutputHelper output) => _output = output;

    private static int FreeHostPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A guest booted to its prompt and configured by DHCP over a clean wire, its card on the relay.</summary>
    private static async Task<QemuSession> BootAsync(int processors, HostileWireRelay relay)
    {
        string[] arguments =
        {
            "-netdev", $"socket,id=n0,connect=127.0.0.1:{relay.GuestPort}",
            "-device", "virtio-net-pci,netdev=n0",
        };
        var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = TimeSpan.FromMinutes(15), ExtraArgs = arguments });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        await ConsoleCommands.WaitForTextAsync(qemu, 0, Configured);
        return qemu;
    }

    private async Task<List<string>> RunAsync(QemuSession qemu, string command, TimeSpan? timeout = null)
        => (await ConsoleCommands.RunAsync(qemu, _output, command, timeout))
            .Where(line => !line.StartsWith(ExoOsProgramRunner.KernelNotePrefix, StringComparison.Ordinal)).ToList();

    /// <summary>netstack's process id and mapped pages, from the kernel monitor's ps.</summary>
    private async Task<(string Pid, ulong Pages)> NetstackAsync(QemuSession qemu)
    {
        string ps = await ConsoleCommands.RunInMonitorAsync(qemu, "ps");
        var match = Regex.Match(ps, @"(?m)^\s*(\d+)\s+running\s+(\d+)\s+\d+\s+netstack\s*$");
        Assert.True(match.Success, $"netstack is not running:\n{ps}");
        _output.WriteLine($"netstack: pid {match.Groups[1].Value}, {match.Groups[2].Value} pages");
        return (match.Groups[1].Value, ulong.Parse(match.Groups[2].Value));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Tcp_delivers_every_byte_in_order_both_ways_over_a_lossy_wire(int processors)
    {
        // Smaller down than up: slirp's TCP (4.4BSD: Reno, no SACK, a 1 s minimum RTO) sends the download and recovers
        // from most losses by timeout, about 20 KB/s on this wire; the guest's NewReno sends the upload ten times faster.
        const long downloadBytes = 2L << 20, uploadBytes = 4L << 20;
        await using var server = new NetworkHostServer();
        await using var relay = new HostileWireRelay(WireImpairment.None);
        await using var peer = new SlirpPeer(relay.PeerPort, FreeHostPort(), GuestHttpPort);
        await using var qemu = await BootAsync(processors, relay);
        try
        {
            relay.Impairment = Lossy;
            _output.WriteLine($"the wire: {Lossy}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(new[] { $"{NetworkHostServer.PatternHash(downloadBytes)}  -" },
                await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/pattern/{downloadBytes} | sha256sum", TimeSpan.FromMinutes(8)));
            _output.WriteLine($"the download took {clock.Elapsed.TotalSeconds:F1} s");
            clock.Restart();
            Assert.Equal(new[] { $"the server received: {NetworkHostServer.PatternHash(uploadBytes)}" },
                await RunAsync(qemu, $"/exo/bin/tcp_clients upload 10.0.2.2 {server.Port} {uploadBytes}", TimeSpan.FromMinutes(8)));
            _output.WriteLine($"the upload took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(new[] { "10 connections at once: 10 answered" },
                await RunAsync(qemu, $"/exo/bin/tcp_clients many 10.0.2.2 {server.Port} 10", TimeSpan.FromMinutes(5)));
        }
        finally
        {
            _output.WriteLine($"relay: {relay.Summary}");
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (int attempt = 0; attempt < 300 && !condition(); attempt++)
            await Task.Delay(100);
        Assert.True(condition(), $"never saw {what}");
    }

    /// <summary>The latest frame the guest sent in one TCP connection: its port, sequence and acknowledgment numbers.</summary>
    private sealed class HeldFlow
    {
        private (ushort Port, uint Sequence, uint Acknowledgment)? _latest;

        public bool Seen { get { lock (this) return _latest != null; } }

        public (ushort Port, uint Sequence, uint Acknowledgment) Latest { get { lock (this) return _latest!.Value; } }

        public void Saw(ushort port, uint sequence, uint acknowledgment)
        {
            lock (this)
                _latest = (port, sequence, acknowledgment);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_service_survives_malformed_frames_a_syn_flood_and_a_zero_window_peer(int processors)
    {
        const long bytes = 8L << 20;
        const int FloodSyns = 5000;
        await using var server = new NetworkHostServer();
        await using var relay = new HostileWireRelay(WireImpairment.None);
        int forwarded = FreeHostPort();
        await using var peer = new SlirpPeer(relay.PeerPort, forwarded, GuestHttpPort);
        // The zero-window peer: accepts, never reads (its receive buffer as small as Linux allows).
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Server.ReceiveBufferSize = 4096;
        holder.Start();
        var held = new List<TcpClient>();
        var holding = Task.Run(async () =>
        {
            try
            {
                while (true)
                    held.Add(await holder.AcceptTcpClientAsync());
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        });
        await using var qemu = await BootAsync(processors, relay);
        try
        {
            var before = await NetstackAsync(qemu);
            int since = qemu.Serial.Length;
            Assert.True(before.Pages <= NetstackPageBound, $"netstack maps {before.Pages} pages at start, over its bound of {NetstackPageBound}");
            await RunAsync(qemu, $"mkdir -p /tmp/www && echo hello from exo-os > /tmp/www/index.html && httpd -p {GuestHttpPort} -h /tmp/www");

            // A sender stuck on the zero window (its frames watched), and a download going on through everything that follows.
            int holderPort = ((IPEndPoint)holder.LocalEndpoint).Port;
            var stuck = new HeldFlow();
            relay.Watch = frame =>
            {
                if (HostileFrames.TryReadTcp(frame, out var destination, out ushort from, out ushort to, out uint sequence, out uint acknowledgment)
                    && destination.Equals(Gateway) && to == holderPort)
                    stuck.Saw(from, sequence, acknowledgment);
            };
            await RunAsync(qemu, $"(/exo/bin/tcp_clients upload 10.0.2.2 {holderPort} 100000000 > /tmp/held.txt 2>&1 &) ; true");
            await RunAsync(qemu, $"(wget -q -O - http://10.0.2.2:{server.Port}/pattern/{bytes} | sha256sum > /tmp/during.sha256) & true");

            // Malformed frames, from the gateway's addresses.
            var random = new Random(20261203);
            byte[] guestMac = relay.GuestAddress!, peerMac = relay.PeerAddress!;
            var malformed = HostileFrames.Malformed(guestMac, peerMac, Gateway, Guest, GuestHttpPort, random);
            foreach (var (what, frame) in malformed)
            {
                relay.InjectToGuest(frame);
                await Task.Delay(2);
            }
            _output.WriteLine($"injected {malformed.Count} malformed frames");

            // Into the stuck connection: data where the guest expects it, under a bad TCP or IP header checksum (200 bytes
            // each), must be refused; then good data (100 bytes) is taken, which the guest's acknowledgment shows.
            await WaitUntilAsync(() => stuck.Seen && stuck.Latest.Acknowledgment != 0, "the guest's upload to the zero-window peer");
            await Task.Delay(TimeSpan.FromSeconds(2));   // its window closing
            var (guestPort, guestSequence, expected) = stuck.Latest;
            byte[] Into(uint sequence, byte flags, ReadOnlySpan<byte> options, int length) => HostileFrames.TcpFrame(guestMac, peerMac, Gateway,
                (ushort)holderPort, Guest, guestPort, sequence, guestSequence, flags, 0, options, new byte[length]);
            var badTcpSum = Into(expected, HostileFrames.Ack, default, 200);
            badTcpSum[14 + 20 + 16] ^= 0x21;
            var badIpSum = Into(expected, HostileFrames.Ack, default, 200);
            badIpSum[14 + 10] ^= 0x21;
            relay.InjectToGuest(badTcpSum);
            relay.InjectToGuest(badIpSum);
            await Task.Delay(TimeSpan.FromSeconds(1));
            relay.InjectToGuest(Into(expected, HostileFrames.Ack, default, 100));
            await WaitUntilAsync(() => stuck.Latest.Acknowledgment != expected, "the guest's acknowledgment of the good data");
            Assert.Equal(expected + 100, stuck.Latest.Acknowledgment);
            // Then acknowledgments with SACK blocks that make no sense, one far ahead, a SYN and a FIN out of the window.
            for (int i = 0; i < 50; i++)
            {
                var blocks = new byte[2 + 32];
                blocks[0] = 5;
                blocks[1] = (byte)blocks.Length;
                random.NextBytes(blocks.AsSpan(2));
                relay.InjectToGuest(Into(expected + 100, HostileFrames.Ack, blocks, 0));
            }
            relay.InjectToGuest(HostileFrames.TcpFrame(guestMac, peerMac, Gateway, (ushort)holderPort, Guest, guestPort, expected + 100,
                guestSequence + 0x7000_0000, HostileFrames.Ack, 0, default, default));
            relay.InjectToGuest(Into(expected + 100, HostileFrames.Syn, default, 0));
            relay.InjectToGuest(Into(expected + 0x4000_0000, HostileFrames.Ack | 0x01, default, 10));

            // A SYN flood on the guest's httpd from addresses that do not exist (198.18.0.0/15; their answers vanish).
            relay.Swallow = frame => frame.Length >= 34 && frame[12] == 0x08 && frame[13] == 0x00 && frame[30] == 198 && (frame[31] & 0xFE) == 18;
            for (int i = 0; i < FloodSyns; i++)
            {
                var source = new IPAddress(new byte[] { 198, (byte)(18 + (i >> 16 & 1)), (byte)(i >> 8), (byte)i });
                relay.InjectToGuest(HostileFrames.SynFrame(guestMac, peerMac, source, (ushort)random.Next(1024, 65535), Guest, GuestHttpPort, (uint)random.Next()));
                if (i % 100 == 99)
                    await Task.Delay(10);
            }
            _output.WriteLine($"injected {FloodSyns} SYNs");

            // The service is the same process, within its bound; the download arrived whole; new connections work both ways.
            Assert.Equal(new[] { $"{NetworkHostServer.PatternHash(bytes)}  -" },
                await RunAsync(qemu, "wait; cat /tmp/during.sha256", TimeSpan.FromMinutes(8)));
            Assert.Equal(new[] { "hello from the host" }, await RunAsync(qemu, $"wget -q -O - http://10.0.2.2:{server.Port}/small"));
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) })
                Assert.Equal("hello from exo-os\n", await http.GetStringAsync($"http://127.0.0.1:{forwarded}/index.html"));
            Assert.Equal(new[] { "10 connections at once: 10 answered" },
                await RunAsync(qemu, $"/exo/bin/tcp_clients many 10.0.2.2 {server.Port} 10", TimeSpan.FromMinutes(5)));
            Assert.Single(held);
            Assert.Empty(await RunAsync(qemu, "cat /tmp/held.txt"));   // still sending into the zero window
            var after = await NetstackAsync(qemu);
            Assert.Equal(before.Pid, after.Pid);
            Assert.True(after.Pages <= NetstackPageBound, $"netstack maps {after.Pages} pages, over its bound of {NetstackPageBound}");
            Assert.DoesNotContain("devices: started netstack", qemu.Serial[since..], StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
            await holding;
            foreach (var client in held)
                client.Dispose();
            _output.WriteLine($"relay: {relay.Summary}");
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
