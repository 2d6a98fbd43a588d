using Exo.Channels;
using Exo.Protocols.Compositor;
using Exo.Protocols.Rings;

namespace Exo.Toolkit.Client;

/// <summary>
/// A client's end of a compositor channel: connects (waiting for the compositor to come up), waits for the header's magic,
/// then sends requests into the request ring and reads events from the event ring (CompositorLayout). Ended says the
/// compositor has gone (its end of the channel closed: end of file, or EPIPE on the doorbell); Application then connects
/// again and makes its windows anew.
/// </summary>
public sealed unsafe class CompositorConnection : IDisposable
{
    private readonly ServiceChannel _channel;
    private SpscProducer _requests;
    private SpscConsumer _events;

    private CompositorConnection(ServiceChannel channel) => _channel = channel;

    public byte* Payload => _channel.Payload;
    /// <summary>The channel's file descriptor (its doorbell: readable when the compositor rang), for a poll with others.</summary>
    public int Descriptor => _channel.Descriptor;
    public CompositorChannelHeader* Header => (CompositorChannelHeader*)(_channel.Payload + CompositorLayout.HeaderOffset);
    /// <summary>The buffer area where surfaces' pixels go (CompositorLayout.BufferBytes long).</summary>
    public byte* Buffers => _channel.Payload + CompositorLayout.BufferOffset;
    public uint Problem => Volatile.Read(ref Header->Problem);
    public ulong ProblemRequest => Header->ProblemRequest;
    public string ScreenSize => $"{Header->ScreenWidth}x{Header->ScreenHeight}";
    public int ScreenWidth => (int)Header->ScreenWidth;
    public int ScreenHeight => (int)Header->ScreenHeight;
    /// <summary>The compositor has ended: nothing sent arrives, no event will come.</summary>
    public bool Ended { get; private set; }

    /// <summary>Connects to /dev/exo/compositor, retrying while it is not there yet (for up to 'patience').</summary>
    public static CompositorConnection Connect(TimeSpan patience)
    {
        DateTime giveUp = DateTime.UtcNow + patience;
        while (true)
        {
            CompositorConnection? connection = null;
            try
            {
                connection = new CompositorConnection(ServiceChannel.Connect(CompositorLayout.ServiceName, CompositorLayout.ChannelBytes));
                connection.WaitUntilReady(giveUp);
                return connection;
            }
            catch (ServiceChannelException) when (DateTime.UtcNow < giveUp)
            {
                connection?.Dispose();
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>Waits for the compositor to lay the channel out; a compositor that ended before that (it was restarting)
    /// fails the attempt, and Connect tries again.</summary>
    private void WaitUntilReady(DateTime giveUp)
    {
        while (Volatile.Read(ref Header->Magic) != CompositorChannelHeader.ExpectedMagic)
        {
            if (DateTime.UtcNow > giveUp)
                throw new ServiceChannelException("the compositor's header", 110);
            if ((_channel.Wait(100) & Exo.Protocols.Channels.ServiceChannelLayout.ServiceEndedBit) != 0)
                throw new ServiceChannelException("the compositor ended before it accepted", 104);
        }
        if (!_requests.Attach(Payload + CompositorLayout.RequestRingOffset) || !_events.Attach(Payload + CompositorLayout.EventRingOffset))
            throw new ServiceChannelException("the compositor's rings", 22);
    }

    /// <summary>Queues one request (waiting while the ring is full); Flush sends what was queued.</summary>
    public void Send(in CompositorRequest request)
    {
        CompositorRequest copy = request;
        while (!_requests.TryWrite(&copy))
        {
            Flush();
            if (Problem != 0 || Ended)
                return;
            Thread.Sleep(1);
        }
    }

    public void Flush()
    {
        _requests.Publish();
        if (!Ended && !_channel.Ring())
            Ended = true;
    }

    public static CompositorRequest Request(uint operation, uint surface, int x = 0, int y = 0, int width = 0, int height = 0, uint offset = 0, uint stride = 0)
        => new() { Operation = operation, Surface = surface, X = x, Y = y, Width = width, Height = height, Offset = offset, Stride = stride };

    public static CompositorRequest Titled(uint operation, uint surface, string title)
    {
        var request = Request(operation, surface);
        // The compositor takes printable ASCII only (it disconnects a client that sends other bytes): '?' for the rest.
        for (int i = 0; i < title.Length && i < CompositorLayout.MaximumTitleBytes; i++)
            request.Title[i] = title[i] is >= ' ' and <= '~' ? (byte)title[i] : (byte)'?';
        return request;
    }

    /// <summary>The next event, waiting up to 'timeoutMilliseconds' for one; false when none came (or the compositor ended).</summary>
    public bool TryNext(out CompositorEvent record, int timeoutMilliseconds)
    {
        record = default;
        fixed (CompositorEvent* pointer = &record)
        {
            if (_events.TryRead(pointer))
            {
                _events.Release();
                return true;
            }
            if (Ended)
                return false;
            if ((_channel.Wait(timeoutMilliseconds) & Exo.Protocols.Channels.ServiceChannelLayout.ServiceEndedBit) != 0)
                Ended = true;
            if (_events.TryRead(pointer))
            {
                _events.Release();
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The toplevel windows as the compositor last listed them for this client's panel (WindowListHeader's sequence lock:
    /// read again while the compositor is writing). Empty for a client without a panel, and when the compositor ended
    /// in the middle of a write (Ended is then set).
    /// </summary>
    public IReadOnlyList<ListedWindow> ReadWindowList()
    {
        var header = (WindowListHeader*)(Payload + CompositorLayout.WindowListOffset);
        var entries = (WindowListEntry*)(Payload + CompositorLayout.WindowListOffset + WindowListHeader.Bytes);
        for (int spins = 1; ; spins++)
        {
            uint before = Volatile.Read(ref header->Sequence);
            if ((before & 1) != 0)
            {
                // A compositor killed while it wrote leaves the sequence odd for ever: look whether it ended now and then.
                if (spins % 1024 == 0 && (Ended || (_channel.Wait(0) & Exo.Protocols.Channels.ServiceChannelLayout.ServiceEndedBit) != 0))
                {
                    Ended = true;
                    return [];
                }
                Thread.Yield();
                continue;
            }
            int count = (int)Math.Min(Volatile.Read(ref header->Count), (uint)CompositorLayout.WindowListCapacity);
            var list = new List<ListedWindow>(count);
            for (int i = 0; i < count; i++)
            {
                WindowListEntry entry = entries[i];
                int length = (int)Math.Min(entry.TitleLength, (uint)CompositorLayout.MaximumTitleBytes);
                list.Add(new ListedWindow(entry.Serial, entry.State, new string((sbyte*)entry.Title, 0, length)));
            }
            if (Volatile.Read(ref header->Sequence) == before)
                return list;
        }
    }

    public void Dispose() => _channel.Dispose();
}

/// <summary>A toplevel window in the panel's list: its serial (for ActivateWindow), its state bits, its title.</summary>
public readonly record struct ListedWindow(uint Serial, uint State, string Title)
{
    public bool Focused => (State & WindowListState.Focused) != 0;
    public bool Minimised => (State & WindowListState.Minimised) != 0;
}
