using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A hostile wire between the guest's network card and its peer (<see cref="SlirpPeer"/>: QEMU's user network, whose TCP
/// is the host's Linux). Both QEMUs connect to it with socket netdevs (each frame: its length, 4 bytes big-endian, then
/// the frame); the relay carries frames both ways and drops, duplicates, reorders, delays and corrupts them as
/// <see cref="Impairment"/> says (changeable while it runs), and can inject frames of its own toward the guest.
/// </summary>
public sealed class HostileWireRelay : IAsyncDisposable
{
    /// <summary>The largest frame a socket netdev sends (QEMU's NET_BUFSIZE is 68 KiB); a longer length is a broken stream.</summary>
    public const int MaximumFrame = 69632;
    private const int EthernetHeader = 14;

    private readonly TcpListener _guestListener = new(IPAddress.Loopback, 0);
    private readonly TcpListener _peerListener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lane _toPeer;
    private readonly Lane _toGuest;
    private readonly Task _running;
    private volatile WireImpairment _impairment;

    public HostileWireRelay(WireImpairment impairment)
    {
        _impairment = impairment;
        _toPeer = new Lane(this, "guest to peer", impairment.Seed);
        _toGuest = new Lane(this, "peer to guest", impairment.Seed + 1);
        _guestListener.Start(1);
        _peerListener.Start(1);
        _running = RunAsync();
    }

    /// <summary>The port the guest's QEMU connects to (-netdev socket,connect=127.0.0.1:GuestPort).</summary>
    public int GuestPort => ((IPEndPoint)_guestListener.LocalEndpoint).Port;

    /// <summary>The port the peer's QEMU connects to.</summary>
    public int PeerPort => ((IPEndPoint)_peerListener.LocalEndpoint).Port;

    public WireImpairment Impairment { get => _impairment; set => _impairment = value; }

    /// <summary>Frames from the guest for which this is true vanish on the wire (the answers to injected frames from
    /// addresses that do not exist, which the peer would otherwise answer with resets).</summary>
    public Func<byte[], bool>? Swallow { get; set; }

    /// <summary>Sees every frame from the guest (before <see cref="Swallow"/>), on the relay's reader.</summary>
    public Action<byte[]>? Watch { get; set; }

    /// <summary>The guest card's MAC address, from the first frame it sent (null before).</summary>
    public byte[]? GuestAddress { get; private set; }

    /// <summary>The peer's MAC address (slirp's gateway), from the first frame it sent (null before).</summary>
    public byte[]? PeerAddress { get; private set; }

    /// <summary>Sends 'frame' to the guest as it is, past the impairments.</summary>
    public void InjectToGuest(byte[] frame) => _toGuest.Enqueue(frame, 0, injected: true);

    /// <summary>What the relay did to the frames, for the test's output.</summary>
    public string Summary => $"{_toPeer.Summary}; {_toGuest.Summary}";

