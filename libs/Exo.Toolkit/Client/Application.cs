using Exo.Protocols.Compositor;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Exo.Toolkit.Client;

/// <summary>
/// A desktop application's connection and event loop: windows (each a slice of the channel's buffer area: the area is
/// split into MaximumWindows equal slices), events routed to their window, damage presented after each batch of
/// events. A window the user closes is destroyed unless CloseRequested says otherwise; Run returns when no window is
/// left or the compositor disconnects the application.
/// </summary>
public sealed class Application : IDisposable
{
    private const int IdleWaitMilliseconds = 1000;
    private readonly List<CompositorWindow> _windows = [];
    private uint _nextSurface = 1;
    // Which slices of the buffer area hold a live window's buffer (a closed window's slice is used again).
    private readonly bool[] _sliceUsed;

    public CompositorConnection Connection { get; private set; }
    /// <summary>How long Run waits for a compositor that ended to come back (the device manager restarts it).</summary>
    public static readonly TimeSpan ReconnectPatience = TimeSpan.FromSeconds(30);
    /// <summary>After the windows were made again on a restarted compositor.</summary>
    public event Action? Reconnected;
    public int MaximumWindows { get; }
    public IReadOnlyList<CompositorWindow> Windows => _windows;
    /// <summary>Every event before it is dispatched (logging, tests).</summary>
    public event Action<CompositorWindow, CompositorEvent>? EventReceived;
    /// <summary>Asked when the user closes a window: true lets it go (the default).</summary>
    public Func<CompositorWindow, bool>? CloseRequested { get; set; }
    /// <summary>Called after each batch of events, before presenting (an application's own periodic work).</summary>
    public event Action? Idle;
    /// <summary>After a window sent damage (CompositorWindow.LastDamage).</summary>
    public event Action<CompositorWindow>? Presented;

    private Application(CompositorConnection connection, int maximumWindows)
    {
        Connection = connection;
        MaximumWindows = maximumWindows;
        _sliceUsed = new bool[maximumWindows];
    }

    public static Application Connect(TimeSpan patience, int maximumWindows = 1)
    {
        if (maximumWindows is < 1 or > CompositorLayout.MaximumSurfacesPerClient)
            throw new ArgumentOutOfRangeException(nameof(maximumWindows), $"1 to {CompositorLayout.MaximumSurfacesPerClient} windows");
        return new Application(CompositorConnection.Connect(patience), maximumWindows);
    }

    private ulong SliceBytes => CompositorLayout.BufferBytes / (ulong)MaximumWindows & ~4095UL;

    public CompositorWindow CreateWindow(string title, Widget root, Theme theme, int width, int height)
        => Create(title, root, theme, width, height, 0);

    /// <summary>
    /// The desktop's panel: a surface across the screen's top edge, 'height' pixels high (the compositor allows one
    /// panel). Its events include WindowsChanged; Connection.ReadWindowList gives the windows and ActivateWindow acts on one.
    /// </summary>
    public CompositorWindow CreatePanel(Widget root, Theme theme, int height)
        => Create("panel", root, theme, Connection.ScreenWidth, height, height);

    private CompositorWindow Create(string title, Widget root, Theme theme, int width, int height, int panelHeight)
    {
        int slot = Array.IndexOf(_sliceUsed, false);
        if (slot < 0)
            throw new InvalidOperationException($"this application was connected for {MaximumWindows} windows");
        var window = new CompositorWindow(Connection, _nextSurface++, title, new Window(root, theme, width, height), (ulong)slot * SliceBytes, SliceBytes, panelHeight);
        _sliceUsed[slot] = true;
        _windows.Add(window);
        window.Present();
        return window;
    }

    /// <summary>Asks the compositor to bring back, raise and focus, or minimise the listed window (from the panel).</summary>
    public void ActivateWindow(CompositorWindow panel, uint serial)
    {
        Connection.Send(CompositorConnection.Request(CompositorOperation.ActivateWindow, panel.Surface, x: (int)serial));
        Connection.Flush();
    }

    /// <summary>Asks the compositor for a new screen size; the answer is a DesktopChanged event to 'window' (X: 0 or the
    /// driver's refusal). Sizes outside DesktopSettingRules.IsDisplayMode disconnect the client: they are refused here.</summary>
    public void SetDisplayMode(CompositorWindow window, int width, int height)
    {
        if (!DesktopSettingRules.IsDisplayMode(width, height))
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is not a display mode the compositor takes");
        Connection.Send(CompositorConnection.Request(CompositorOperation.SetDisplayMode, window.Surface, width: width, height: height));
        Connection.Flush();
    }

    /// <summary>Asks the compositor for a new background colour (0x00RRGGBB); answered with DesktopChanged.</summary>
    public void SetBackground(CompositorWindow window, uint colour)
    {
        if (colour > DesktopSettingRules.MaximumColour)
            throw new ArgumentOutOfRangeException(nameof(colour), "a colour is 0x00RRGGBB");
        Connection.Send(CompositorConnection.Request(CompositorOperation.SetBackground, window.Surface, x: (int)colour));
        Connection.Flush();
    }

    /// <summary>Asks for a keyboard layout (DesktopSettings.KeyboardLayouts' index) from the next key on; answered with DesktopChanged.</summary>
    public void SetKeyboardLayout(CompositorWindow window, int layout)
    {
        if ((uint)layout >= DesktopSettingRules.KeyboardLayouts)
            throw new ArgumentOutOfRangeException(nameof(layout), $"layouts are 0 to {DesktopSettingRules.KeyboardLayouts - 1}");
        Connection.Send(CompositorConnection.Request(CompositorOperation.SetKeyboardLayout, window.Surface, x: layout));
        Connection.Flush();
    }

    public void Run()
    {
        while (_windows.Count > 0)
        {
            if (Connection.Problem != 0)
                throw new InvalidOperationException($"disconnected by the compositor: {CompositorProblem.Describe(Connection.Problem)} (request {Connection.ProblemRequest})");
            int wait = IdleWaitMilliseconds;
            while (Connection.TryNext(out CompositorEvent record, wait))
            {
                wait = 0;
                var target = _windows.Find(w => w.Surface == record.Surface);
                if (target == null)
                    continue;
                EventReceived?.Invoke(target, record);
                target.Dispatch(record);
                if (!target.Window.CloseRequested)
                    continue;
                if (CloseRequested?.Invoke(target) ?? true)
                    Close(target);
                else
                    target.Window.KeepOpen();
            }
            if (Connection.Ended)
                Reconnect();
            Idle?.Invoke();
            foreach (var window in _windows)
                if (window.Present())
                    Presented?.Invoke(window);
        }
    }

    /// <summary>
    /// The compositor ended (it crashed or was killed; the device manager starts it again): connect to the new one, under
    /// the same name, and make every window again (same surface ids, roles and pixels). Throws if none comes within
    /// ReconnectPatience.
    /// </summary>
    private void Reconnect()
    {
        Connection.Dispose();
        Connection = CompositorConnection.Connect(ReconnectPatience);
        foreach (var window in _windows)
            window.Reconnect(Connection);
        Connection.Flush();
        Reconnected?.Invoke();
    }

    /// <summary>Destroys the window (Run returns once none is left).</summary>
    public void Close(CompositorWindow window)
    {
        window.Destroy();
        if (_windows.Remove(window))
            _sliceUsed[(int)(window.Offset / SliceBytes)] = false;
    }

    public void Dispose() => Connection.Dispose();
}
