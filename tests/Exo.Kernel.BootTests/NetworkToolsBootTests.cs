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
            // An unknown interface is ENODEV; a setting the service does not keep is refused honestly (root: EOPNOTSUPP).
            var set = await RunAsync(qemu, "ifconfig nosuch; echo status $?; ifconfig eth0 mtu 1400; echo status $?");
            Assert.Contains(set, line => line.Contains("nosuch: error fetching interface information: Device not found", StringComparison.Ordinal));
            Assert.Contains(set, line => line.Contains("SIOCSIFMTU: Operation not supported", StringComparison.Ordinal));
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
            // A change netlink does not carry is refused with the error ip prints.
            var change = await RunAsync(qemu, "ip link set eth0 mtu 1400; echo status $?");
            Assert.NotEqual("status 0", change[^1]);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
    /// <summary>/proc/net/dev's counters of one interface: receive bytes, packets, errors, drops, then transmit's.</summary>
    private async Task<long[]> DeviceCountersAsync(QemuSession qemu, string name)
    {
        var lines = await RunAsync(qemu, "cat /proc/net/dev");
        string line = Assert.Single(lines, l => l.TrimStart().StartsWith(name + ":", StringComparison.Ordinal));
        var fields = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        Assert.Equal(16, fields.Length);
        return new[] { fields[0], fields[1], fields[2], fields[3], fields[8], fields[9], fields[10], fields[11] };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Byte_and_packet_counters_grow_by_what_moved(int processors)
    {
        const int Download = 2 << 20;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var qemu = await BootAsync(processors);
        try
        {
            long[] before = await DeviceCountersAsync(qemu, "eth0");
            Assert.True(before[1] > 0 && before[5] > 0 && before[0] >= before[1] * 42 && before[4] >= before[5] * 42);   // DHCP's frames
            var accepting = listener.AcceptTcpClientAsync();
            var receiving = RunAsync(qemu, $"nc 10.0.2.2 {port} | wc -c", TimeSpan.FromMinutes(2));
            using (var client = await accepting.WaitAsync(TimeSpan.FromMinutes(1)))
            {
                var block = new byte[64 * 1024];
                var stream = client.GetStream();
                for (int sent = 0; sent < Download; sent += block.Length)
                    await stream.WriteAsync(block);
            }
            Assert.Equal(Download.ToString(), (await receiving).Last().Trim());
            long[] after = await DeviceCountersAsync(qemu, "eth0");
            long[] grew = after.Zip(before, (a, b) => a - b).ToArray();
            _output.WriteLine("eth0 grew by " + string.Join(' ', grew));
            // Received: every byte moved in frames of at most 1514 bytes; sent: the acknowledgments, 54 bytes at least each.
            Assert.True(grew[0] >= Download, $"rx bytes grew by {grew[0]}");
            Assert.True(grew[1] >= Download / 1514, $"rx packets grew by {grew[1]}");
            Assert.True(grew[0] <= grew[1] * 1514L, $"rx bytes {grew[0]} for {grew[1]} packets");
            Assert.True(grew[5] > 0 && grew[4] >= grew[5] * 54, $"tx {grew[4]} bytes, {grew[5]} packets");
            Assert.Equal(new long[] { 0, 0, 0, 0 }, new[] { after[2], after[3], after[6], after[7] });   // no errors or drops

            // ifconfig shows the same counters (it reads /proc/net/dev), at least as large as a moment ago.
            var ifconfig = Words(await RunAsync(qemu, "ifconfig eth0"));
            string rx = Assert.Single(ifconfig, l => l.StartsWith("RX packets:", StringComparison.Ordinal));
            Assert.Matches(@"^RX packets:\d+ errors:0 dropped:0 overruns:0 frame:0$", rx);
            Assert.True(long.Parse(rx.Split(' ')[1]["packets:".Length..]) >= after[1]);
            string bytes = Assert.Single(ifconfig, l => l.StartsWith("RX bytes:", StringComparison.Ordinal));
            Assert.True(long.Parse(bytes.Split(' ')[1]["bytes:".Length..]) >= after[0]);

            // Loopback: two echo requests and their replies, each both sent and received on lo (84-byte datagrams).
            long[] loBefore = await DeviceCountersAsync(qemu, "lo");
            await RunAsync(qemu, "ping -c 2 127.0.0.1", TimeSpan.FromMinutes(1));
            long[] loAfter = await DeviceCountersAsync(qemu, "lo");
            Assert.True(loAfter[1] - loBefore[1] >= 4 && loAfter[0] - loBefore[0] >= 4 * 84, $"lo {loBefore[1]} -> {loAfter[1]} packets");
            Assert.Equal(loAfter[1] - loBefore[1], loAfter[5] - loBefore[5]);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Ifconfig_route_and_ip_change_addresses_routes_and_the_link(int processors)
    {
        await using var qemu = await BootAsync(processors);
        try
        {
            // ifconfig: a new address (its class's prefix first, then the netmask); the gateway stays, on the subnet.
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "ifconfig eth0 10.0.2.50 netmask 255.255.255.0; echo status $?"));
            Assert.Contains("inet addr:10.0.2.50 Bcast:10.0.2.255 Mask:255.255.255.0", Words(await RunAsync(qemu, "ifconfig eth0")));
            Assert.Equal(new[] { "0.0.0.0 10.0.2.2 0.0.0.0 UG 0 0 0 eth0", "10.0.2.0 0.0.0.0 255.255.255.0 U 0 0 0 eth0" },
                Words(await RunAsync(qemu, "route -n")).Skip(2));
            var ping = await RunAsync(qemu, "ping -c 1 -W 2 10.0.2.2; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Equal("status 0", ping[^1]);
            // Bad values: Linux's errors.
            var bad = await RunAsync(qemu, "ifconfig eth0 netmask 255.0.255.0; echo status $?; "
                + "route add -net 192.168.78.0 netmask 255.255.255.0 gw 172.16.0.1; echo status $?; "
                + "route add -net 192.168.78.1 netmask 255.255.255.0 gw 10.0.2.2; echo status $?");
            Assert.Contains(bad, line => line.Contains("SIOCSIFNETMASK: Invalid argument", StringComparison.Ordinal));
            Assert.Contains(bad, line => line.Contains("SIOCADDRT: Network is unreachable", StringComparison.Ordinal));
            Assert.Contains(bad, line => line.Contains("route: netmask and route address conflict", StringComparison.Ordinal));   // busybox's own check
            Assert.Equal(new[] { "status 1", "status 1", "status 1" }, bad.Where(line => line.StartsWith("status", StringComparison.Ordinal)));

            // route: a network through the gateway, in /proc/net/route, route -n and ip route, then gone; a second delete is ESRCH.
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "route add -net 192.168.77.0 netmask 255.255.255.0 gw 10.0.2.2; echo status $?"));
            Assert.Contains("192.168.77.0 10.0.2.2 255.255.255.0 UG 0 0 0 eth0", Words(await RunAsync(qemu, "route -n")));
            Assert.Contains(await RunAsync(qemu, "cat /proc/net/route"), line => line.StartsWith("eth0\t004DA8C0\t0202000A\t0003\t", StringComparison.Ordinal));
            Assert.Contains("192.168.77.0/24 via 10.0.2.2 dev eth0", Words(await RunAsync(qemu, "ip route")));
            var deleted = await RunAsync(qemu, "route del -net 192.168.77.0 netmask 255.255.255.0; echo status $?; "
                + "route del -net 192.168.77.0 netmask 255.255.255.0; echo status $?");
            Assert.Contains(deleted, line => line.Contains("SIOCDELRT: No such process", StringComparison.Ordinal));
            Assert.Equal(new[] { "status 0", "status 1" }, deleted.Where(line => line.StartsWith("status", StringComparison.Ordinal)));
            Assert.DoesNotContain(Words(await RunAsync(qemu, "route -n")), line => line.StartsWith("192.168.77.0", StringComparison.Ordinal));

            // ip: an address, the default route away and back, a route added and deleted.
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "ip addr add 10.0.2.60/24 dev eth0; echo status $?"));
            Assert.Contains(Words(await RunAsync(qemu, "ip addr show dev eth0")), line => line.StartsWith("inet 10.0.2.60/24 brd 10.0.2.255", StringComparison.Ordinal));
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "ip route del default; echo status $?"));
            Assert.Equal(new[] { "10.0.2.0/24 dev eth0 scope link src 10.0.2.60" }, Words(await RunAsync(qemu, "ip route")));
            var noRoute = await RunAsync(qemu, "ping -c 1 -W 1 192.168.99.1; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Contains("ping: sendto: Network is unreachable", noRoute);
            Assert.Equal(new[] { "status 0", "status 0" },
                await RunAsync(qemu, "ip route add default via 10.0.2.2; echo status $?; ip route add 192.168.5.0/24 via 10.0.2.2 dev eth0; echo status $?"));
            Assert.Equal(new[] { "default via 10.0.2.2 dev eth0", "192.168.5.0/24 via 10.0.2.2 dev eth0", "10.0.2.0/24 dev eth0 scope link src 10.0.2.60" },
                Words(await RunAsync(qemu, "ip route")));
            var again = await RunAsync(qemu, "ip route add default via 10.0.2.2; echo status $?");
            Assert.Contains(again, line => line.Contains("File exists", StringComparison.Ordinal));
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "ip route del 192.168.5.0/24; echo status $?"));

            // The link down: no UP in ip link and ifconfig, ping fails; up again: ping answers.
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "ip link set eth0 down; echo status $?"));
            Assert.Contains(Words(await RunAsync(qemu, "ip link show eth0")), line => line.StartsWith("2: eth0: <BROADCAST,MULTICAST> mtu 1500", StringComparison.Ordinal));
            var down = await RunAsync(qemu, "ping -c 1 -W 1 10.0.2.2; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Equal("status 1", down[^1]);
            Assert.Empty(Words(await RunAsync(qemu, "route -n")).Skip(2));   // no route through a link that is down
            Assert.Equal(new[] { "status 0" }, await RunAsync(qemu, "ifconfig eth0 up; echo status $?"));
            Assert.Contains("UP BROADCAST RUNNING MULTICAST MTU:1500 Metric:1", Words(await RunAsync(qemu, "ifconfig eth0")));
            var up = await RunAsync(qemu, "ping -c 1 -W 2 10.0.2.2; echo status $?", TimeSpan.FromMinutes(1));
            Assert.Equal("status 0", up[^1]);
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

    /// <summary>pingsockets' output on Linux 6.18 with ping sockets allowed, for a host that refuses them.</summary>
    private static readonly string[] PingSocketsOnLinux =
    {
        "ping socket: ok", "SO_PROTOCOL 1", "SO_TYPE 2", "unbound: 0.0.0.0 port 0", "bind 127.0.0.1 identifier 0x1234: ok",
        "bound: 127.0.0.1 port 4660", "bind again: EINVAL", "another socket, identifier 0x4321: ok",
        "sendto unconnected, no address: EDESTADDRREQ", "sendto 127.0.0.1: 16", "reply: poll 1", "reply: recvfrom 16",
        "reply: type 0 code 0, identifier the socket's yes, sequence 7, data yes, checksum good yes, from 127.0.0.1 port 0, address length 16",
        "the other socket heard nothing: poll 0", "sendto an echo reply: EINVAL", "sendto code 1: EINVAL", "sendto 4 bytes: EINVAL",
        "sendto bad buffer: EFAULT", "connect 127.0.0.1: ok", "send: 16", "poll 1", "recvmsg into 4 bytes: 4, MSG_TRUNC yes, type 0",
        "fresh sendto: 16", "fresh identifier chosen: yes", "fresh reply: poll 1", "fresh reply: recvfrom 16",
        "fresh reply: type 0 code 0, identifier the socket's yes, sequence 10, data yes, checksum good yes, from 127.0.0.1 port 0, address length 16",
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Ping_sockets_behave_as_linux_s_and_reach_the_gateway(int processors)
    {
        // The host's ping_group_range usually refuses ping sockets ("1 0"): in a user and network namespace of its own the
        // program may allow them for its root group. Where even that is refused, Linux's output recorded above stands in.
        string binary = ExoPaths.RequireLinuxProgram("pingsockets");
        var linux = LinuxHost.Run("/usr/bin/unshare", "unshare",
            new[] { "-r", "-n", "sh", "-c", $"echo '0 0' > /proc/sys/net/ipv4/ping_group_range && ip link set lo up && exec {binary}" },
            new[] { "PATH=/usr/sbin:/usr/bin:/sbin:/bin" });
        var hostLines = linux.Lines.Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        bool hostAllows = linux.ExitCode == 0 && hostLines.FirstOrDefault() == "ping socket: ok";
        _output.WriteLine(hostAllows ? "compared with this host's Linux" : $"this host refuses ping sockets ({linux.StandardError.Trim()}); compared with the recorded output");
        var expected = hostAllows ? hostLines : PingSocketsOnLinux.ToList();
        Assert.Equal(PingSocketsOnLinux, expected);   // the recording is still what Linux says

        await using var qemu = await BootAsync(processors);
        try
        {
            var exo = await RunAsync(qemu, "/exo/bin/pingsockets 10.0.2.2", TimeSpan.FromMinutes(2));
            // Besides: one echo to slirp's gateway through the same socket, answered.
            Assert.Equal(expected.Concat(new[]
            {
                "sendto 10.0.2.2: 16", "remote reply: poll 1", "remote reply: recvfrom 16",
                "remote reply: type 0 code 0, identifier the socket's yes, sequence 11, data yes, checksum good yes, from 10.0.2.2 port 0, address length 16",
            }), exo);
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
