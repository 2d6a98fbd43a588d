using System.Diagnostics;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// One normally booted guest (init, then busybox <c>sh -l</c> on the console) at its prompt, shared by the tests of the
/// busybox console collection (<see cref="BusyboxTests"/>, <see cref="TerminalTests"/>): one boot for all of them. A
/// test that fails stops it, and the next test boots a fresh one, so one broken test does not take the others along.
/// </summary>
public class ConsoleGuest : IAsyncLifetime
{
    /// <summary>The console shell's prompt in / (from /etc/profile: '\h:\w# ').</summary>
    public const string Prompt = "exo:/# ";

    private QemuSession? _qemu;

    /// <summary>How the guest boots: a normal boot (init, the console's login shell) with the root file system.</summary>
    protected virtual QemuOptions Options => Boot.Kernel(commandLine: null) with { Timeout = TimeSpan.FromMinutes(30) };

    /// <summary>
    /// Runs <paramref name="test"/> on the guest (booted first if needed); on failure the guest is stopped. Whatever the
    /// guest printed meanwhile goes to the test's output under <paramref name="name"/>.
    /// </summary>
    public async Task<T> UseAsync<T>(ITestOutputHelper output, string name, Func<QemuSession, Task<T>> test)
    {
        var qemu = await ReadyAsync(output);
        var start = qemu.Serial.Length;
        try
        {
            return await test(qemu);
        }
        catch
        {
            await StopAsync();
            throw;
        }
        finally
        {
            var serial = qemu.Serial;
            output.WriteLine($"--- {name} in the guest (serial) ---\n{serial[Math.Min(start, serial.Length)..].Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd()}");
        }
    }

    private async Task<QemuSession> ReadyAsync(ITestOutputHelper output)
    {
        if (_qemu is { HasExited: false })
            return _qemu;
        await StopAsync();
        var clock = Stopwatch.StartNew();
        _qemu = QemuRunner.Start(Options);
        try
        {
            await _qemu.WaitForAsync(Prompt, Boot.Timeout);
        }
        catch
        {
            output.WriteLine(_qemu.Serial);
            await StopAsync();
            throw;
        }
        output.WriteLine($"booted to the console's prompt in {clock.Elapsed.TotalSeconds:F1} s");
        return _qemu;
    }

    private async Task StopAsync()
    {
        if (_qemu == null)
            return;
        await _qemu.DisposeAsync();
        _qemu = null;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // xunit ends a collection fixture through IAsyncLifetime (as an IAsyncDisposable it was left running after the run).
    public Task DisposeAsync() => StopAsync();
}

/// <summary>The tests that share one <see cref="ConsoleGuest"/> (run one after the other, in one boot).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleGuest>
{
    public const string Name = "busybox console";
}
