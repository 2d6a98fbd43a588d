using Exo.Protocols.Compositor;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Exo.Toolkit.Client;

/// <summary>
/// A toplevel surface of the compositor (or, made with a panel height, the desktop's panel) showing a Window's widgets. The widgets draw into the Window's own pixels (in the
/// application's memory); Present copies only the damaged rectangles into the surface's buffer in the channel's buffer
/// area (its slice: Offset, Capacity bytes), sends a Damage for each and a Commit. The compositor may read the buffer
/// while a rectangle is copied: a torn frame lasts until the next commit at worst.
/// </summary>
public sealed unsafe class CompositorWindow
{
    private CompositorConnection _connection;
    private int _attachedWidth, _attachedHeight;
    private readonly int _panelHeight;

    public uint Surface { get; }
    public string Title { get; private set; }
    public Window Window { get; }
    public ulong Offset { get; }
    public ulong Capacity { get; }
    public bool Destroyed { get; private set; }
    /// <summary>The panel's surface (CompositorOperation.MakePanel) rather than a toplevel window.</summary>
    public bool IsPanel { get; }
    /// <summary>What the last Present sent (host and boot tests read it).</summary>
    public IReadOnlyList<Rect> LastDamage { get; private set; } = [];

    internal CompositorWindow(CompositorConnection connection, uint surface, string title, Window window, ulong offset, ulong capacity, int panelHeight = 0)
    {
        IsPanel = panelHeight > 0;
        _panelHeight = panelHeight;
        _connection = connection;
        Surface = surface;
        Title = title;
        Window = window;
        Offset = offset;
        Capacity = capacity;
        CheckFits(window.Width, window.Height);
        MakeSurface();
    }

    private void MakeSurface()
    {
        _connection.Send(CompositorConnection.Request(CompositorOperation.CreateSurface, Surface));
        _connection.Send(IsPanel ? CompositorConnection.Request(CompositorOperation.MakePanel, Surface, height: _panelHeight)
            : CompositorConnection.Titled(CompositorOperation.MakeToplevel, Surface, Title));
    }

    /// <summary>The compositor was started again and 'connection' is the new channel: the surface is made anew with the
    /// same id and role, and the whole window drawn into it at the next Present.</summary>
    internal void Reconnect(CompositorConnection connection)
    {
        _connection = connection;
        _attachedWidth = _attachedHeight = 0;
        MakeSurface();
        Window.InvalidateAll();
    }

    private void CheckFits(int width, int height)
    {
        if ((ulong)width * (ulong)height * 4 > Capacity || width > CompositorLayout.MaximumSurfaceWidth || height > CompositorLayout.MaximumSurfaceHeight)
            throw new InvalidOperationException($"a {width}x{height} window does not fit its {Capacity}-byte buffer");
    }

    public void Dispatch(in CompositorEvent record)
    {
        // A size the buffer cannot hold is refused here rather than by the compositor (which would disconnect us).
        if (record.Kind == CompositorEventKind.Configure && (ulong)record.Width * (ulong)record.Height * 4 > Capacity)
            return;
        Window.Dispatch(record);
    }

    /// <summary>Draws and sends what is damaged; false when nothing was.</summary>
    public bool Present()
    {
        if (Destroyed)
            return false;
        var drawn = Window.Render();
        LastDamage = drawn;
        if (drawn.Count == 0)
            return false;
        int width = Window.Width, height = Window.Height;
        uint* buffer = (uint*)(_connection.Buffers + Offset);
        uint[] pixels = Window.Canvas.Pixels;
        foreach (var rectangle in drawn)
            for (int y = rectangle.Y; y < rectangle.Bottom; y++)
                pixels.AsSpan(y * width + rectangle.X, rectangle.Width).CopyTo(new Span<uint>(buffer + (long)y * width + rectangle.X, rectangle.Width));
        if (width != _attachedWidth || height != _attachedHeight)
        {
            _connection.Send(CompositorConnection.Request(CompositorOperation.Attach, Surface, width: width, height: height,
                offset: (uint)Offset, stride: (uint)(width * 4)));
            _attachedWidth = width;
            _attachedHeight = height;
        }
        foreach (var rectangle in drawn)
            _connection.Send(CompositorConnection.Request(CompositorOperation.Damage, Surface, rectangle.X, rectangle.Y, rectangle.Width, rectangle.Height));
        _connection.Send(CompositorConnection.Request(CompositorOperation.Commit, Surface));
        _connection.Flush();
        return true;
    }

    /// <summary>A new title for the window (its first MaximumTitleBytes characters, '?' for any outside printable ASCII).</summary>
    public void SetTitle(string title)
    {
        if (Destroyed || IsPanel || title == Title)
            return;
        Title = title;
        _connection.Send(CompositorConnection.Titled(CompositorOperation.SetTitle, Surface, title));
        _connection.Flush();
    }

    public void Destroy()
    {
        if (Destroyed)
            return;
        Destroyed = true;
        _connection.Send(CompositorConnection.Request(CompositorOperation.Destroy, Surface));
        _connection.Flush();
    }
}
