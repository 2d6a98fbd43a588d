using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// The base of every widget: a rectangle (Bounds, in its parent's content coordinates: the window's, except inside a
/// scroll view), children, a preferred size (Measure) and a place given by its parent (Arrange), drawing, and events
/// (pointer events in the widget's coordinates, keys when it has the focus). Invalidate asks the window to draw the
/// widget again: only damaged rectangles are drawn and sent to the compositor.
/// </summary>
public abstract class Widget
{
    private readonly List<Widget> _children = [];
    private Window? _window;

    public Widget? Parent { get; private set; }
    public IReadOnlyList<Widget> Children => _children;
    public Rect Bounds { get; private set; }
    /// <summary>The share of a box's spare room along its direction this widget gets (0: only its preferred size).</summary>
    public int Stretch { get; set; }
    /// <summary>Fixed preferred sizes (0: measured).</summary>
    public int PreferredWidth { get; set; }
    public int PreferredHeight { get; set; }
    public virtual bool Focusable => false;

    public Window? Window => _window ?? Parent?.Window;
    public Theme Theme => Window?.Theme ?? throw new InvalidOperationException($"{GetType().Name} is not in a window");
    public bool IsFocused => Window?.Focused == this;
    public bool IsPressed => Window?.Captured == this;
    public bool IsHovered => Window?.Hovered == this;

    internal void AttachTo(Window? window) => _window = window;

    public T Add<T>(T child) where T : Widget
    {
        if (child.Parent != null)
            throw new InvalidOperationException("the widget already has a parent");
        child.Parent = this;
        _children.Add(child);
        Window?.RequestLayout();
        return child;
    }

    public void Remove(Widget child)
    {
        if (_children.Remove(child))
        {
            child.Parent = null;
            Window?.Forget(child);
            Window?.RequestLayout();
        }
    }

    public void ClearChildren()
    {
        foreach (var child in _children.ToArray())
            Remove(child);
    }

    /// <summary>The size this widget would like (PreferredWidth/Height when set).</summary>
    public (int Width, int Height) Measure(Theme theme)
    {
        var (width, height) = MeasureContent(theme);
        return (PreferredWidth > 0 ? PreferredWidth : width, PreferredHeight > 0 ? PreferredHeight : height);
    }

    protected abstract (int Width, int Height) MeasureContent(Theme theme);

    public void Arrange(Rect bounds, Theme theme)
    {
        if (Bounds != bounds)
        {
            Invalidate();
            Bounds = bounds;
            Invalidate();
        }
        ArrangeChildren(theme);
    }

    /// <summary>Places the children inside Bounds (the default: each over the whole widget).</summary>
    protected virtual void ArrangeChildren(Theme theme)
    {
        foreach (var child in _children)
            child.Arrange(Bounds, theme);
    }

    /// <summary>Draws the widget and its children where they meet the canvas's clip.</summary>
    public virtual void DrawTree(Canvas canvas, Theme theme)
    {
        var clip = canvas.Clip.Offset(-canvas.OriginX, -canvas.OriginY);
        if (!Bounds.Intersects(clip))
            return;
        Draw(canvas, theme);
        foreach (var child in _children)
            child.DrawTree(canvas, theme);
    }

    protected virtual void Draw(Canvas canvas, Theme theme)
    {
    }

    /// <summary>The deepest widget at (x, y) (this widget's parent's coordinates), or null.</summary>
    public virtual Widget? HitTest(int x, int y)
    {
        if (!Bounds.Contains(x, y))
            return null;
        var (childX, childY) = ToChild(x, y);
        for (int i = _children.Count - 1; i >= 0; i--)
            if (_children[i].HitTest(childX, childY) is { } hit)
                return hit;
        return this;
    }

    /// <summary>From this widget's coordinates to its children's (a scroll view shifts them).</summary>
    protected virtual (int X, int Y) ToChild(int x, int y) => (x, y);

    /// <summary>From a child's rectangle to this widget's coordinates, clipped to what shows of it.</summary>
    protected virtual Rect FromChild(Rect rectangle) => rectangle;

    /// <summary>A point in the window's coordinates in this widget's.</summary>
    public (int X, int Y) FromWindow(int x, int y)
    {
        if (Parent == null)
            return (x, y);
        var (parentX, parentY) = Parent.FromWindow(x, y);
        return Parent.ToChild(parentX, parentY);
    }

    /// <summary>A rectangle of this widget's coordinates in the window's.</summary>
    public Rect ToWindow(Rect rectangle)
    {
        for (var parent = Parent; parent != null; parent = parent.Parent)
            rectangle = parent.FromChild(rectangle);
        return rectangle;
    }

    /// <summary>This widget must be drawn again.</summary>
    public void Invalidate() => Invalidate(Bounds);

    public void Invalidate(Rect rectangle)
    {
        if (Window is { } window && !rectangle.IsEmpty)
            window.Invalidate(ToWindow(rectangle));
    }

    public virtual bool OnPointerDown(PointerEvent pointer) => false;
    public virtual bool OnPointerUp(PointerEvent pointer) => false;
    public virtual bool OnPointerMove(PointerEvent pointer) => false;
    /// <summary>The mouse wheel over this widget: 'steps' (positive: towards the user, to see further down). Unhandled, it goes to the parent.</summary>
    public virtual bool OnWheel(PointerEvent pointer, int steps) => false;
    public virtual bool OnKey(KeyEvent key) => false;
    public virtual void OnFocusChanged(bool focused) => Invalidate();
    public virtual void OnHoverChanged(bool hovered)
    {
    }
}
