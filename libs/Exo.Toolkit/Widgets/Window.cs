using Exo.Protocols.Compositor;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// A toplevel window's widgets without the compositor (host-testable): the root widget over the whole window,
/// overlays above it (menus' popups, dialogs), the focus, the pointer's capture and hover, and the damage. Dispatch
/// turns the compositor's events into widget events: a left press goes to the widget under the pointer (which keeps
/// the pointer until the release) and focuses the nearest focusable widget; keys go to the focused widget (Tab moves
/// the focus); a Configure with a size lays the widgets out again. Render draws the damaged rectangles into Canvas and
/// hands them out (CompositorWindow sends only those).
/// </summary>
public sealed class Window
{
    private const uint LeftButton = 1;
    private readonly List<Widget> _overlays = [];
    private readonly DamageList _damage = new();
    private Theme _theme;
    private uint _buttons;
    private bool _layoutRequested = true;

    public Widget Root { get; }
    public Canvas Canvas { get; private set; }
    public int Width => Canvas.Width;
    public int Height => Canvas.Height;
    public Rect Area => new(0, 0, Width, Height);
    public Widget? Focused { get; private set; }
    public Widget? Captured { get; private set; }
    public Widget? Hovered { get; private set; }
    public bool Active { get; private set; }
    public bool CloseRequested { get; private set; }
    public IReadOnlyList<Widget> Overlays => _overlays;
    public IReadOnlyList<Rect> Damage => _damage.Rectangles;

    public Window(Widget root, Theme theme, int width, int height)
    {
        _theme = theme;
        Root = root;
        Canvas = new Canvas(width, height);
        root.AttachTo(this);
        InvalidateAll();
    }

    public Theme Theme
    {
        get => _theme;
        set
        {
            _theme = value;
            RequestLayout();
            InvalidateAll();
        }
    }

    /// <summary>The application kept the window after a Close: the next Close asks again.</summary>
    public void KeepOpen() => CloseRequested = false;

    public void Invalidate(Rect rectangle) => _damage.Add(rectangle, Area);
    public void InvalidateAll() => _damage.Add(Area, Area);
    public void RequestLayout() => _layoutRequested = true;

    public void Resize(int width, int height)
    {
        if (width == Width && height == Height)
            return;
        Canvas = new Canvas(width, height);
        _damage.Clear();
        RequestLayout();
        InvalidateAll();
    }

    public void Layout()
    {
        if (!_layoutRequested)
            return;
        _layoutRequested = false;
        Root.Arrange(Area, _theme);
        foreach (var overlay in _overlays)
            ArrangeOverlay(overlay);
    }

    private void ArrangeOverlay(Widget overlay)
    {
        var (width, height) = overlay.Measure(_theme);
        Rect place = overlay is IOverlay placed ? placed.Place(width, height, Area) : new Rect((Width - width) / 2, (Height - height) / 2, width, height);
        overlay.Arrange(place, _theme);
    }

    /// <summary>Shows a popup or dialog above the window's widgets; a modal one (IOverlay.Modal) takes all input.</summary>
    public void ShowOverlay(Widget overlay)
    {
        overlay.AttachTo(this);
        _overlays.Add(overlay);
        ArrangeOverlay(overlay);
        overlay.Invalidate();
        if (overlay.Focusable)
            SetFocus(overlay);
    }

    public void CloseOverlay(Widget overlay)
    {
        if (!_overlays.Remove(overlay))
            return;
        Invalidate(overlay.Bounds);
        Forget(overlay);
        overlay.AttachTo(null);
    }

    /// <summary>A widget leaving the window: it keeps no focus, capture or hover.</summary>
    internal void Forget(Widget widget)
    {
        for (var each = Focused; each != null; each = each.Parent)
            if (each == widget)
                SetFocus(null);
        if (Captured != null && IsWithin(Captured, widget))
            Captured = null;
        if (Hovered != null && IsWithin(Hovered, widget))
            Hovered = null;
    }

    private static bool IsWithin(Widget widget, Widget ancestor)
    {
        for (var each = widget; each != null; each = each.Parent)
            if (each == ancestor)
                return true;
        return false;
    }

    public void SetFocus(Widget? widget)
    {
        if (widget == Focused)
            return;
        var previous = Focused;
        Focused = widget;
        previous?.OnFocusChanged(false);
        widget?.OnFocusChanged(true);
    }

    /// <summary>The widgets that take the focus, in tree order (inside the top modal overlay when there is one).</summary>
    public List<Widget> FocusOrder()
    {
        var order = new List<Widget>();
        void Walk(Widget widget)
        {
            if (widget.Focusable)
                order.Add(widget);
            foreach (var child in widget.Children)
                Walk(child);
        }
        Walk(TopModal ?? Root);
        return order;
    }

    private Widget? TopModal => _overlays.LastOrDefault(o => o is IOverlay { Modal: true });

    private Widget? HitTest(int x, int y)
    {
        for (int i = _overlays.Count - 1; i >= 0; i--)
        {
            if (_overlays[i].HitTest(x, y) is { } hit)
                return hit;
            if (_overlays[i] is IOverlay { Modal: true })
                return null;
        }
        return Root.HitTest(x, y);
    }