    private async Task RunAsync()
    {
        try
        {
            using var guest = await _guestListener.AcceptTcpClientAsync(_stop.Token);
            using var peer = await _peerListener.AcceptTcpClientAsync(_stop.Token);
            guest.NoDelay = true;
            peer.NoDelay = true;
            await Task.WhenAll(
                _toPeer.RunAsync(guest.GetStream(), peer.GetStream(), true, learned => GuestAddress ??= learned),
                _toGuest.RunAsync(peer.GetStream(), guest.GetStream(), false, learned => PeerAddress ??= learned));
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _guestListener.Stop();
        _peerListener.Stop();
        try { await _running; } catch (Exception) { }
        _stop.Dispose();
    }

    private static double NowMilliseconds => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

    /// <summary>One direction: a reader that impairs each frame and queues it by departure time, and a writer.</summary>
    private sealed class Lane
    {
        private readonly HostileWireRelay _relay;
        private readonly string _name;
        private readonly Random _random;
        private readonly PriorityQueue<byte[], (double Due, long Order)> _queue = new();
        private readonly SemaphoreSlim _queued = new(0);
        private long _order;
        private long _carried, _dropped, _duplicated, _reordered, _corrupted, _injected, _swallowed;

        public Lane(HostileWireRelay relay, string name, int seed)
        {
            _relay = relay;
            _name = name;
            _random = new Random(seed);
        }

        public string Summary => $"{_name}: {_carried} carried, {_dropped} dropped, {_duplicated} duplicated, {_reordered} reordered, " +
            $"{_corrupted} corrupted, {_swallowed} swallowed, {_injected} injected";

        public void Enqueue(byte[] frame, double delayMilliseconds, bool injected)
        {
            lock (_queue)
            {
                if (injected)
                    _injected++;
                _queue.Enqueue(frame, (NowMilliseconds + delayMilliseconds, _order++));
            }
            _queued.Release();
        }

        public async Task RunAsync(Stream from, Stream to, bool fromGuest, Action<byte[]> learnSource)
        {
            var writing = WriteAsync(to);
            try
            {
                while (true)
                {
                    byte[]? frame = await ReadFrameAsync(from, _relay._stop.Token);
                    if (frame == null)
                        break;
                    if (frame.Length >= EthernetHeader)
                        learnSource(frame[6..12]);
                    if (fromGuest)
                        _relay.Watch?.Invoke(frame);
                    if (fromGuest && _relay.Swallow is { } swallow && swallow(frame))
                    {
                        _swallowed++;
                        continue;
                    }
                    Impair(frame, _relay._impairment);
                }
            }
            finally
            {
                await writing;
            }
        }

        private void Impair(byte[] frame, WireImpairment impairment)
        {
            _carried++;
            if (_random.NextDouble() < impairment.DropRate)
            {
                _dropped++;
                return;
            }
            int copies = 1;
            if (_random.NextDouble() < impairment.DuplicateRate)
            {
                _duplicated++;
                copies = 2;
            }
            for (int copy = 0; copy < copies; copy++)
            {
                byte[] sent = copy == 0 ? frame : (byte[])frame.Clone();
                if (sent.Length > EthernetHeader && _random.NextDouble() < impairment.CorruptRate)
                {
                    _corrupted++;
                    sent[_random.Next(EthernetHeader, sent.Length)] ^= 0xFF;
                }
                double delay = impairment.Delay.TotalMilliseconds + _random.NextDouble() * impairment.Jitter.TotalMilliseconds;
                if (_random.NextDouble() < impairment.ReorderRate)
                {
                    _reordered++;
                    delay += impairment.ReorderDelay.TotalMilliseconds;
                }
                Enqueue(sent, delay, injected: false);
            }
        }

        private async Task WriteAsync(Stream to)
        {
            var token = _relay._stop.Token;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    byte[]? frame = null;
                    double wait = -1;
                    lock (_queue)
                    {
                        if (_queue.TryPeek(out var next, out var when))
                        {
                            wait = when.Due - NowMilliseconds;
                            if (wait <= 0)
                            {
                                frame = next;
                                _queue.Dequeue();
                            }
                        }
                    }
                    if (frame != null)
                    {
                        var record = new byte[4 + frame.Length];
                        BinaryPrimitives.WriteInt32BigEndian(record, frame.Length);
                        frame.CopyTo(record, 4);
                        await to.WriteAsync(record, token);
                    }
                    else if (wait < 0)
                    {
                        await _queued.WaitAsync(token);
                    }
                    else
                    {
                        await _queued.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(1, wait)), token);
                    }
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
        }

        private static async Task<byte[]?> ReadFrameAsync(Stream from, CancellationToken token)
        {
            var length = new byte[4];
            if (!await ReadExactlyAsync(from, length, token))
                return null;
            int count = BinaryPrimitives.ReadInt32BigEndian(length);
            if (count <= 0 || count > MaximumFrame)
                throw new IOException($"a socket netdev record of {count} bytes");
            var frame = new byte[count];
            return await ReadExactlyAsync(from, frame, token) ? frame : null;
        }

        private static async Task<bool> ReadExactlyAsync(Stream from, byte[] into, CancellationToken token)
        {
            int done = 0;
            while (done < into.Length)
            {
                int got = await from.ReadAsync(into.AsMemory(done), token);
                if (got == 0)
                    return false;
                done += got;
            }
            return true;
        }
    }
}
