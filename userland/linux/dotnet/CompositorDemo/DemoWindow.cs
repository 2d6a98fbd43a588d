using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;

namespace CompositorDemo;

/// <summary>
/// One toplevel window of the demo: its buffer at a fixed place in the channel's buffer area, filled with one colour (or
/// bands of two, 20 lines each), attached, damaged whole and committed; redrawn at a new size on Configure.
/// </summary>
public sealed unsafe class DemoWindow
{
    private const int BandHeight = 20;
    private readonly CompositorConnection _connection;
    private readonly ulong _offset;
    private readonly uint[] _colours, _alternates;
    private bool _alternate;

    public uint Id { get; }
    public string Title { get; }
    public int Width { get; private set; }
    public int Height { get; private set; }

    public DemoWindow(CompositorConnection connection, uint id, string title, ulong offset, int width, int height, uint colour, uint alternate,
        uint? bandColour = null, uint? bandAlternate = null)
    {
        _connection = connection;
        Id = id;
        Title = title;
        _offset = offset;
        Width = width;
        Height = height;
        _colours = [colour, bandColour ?? colour];
        _alternates = [alternate, bandAlternate ?? alternate];
    }

    public void Create()
    {
        _connection.Send(CompositorConnection.Request(CompositorOperation.CreateSurface, Id));
        _connection.Send(CompositorConnection.Titled(CompositorOperation.MakeToplevel, Id, Title));
        Draw();
    }

    public void Resize(int width, int height)
    {
        if (width == Width && height == Height)
            return;
        Width = width;
        Height = height;
        Draw();
    }

    public void ToggleColour()
    {
        _alternate = !_alternate;
        Draw();
    }

    public void Destroy()
    {
        _connection.Send(CompositorConnection.Request(CompositorOperation.Destroy, Id));
        _connection.Flush();
    }

    private void Draw()
    {
        uint[] colours = _alternate ? _alternates : _colours;
        uint* pixels = (uint*)(_connection.Buffers + _offset);
        for (int y = 0; y < Height; y++)
        {
            uint colour = colours[y / BandHeight % 2];
            for (int x = 0; x < Width; x++)
                pixels[(long)y * Width + x] = colour;
        }
        _connection.Send(CompositorConnection.Request(CompositorOperation.Attach, Id, width: Width, height: Height, offset: (uint)_offset, stride: (uint)(Width * 4)));
        _connection.Send(CompositorConnection.Request(CompositorOperation.Damage, Id, 0, 0, Width, Height));
        _connection.Send(CompositorConnection.Request(CompositorOperation.Commit, Id));
        _connection.Flush();
        Console.WriteLine($"compositor_demo: window {Id} drawn {Width}x{Height} colour 0x{colours[0]:x6}");
    }
}
