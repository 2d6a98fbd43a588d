using Exo.Toolkit.Client;
using Exo.Protocols.Compositor;
using Exo.Terminal;

namespace Terminal;

/// <summary>
/// The terminal's window: the emulator's visible lines (the live screen, or the scroll-back when scrolled) drawn cell by
/// cell into the surface's buffer. Only cells that changed since the last frame are drawn again (a copy of what each
/// cell shows is kept), and only their bounding rectangle is damaged.
/// </summary>
public sealed unsafe class TerminalWindow
{
    private const uint SurfaceId = 1;
    private const int MaxWidth = 1920, MaxHeight = 1080;

    private CompositorConnection _connection;
    private readonly TerminalEmulator _emulator;
    private readonly IGlyphPainter _painter;
    private DrawnCell[] _drawn = Array.Empty<DrawnCell>();
    private bool _attached;

    public int Width { get; private set; }
    public int Height { get; private set; }
    public bool Focused { get; set; } = true;
    public TextSelection? Selection { get; set; }

    public TerminalWindow(CompositorConnection connection, TerminalEmulator emulator, IGlyphPainter painter)
    {
        _connection = connection;
        _emulator = emulator;
        _painter = painter;
        Width = emulator.Columns * painter.CellWidth;
        Height = emulator.Rows * painter.CellHeight;
    }

    public void Create(string title)
    {
        _connection.Send(CompositorConnection.Request(CompositorOperation.CreateSurface, SurfaceId));
        _connection.Send(CompositorConnection.Titled(CompositorOperation.MakeToplevel, SurfaceId, title));
        Draw();
    }

    /// <summary>The compositor was started again: the surface is made anew on the new connection and drawn whole.</summary>
    public void Reconnect(CompositorConnection connection, string title)
    {
        _connection = connection;
        _attached = false;
        Create(Ascii(title));
    }

    public void SetTitle(string title)
    {
        _connection.Send(CompositorConnection.Titled(CompositorOperation.SetTitle, SurfaceId, Ascii(title)));
        _connection.Flush();
    }

    /// <summary>A title the compositor takes (printable ASCII: anything else would disconnect the client).</summary>
    private static string Ascii(string title)
    {
        var ascii = new System.Text.StringBuilder();
        foreach (char character in title)
            ascii.Append(character is >= ' ' and < '\x7f' ? character : '?');
        return ascii.ToString();
    }

    /// <summary>A new pixel size (a Configure); returns the cell grid that fits it.</summary>
    public (int Columns, int Rows) Resize(int width, int height)
    {
        Width = Math.Clamp(width, _painter.CellWidth, MaxWidth);
        Height = Math.Clamp(height, _painter.CellHeight, MaxHeight);
        _attached = false;
        return (Width / _painter.CellWidth, Height / _painter.CellHeight);
    }

    /// <summary>The cell under surface pixel (x, y), as a position in the emulator's lines.</summary>
    public TextPosition CellAt(int x, int y)
    {
        int row = Math.Clamp(y / _painter.CellHeight, 0, _emulator.Rows - 1);
        int column = Math.Clamp(x / _painter.CellWidth, 0, _emulator.Columns - 1);
        return new TextPosition(_emulator.VisibleLineIndex(row), column);
    }

    /// <summary>Draws the cells that changed and commits them; a full redraw after a resize.</summary>
    public void Draw()
    {
        int columns = _emulator.Columns, rows = _emulator.Rows;
        uint* pixels = (uint*)_connection.Buffers;
        var surface = new Span<uint>(pixels, Width * Height);
        bool full = !_attached || _drawn.Length != columns * rows;
        if (full)
        {
            _drawn = new DrawnCell[columns * rows];
            surface.Fill(TerminalPalette.DefaultBackground);
        }
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        bool cursorShown = _emulator.CursorVisible && _emulator.ViewOffset == 0;
        for (int row = 0; row < rows; row++)
        {
            int lineIndex = _emulator.VisibleLineIndex(row);
            TerminalLine line = _emulator.Line(lineIndex);
            for (int column = 0; column < columns; column++)
            {
                Cell cell = line.CellAt(column);
                bool selected = Selection != null && Selection.Contains(lineIndex, column);
                bool cursor = cursorShown && row == _emulator.CursorRow && column == _emulator.CursorColumn;
                var shown = new DrawnCell(cell, selected ^ cursor, true);
                ref DrawnCell drawn = ref _drawn[row * columns + column];
                if (!full && drawn.Equals(shown))
                    continue;
                drawn = shown;
                (uint foreground, uint background) = Colours(cell, selected ^ cursor);
                int x = column * _painter.CellWidth, y = row * _painter.CellHeight;
                if (x + _painter.CellWidth > Width || y + _painter.CellHeight > Height)
                    continue;
                _painter.Paint(surface, Width, x, y, cell.Character, foreground, background, cell.Flags);
                left = Math.Min(left, x); top = Math.Min(top, y);
                right = Math.Max(right, x + _painter.CellWidth); bottom = Math.Max(bottom, y + _painter.CellHeight);
            }
        }
        if (full)
        {
            _connection.Send(CompositorConnection.Request(CompositorOperation.Attach, SurfaceId, width: Width, height: Height, stride: (uint)(Width * 4)));
            _connection.Send(CompositorConnection.Request(CompositorOperation.Damage, SurfaceId, 0, 0, Width, Height));
            _attached = true;
        }
        else if (right < 0)
            return;
        else
            _connection.Send(CompositorConnection.Request(CompositorOperation.Damage, SurfaceId, left, top, right - left, bottom - top));
        _connection.Send(CompositorConnection.Request(CompositorOperation.Commit, SurfaceId));
        _connection.Flush();
    }

    /// <summary>The cell's colours as xterm shows them: bold makes the first 8 colours bright, inverse (or the cursor, or the selection) swaps.</summary>
    public static (uint Foreground, uint Background) Colours(Cell cell, bool swap)
    {
        TerminalColor foregroundColour = cell.Foreground;
        if ((cell.Flags & CellFlags.Bold) != 0 && foregroundColour.Kind == ColorKind.Indexed && foregroundColour.Value < 8)
            foregroundColour = TerminalColor.Indexed(foregroundColour.Value + 8);
        uint foreground = (uint)TerminalPalette.Resolve(foregroundColour, TerminalPalette.DefaultForeground);
        uint background = (uint)TerminalPalette.Resolve(cell.Background, TerminalPalette.DefaultBackground);
        if (((cell.Flags & CellFlags.Inverse) != 0) ^ swap)
            (foreground, background) = (background, foreground);
        if ((cell.Flags & CellFlags.Hidden) != 0)
            foreground = background;
        return (foreground, background);
    }

    private readonly record struct DrawnCell(Cell Cell, bool Swapped, bool Valid)
    {
        public bool Equals(DrawnCell other) => Valid == other.Valid && Swapped == other.Swapped && Cell.CodePoint == other.Cell.CodePoint
            && Cell.Foreground == other.Cell.Foreground && Cell.Background == other.Cell.Background && Cell.Flags == other.Cell.Flags;
        public override int GetHashCode() => Cell.CodePoint;
    }
}