    /// <summary>One event from the compositor for this window's surface.</summary>
    public void Dispatch(in CompositorEvent record)
    {
        Layout();
        switch (record.Kind)
        {
            case CompositorEventKind.Configure:
                if (record.Width > 0 && record.Height > 0)
                    Resize(record.Width, record.Height);
                break;
            case CompositorEventKind.Close:
                CloseRequested = true;
                break;
            case CompositorEventKind.Focus:
                Active = record.State == 1;
                Focused?.Invalidate();
                break;
            case CompositorEventKind.KeyDown:
                Key(new KeyEvent(record.Code, (char)(record.Character <= 0xFFFF ? record.Character : 0), (ushort)record.Modifiers, record.State == 1));
                break;
            case CompositorEventKind.PointerMotion:
            case CompositorEventKind.PointerEnter:
                PointerMoved(record.X, record.Y);
                break;
            case CompositorEventKind.PointerLeave:
                SetHover(null);
                break;
            case CompositorEventKind.PointerButton:
                PointerButtons(record.X, record.Y, record.Code);
                break;
            case CompositorEventKind.PointerWheel:
                Wheel(record.X, record.Y, record.WheelSteps);
                break;
        }
        Layout();
    }

    /// <summary>A key goes to the focused widget, then to its parents until one takes it (Escape in a dialog's field closes
    /// the dialog); with no focus, to the top modal overlay or the root (an application's shortcuts).</summary>
    public void Key(KeyEvent key)
    {
        for (var widget = Focused ?? TopModal ?? Root; widget != null; widget = widget.Parent)
            if (widget.OnKey(key))
                return;
        if (key.Code == KeyCodes.Tab)
            MoveFocus((key.Modifiers & KeyModifierBits.Shift) != 0 ? -1 : 1);
    }

    public void MoveFocus(int direction)
    {
        var order = FocusOrder();
        if (order.Count == 0)
            return;
        int index = Focused == null ? -1 : order.IndexOf(Focused);
        int next = index < 0 ? (direction > 0 ? 0 : order.Count - 1) : (index + direction + order.Count) % order.Count;
        SetFocus(order[next]);
    }

    private void PointerMoved(int x, int y)
    {
        if (Captured is { } captured)
        {
            var (localX, localY) = captured.FromWindow(x, y);
            captured.OnPointerMove(new PointerEvent(localX, localY, _buttons));
            return;
        }
        var hit = HitTest(x, y);
        SetHover(hit);
        if (hit != null)
        {
            var (localX, localY) = hit.FromWindow(x, y);
            hit.OnPointerMove(new PointerEvent(localX, localY, _buttons));
        }
    }

    /// <summary>The wheel goes to the widget under the pointer, then to its parents until one takes it (a text area in a
    /// scroll view scrolls itself first).</summary>
    private void Wheel(int x, int y, int steps)
    {
        for (var widget = HitTest(x, y); widget != null; widget = widget.Parent)
        {
            var (localX, localY) = widget.FromWindow(x, y);
            if (widget.OnWheel(new PointerEvent(localX, localY, _buttons), steps))
                return;
        }
    }

    private void SetHover(Widget? widget)
    {
        if (widget == Hovered)
            return;
        var previous = Hovered;
        Hovered = widget;
        previous?.OnHoverChanged(false);
        widget?.OnHoverChanged(true);
    }

    private void PointerButtons(int x, int y, uint buttons)
    {
        uint pressed = buttons & ~_buttons, released = _buttons & ~buttons;
        _buttons = buttons;
        if ((pressed & LeftButton) != 0)
        {
            // A click outside a popup closes it (and goes no further).
            if (_overlays.Count > 0 && _overlays[^1] is IOverlay { Modal: false } popup && !_overlays[^1].Bounds.Contains(x, y))
            {
                popup.Dismiss();
                return;
            }
            var hit = HitTest(x, y);
            if (hit == null)
                return;
            var focusable = hit;
            while (focusable != null && !focusable.Focusable)
                focusable = focusable.Parent;
            if (focusable != null)
                SetFocus(focusable);
            Captured = hit;
            hit.Invalidate();
            var (localX, localY) = hit.FromWindow(x, y);
            hit.OnPointerDown(new PointerEvent(localX, localY, buttons));
        }
        if ((released & LeftButton) != 0 && Captured is { } captured)
        {
            Captured = null;
            captured.Invalidate();
            var (localX, localY) = captured.FromWindow(x, y);
            captured.OnPointerUp(new PointerEvent(localX, localY, buttons));
        }
    }

    /// <summary>Draws the damaged rectangles (background, widgets, overlays) and returns them; the damage is then empty.</summary>
    public List<Rect> Render()
    {
        Layout();
        var drawn = new List<Rect>(_damage.Rectangles);
        foreach (var rectangle in drawn)
        {
            Canvas.PushClip(rectangle);
            Canvas.Fill(rectangle, _theme.Palette.Window);
            Root.DrawTree(Canvas, _theme);
            foreach (var overlay in _overlays)
                overlay.DrawTree(Canvas, _theme);
            Canvas.Restore();
        }
        _damage.Clear();
        return drawn;
    }
}

/// <summary>A widget shown above the window's (Window.ShowOverlay): where it goes, whether it takes all input, how it goes away.</summary>
public interface IOverlay
{
    bool Modal { get; }
    Rect Place(int width, int height, Rect window);
    void Dismiss();
}
