using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>One entry of a menu: its text and what choosing it does.</summary>
public sealed record MenuItem(string Text, Action Chosen);

/// <summary>
/// A menu bar: a row of menu titles; a click on one opens its popup (MenuPopup) below it.
/// </summary>
public sealed class MenuBar : Widget
{
    private const int TitlePadding = 10;
    private readonly List<(string Title, MenuItem[] Items)> _menus = [];

    public IReadOnlyList<(string Title, MenuItem[] Items)> Menus => _menus;
    public MenuPopup? Open { get; private set; }

    public MenuBar AddMenu(string title, params MenuItem[] items)
    {
        _menus.Add((title, items));
        Invalidate();
        return this;
    }

    protected override (int Width, int Height) MeasureContent(Theme theme)
    {
        int width = 0;
        foreach (var (title, _) in _menus)
            width += theme.Font.Measure(title) + 2 * TitlePadding;
        return (width, theme.ControlHeight);
    }

    /// <summary>The title boxes, left to right.</summary>
    public Rect TitleBox(int index)
    {
        int x = Bounds.X;
        for (int i = 0; i < index; i++)
            x += Theme.Font.Measure(_menus[i].Title) + 2 * TitlePadding;
        return new Rect(x, Bounds.Y, Theme.Font.Measure(_menus[index].Title) + 2 * TitlePadding, Bounds.Height);
    }

    public void OpenMenu(int index)
    {
        if (Window is not { } window)
            return;
        var box = ToWindow(TitleBox(index));
        Open = new MenuPopup(_menus[index].Items, box.X, box.Bottom, () => { Open = null; Invalidate(); });
        window.ShowOverlay(Open);
        Invalidate();
    }

    public override bool OnPointerDown(PointerEvent pointer)
    {
        for (int i = 0; i < _menus.Count; i++)
        {
            if (TitleBox(i).Contains(pointer.X, pointer.Y))
            {
                OpenMenu(i);
                return true;
            }
        }
        return false;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        canvas.Fill(Bounds, palette.Surface);
        canvas.Fill(new Rect(Bounds.X, Bounds.Bottom - 1, Bounds.Width, 1), palette.Border);
        var font = theme.Font;
        for (int i = 0; i < _menus.Count; i++)
        {
            var box = TitleBox(i);
            bool open = Open != null && Open.Items == _menus[i].Items;
            if (open)
                canvas.Fill(box, palette.Selection);
            font.DrawLine(canvas, _menus[i].Title, box.X + TitlePadding, box.Y + (box.Height - font.LineHeight) / 2,
                open ? palette.SelectionText : palette.Text);
        }
    }
}

/// <summary>
/// A menu's popup, above the window's widgets: the item under the pointer is highlighted, a release on one chooses it;
/// Up, Down and Enter choose with the keyboard, Escape (or a click outside) closes it.
/// </summary>
public sealed class MenuPopup(MenuItem[] items, int x, int y, Action closed) : Widget, IOverlay
{
    private const int ItemPadding = 12, MinimumWidth = 140;
    private int _highlighted = -1;

    public MenuItem[] Items { get; } = items;
    public int Highlighted => _highlighted;
    public override bool Focusable => true;
    public bool Modal => false;

    public Rect Place(int width, int height, Rect window)
        => new(Math.Clamp(x, 0, Math.Max(0, window.Width - width)), Math.Clamp(y, 0, Math.Max(0, window.Height - height)), width, height);

    public void Dismiss()
    {
        Window?.CloseOverlay(this);
        closed();
    }

    protected override (int Width, int Height) MeasureContent(Theme theme)
    {
        int width = MinimumWidth;
        foreach (var item in Items)
            width = Math.Max(width, theme.Font.Measure(item.Text) + 2 * ItemPadding);
        return (width, Items.Length * theme.ControlHeight + 2);
    }

    private int ItemAt(int pointerY)
    {
        int index = (pointerY - Bounds.Y - 1) / Theme.ControlHeight;
        return pointerY >= Bounds.Y && index < Items.Length ? index : -1;
    }

    private void Highlight(int index)
    {
        if (index == _highlighted)
            return;
        _highlighted = index;
        Invalidate();
    }

    public void Choose(int index)
    {
        Dismiss();
        if (index >= 0 && index < Items.Length)
            Items[index].Chosen();
    }

    public override bool OnPointerMove(PointerEvent pointer)
    {
        Highlight(Bounds.Contains(pointer.X, pointer.Y) ? ItemAt(pointer.Y) : -1);
        return true;
    }

    public override bool OnPointerDown(PointerEvent pointer)
    {
        Highlight(ItemAt(pointer.Y));
        return true;
    }

    public override bool OnPointerUp(PointerEvent pointer)
    {
        if (Bounds.Contains(pointer.X, pointer.Y))
            Choose(ItemAt(pointer.Y));
        return true;
    }

    public override bool OnKey(KeyEvent key)
    {
        switch (key.Code)
        {
            case KeyCodes.Up: Highlight(Math.Max(0, _highlighted - 1)); return true;
            case KeyCodes.Down: Highlight(Math.Min(Items.Length - 1, _highlighted + 1)); return true;
            case KeyCodes.Enter: Choose(_highlighted); return true;
            case KeyCodes.Escape: Dismiss(); return true;
        }
        return true;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        var font = theme.Font;
        canvas.Fill(Bounds, palette.Surface);
        canvas.Outline(Bounds, palette.Border, theme.BorderWidth);
        for (int i = 0; i < Items.Length; i++)
        {
            var place = new Rect(Bounds.X + 1, Bounds.Y + 1 + i * theme.ControlHeight, Bounds.Width - 2, theme.ControlHeight);
            if (i == _highlighted)
                canvas.Fill(place, palette.Selection);
            font.DrawLine(canvas, Items[i].Text, place.X + ItemPadding, place.Y + (place.Height - font.LineHeight) / 2,
                i == _highlighted ? palette.SelectionText : palette.Text);
        }
    }
}
