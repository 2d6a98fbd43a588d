using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// A list of text rows, one selected: a click selects a row, Up, Down, Home, End, Page Up and Page Down move the
/// selection, Enter or a second click on the row within DoubleClickMilliseconds activates it. The rows scroll to keep the
/// selection in view.
/// </summary>
public sealed class ListView : Widget
{
    private const int InnerPadding = 4, VisibleRowsWanted = 5, MinimumWidth = 120;
    private readonly List<string> _items = [];
    public const int DoubleClickMilliseconds = 500;
    private int _selected = -1, _firstVisible, _lastPressedRow = -1;
    private long _lastPressTime;

    public event Action<ListView>? SelectionChanged;
    public event Action<ListView>? Activated;
    public override bool Focusable => true;
    public IReadOnlyList<string> Items => _items;
    public int SelectedIndex => _selected;
    public string? SelectedItem => _selected >= 0 ? _items[_selected] : null;
    public int FirstVisible => _firstVisible;

    public ListView(params string[] items) => _items.AddRange(items);

    public void AddItem(string item)
    {
        _items.Add(item);
        Invalidate();
    }

    /// <summary>Replaces the rows (a filter's result): the first one selected, the list scrolled to the top.</summary>
    public void SetItems(IEnumerable<string> items)
    {
        _items.Clear();
        _items.AddRange(items);
        _firstVisible = 0;
        _selected = -1;
        Select(0);
        Invalidate();
    }

    private int RowHeight => Theme.ControlHeight;
    private int VisibleRows => Math.Max(1, (Bounds.Height - 2) / RowHeight);

    public void Select(int index)
    {
        index = _items.Count == 0 ? -1 : Math.Clamp(index, 0, _items.Count - 1);
        if (index == _selected)
            return;
        _selected = index;
        // Before the list is in a window it has no rows to scroll: the first layout shows the top.
        if (_selected >= 0 && Window != null)
        {
            if (_selected < _firstVisible)
                _firstVisible = _selected;
            else if (_selected >= _firstVisible + VisibleRows)
                _firstVisible = _selected - VisibleRows + 1;
        }
        Invalidate();
        SelectionChanged?.Invoke(this);
    }

    protected override (int Width, int Height) MeasureContent(Theme theme) => (MinimumWidth, theme.ControlHeight * VisibleRowsWanted + 2);

    public override bool OnPointerDown(PointerEvent pointer)
    {
        int row = (pointer.Y - Bounds.Y - 1) / RowHeight;
        if (row < 0 || _firstVisible + row >= _items.Count)
            return true;
        int index = _firstVisible + row;
        long now = Environment.TickCount64;
        bool again = index == _lastPressedRow && now - _lastPressTime <= DoubleClickMilliseconds;
        Select(index);
        _lastPressedRow = again ? -1 : index;
        _lastPressTime = now;
        if (again)
            Activated?.Invoke(this);
        return true;
    }

    public override bool OnKey(KeyEvent key)
    {
        switch (key.Code)
        {
            case KeyCodes.Up: Select(_selected - 1); return true;
            case KeyCodes.Down: Select(_selected + 1); return true;
            case KeyCodes.Home: Select(0); return true;
            case KeyCodes.End: Select(_items.Count - 1); return true;
            case KeyCodes.PageUp: Select(_selected - VisibleRows); return true;
            case KeyCodes.PageDown: Select(_selected + VisibleRows); return true;
            case KeyCodes.Enter:
                if (_selected >= 0)
                    Activated?.Invoke(this);
                return true;
        }
        return false;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        var font = theme.Font;
        canvas.Fill(Bounds, palette.Field);
        canvas.Outline(Bounds, IsFocused ? palette.Accent : palette.Border, theme.BorderWidth);
        canvas.PushClip(Bounds.Inflate(-1));
        for (int row = 0; row < VisibleRows + 1 && _firstVisible + row < _items.Count; row++)
        {
            int index = _firstVisible + row;
            var place = new Rect(Bounds.X + 1, Bounds.Y + 1 + row * RowHeight, Bounds.Width - 2, RowHeight);
            bool selected = index == _selected;
            if (selected)
                canvas.Fill(place, palette.Selection);
            font.DrawLine(canvas, _items[index], place.X + InnerPadding, place.Y + (RowHeight - font.LineHeight) / 2,
                selected ? palette.SelectionText : palette.Text);
        }
        canvas.Restore();
    }
}
