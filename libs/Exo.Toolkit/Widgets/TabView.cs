using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// Pages under a row of tab headers: a click on a header (or Left and Right with the focus) shows its page. Only the
/// page shown is a child (laid out, drawn, hit).
/// </summary>
public sealed class TabView : Widget
{
    private const int HeaderPadding = 12;
    private readonly List<(string Title, Widget Page)> _pages = [];
    private int _selected = -1;

    public event Action<TabView>? SelectionChanged;
    public override bool Focusable => true;
    public int SelectedIndex => _selected;
    public IReadOnlyList<(string Title, Widget Page)> Pages => _pages;

    public TabView AddPage(string title, Widget page)
    {
        _pages.Add((title, page));
        if (_selected < 0)
            Select(0);
        return this;
    }

    public void Select(int index)
    {
        index = Math.Clamp(index, 0, _pages.Count - 1);
        if (index == _selected)
            return;
        if (_selected >= 0)
            Remove(_pages[_selected].Page);
        _selected = index;
        Add(_pages[index].Page);
        Invalidate();
        SelectionChanged?.Invoke(this);
    }

    private int HeaderHeight(Theme theme) => theme.ControlHeight + 4;

    public Rect HeaderBox(int index)
    {
        int x = Bounds.X;
        for (int i = 0; i < index; i++)
            x += Theme.Font.Measure(_pages[i].Title) + 2 * HeaderPadding;
        return new Rect(x, Bounds.Y, Theme.Font.Measure(_pages[index].Title) + 2 * HeaderPadding, HeaderHeight(Theme));
    }

    protected override (int Width, int Height) MeasureContent(Theme theme)
    {
        int width = 0, pageWidth = 0, pageHeight = 0;
        foreach (var (title, page) in _pages)
        {
            width += theme.Font.Measure(title) + 2 * HeaderPadding;
            var (w, h) = page.Measure(theme);
            pageWidth = Math.Max(pageWidth, w);
            pageHeight = Math.Max(pageHeight, h);
        }
        return (Math.Max(width, pageWidth + 2), pageHeight + HeaderHeight(theme) + 2);
    }

    protected override void ArrangeChildren(Theme theme)
    {
        int header = HeaderHeight(theme);
        foreach (var child in Children)
            child.Arrange(new Rect(Bounds.X + 1, Bounds.Y + header + 1, Bounds.Width - 2, Bounds.Height - header - 2), theme);
    }

    public override bool OnPointerDown(PointerEvent pointer)
    {
        for (int i = 0; i < _pages.Count; i++)
        {
            if (HeaderBox(i).Contains(pointer.X, pointer.Y))
            {
                Select(i);
                return true;
            }
        }
        return false;
    }

    public override bool OnKey(KeyEvent key)
    {
        if (key.Code == KeyCodes.Left)
            Select(_selected - 1);
        else if (key.Code == KeyCodes.Right)
            Select(_selected + 1);
        else
            return false;
        return true;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        var font = theme.Font;
        int header = HeaderHeight(theme);
        var page = new Rect(Bounds.X, Bounds.Y + header, Bounds.Width, Bounds.Height - header);
        canvas.Fill(page, palette.Surface);
        canvas.Outline(page, palette.Border, theme.BorderWidth);
        for (int i = 0; i < _pages.Count; i++)
        {
            var box = HeaderBox(i);
            bool selected = i == _selected;
            canvas.Fill(box, selected ? palette.Surface : palette.Button);
            canvas.Outline(box, selected && IsFocused ? palette.Accent : palette.Border, theme.BorderWidth);
            if (selected)
                canvas.Fill(new Rect(box.X + 1, box.Bottom - 1, box.Width - 2, 1), palette.Surface);
            font.DrawLine(canvas, _pages[i].Title, box.X + HeaderPadding, box.Y + (box.Height - font.LineHeight) / 2, palette.Text);
        }
    }
}
