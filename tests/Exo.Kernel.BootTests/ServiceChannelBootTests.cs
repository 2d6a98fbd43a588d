using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Service channels (docs/service-channels.md): a .NET program running through POSIX-X (userland/linux/dotnet/ChannelCheck,
/// NativeAOT linux-x64, the way desktop applications are written) reaches a native service (userland/csharp/channel_echo)
/// by opening /dev/exo/channel-echo: shared memory mapped by both, doorbells both ways, a thousand round trips, two
/// connections at once, errors as Linux gives them, and the service's end seen by the client (EPIPE, end of file) with
/// a new connection working once the service runs again.
/// </summary>
public sealed class ServiceChannelBootTests
{
    private readonly ITestOutputHelper _output;

    public ServiceChannelBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_dotnet_program_talks_to_a_native_service_through_its_channel(int processors)
    {
        await using var qemu = QemuRunner.Start(Boot.Kernel(commandLine: null) with { Smp = processors, Timeout = TimeSpan.FromMinutes(10) });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        try
        {
            // Nobody listens yet: no node, so ENOENT (2).
            await ExpectProgramAsync(qemu, "missing", "channel: missing service -> errno 2");
            await StartServiceAsync(qemu);
            var listing = await RunAsync(qemu, "ls -l /dev/exo/channel-echo");
            Assert.Contains(listing, line => line.StartsWith("crw-rw-rw-", StringComparison.Ordinal));
            await ExpectProgramAsync(qemu, "echo",
                "channel: missing service -> errno 2",
                "channel: connected, 65536 bytes mapped",
                "channel: echo -> HELLO FROM .NET THROUGH POSIX-X",
                "channel: 1000 of 1000 round trips answered",
                "channel: nothing rung -> wait gives 0",
                "channel: 4-byte ring -> -1 errno 22",
                "channel: lseek -> -1 errno 29",
                "channel: second connection -> SECOND, first still -> FIRST",
                "channel: after 125 MiB of garbage -> ECHO",
                "channel: 100 of 100 connections one after another answered",
                "channel: done");
            // The service ends: the client's read gives end of file and its ring EPIPE; new opens are refused.
            await ExpectProgramAsync(qemu, "quit",
                "channel: missing service -> errno 2",
                "channel: quit -> <service ended>",
                "channel: ring after the end -> EPIPE");
            var refused = await RunAsync(qemu, "cat /dev/exo/channel-echo");
            Assert.Contains(refused, line => line.Contains("Connection refused", StringComparison.Ordinal));
            // Started again, it listens in the same slot: the same node connects.
            await StartServiceAsync(qemu);
            await ExpectProgramAsync(qemu, "again",
                "channel: missing service -> errno 2",
                "channel: connected, 65536 bytes mapped",
                "channel: echo -> HELLO FROM .NET THROUGH POSIX-X",
                "channel: 1000 of 1000 round trips answered",
                "channel: nothing rung -> wait gives 0",
                "channel: 4-byte ring -> -1 errno 22",
                "channel: lseek -> -1 errno 29",
                "channel: second connection -> SECOND, first still -> FIRST",
                "channel: after 125 MiB of garbage -> AGAIN",
                "channel: 100 of 100 connections one after another answered",
                "channel: done");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    /// <summary>Starts channel_echo from the kernel monitor and waits until it listens.</summary>
    private static async Task StartServiceAsync(QemuSession qemu)
    {
        int since = qemu.Serial.Length;
        await ConsoleCommands.RunFromMonitorAsync(qemu, "channel_echo");
        await ConsoleCommands.WaitForTextAsync(qemu, since, "channel_echo: listening on /dev/exo/channel-echo");
    }

    /// <summary>Runs ChannelCheck in 'mode' and requires its own lines (the service's reports on the same console are left out) and status 0.</summary>
    private async Task ExpectProgramAsync(QemuSession qemu, string mode, params string[] expected)
    {
        var lines = await RunAsync(qemu, $"/exo/bin/ChannelCheck {mode}");
        // The kernel's and the service's reports share the console: a line of ours may follow one of theirs on the same line.
        var own = lines.Where(line => line.Contains("channel: ", StringComparison.Ordinal) || line.StartsWith("status ", StringComparison.Ordinal))
            .Select(line => line.StartsWith("status ", StringComparison.Ordinal) ? line : line[line.IndexOf("channel: ", StringComparison.Ordinal)..]).ToList();
        Assert.True(expected.SequenceEqual(own), $"ChannelCheck {mode} printed:\n{string.Join("\n", lines)}\nexpected:\n{string.Join("\n", expected)}");
    }

    private Task<List<string>> RunAsync(QemuSession qemu, string command) => ConsoleCommands.RunAsync(qemu, _output, command);
}
