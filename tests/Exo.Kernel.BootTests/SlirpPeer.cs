using System.Diagnostics;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// QEMU's user network (slirp: DHCP, the gateway 10.0.2.2 that is the host's loopback, TCP ended by the host's Linux) in
/// a QEMU of its own with no machine, joined by a hub to a socket netdev that connects to <see cref="HostileWireRelay"/>:
/// so the relay stands between the guest's card and a real TCP peer.
/// </summary>
public sealed class SlirpPeer : IAsyncDisposable
{
    private readonly Process _process;

    /// <summary>Starts the peer toward the relay's <paramref name="relayPort"/>, forwarding host TCP port
    /// <paramref name="forwardedPort"/> (on 127.0.0.1) to the guest's <paramref name="guestPort"/>.</summary>
    public SlirpPeer(int relayPort, int forwardedPort, int guestPort)
    {
        var start = new ProcessStartInfo(new QemuOptions().QemuBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-M", "none", "-nodefaults", "-display", "none",
            "-netdev", $"user,id=user0,hostfwd=tcp:127.0.0.1:{forwardedPort}-:{guestPort}",
            "-netdev", $"socket,id=wire0,connect=127.0.0.1:{relayPort}",
            "-netdev", "hubport,id=port0,hubid=0,netdev=user0",
            "-netdev", "hubport,id=port1,hubid=0,netdev=wire0",
        })
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("qemu did not start");
        // Drained so that its warnings ("hub 0 with no nics") never fill a pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill();
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
