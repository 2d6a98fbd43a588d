using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// A viewport over a taller content widget, with a vertical scroll bar on the right: a click on the track above or below
/// the thumb moves by a page, dragging the thumb follows the pointer, and with the focus Up, Down (a line), Page Up,
/// Page Down, Home and End; the mouse wheel three lines a step. The content is laid out at its preferred height (at least the viewport's).
/// </summary>
public sealed class ScrollView : Widget
{
    private const int LineStep = 16, MinimumThumb = 16, WheelLines = 3;
    private int _offset, _contentHeight, _dragFrom = -1, _dragOffset;

    public Widget Content { get; }
    public override bool Focusable => true;
    public int Offset => _offset;
    public int MaximumOffset => Math.Max(0, _contentHeight - Bounds.Height);

    public ScrollView(Widget content) => Content = Add(content);

    private Rect Viewport => new(Bounds.X, Bounds.Y, Bounds.Width - Theme.ScrollBarWidth, Bounds.Height);
    private Rect Track => new(Bounds.Right - Theme.ScrollBarWidth, Bounds.Y, Theme.ScrollBarWidth, Bounds.Height);

    private Rect Thumb
    {
        get
        {
            var track = Track;
            if (_contentHeight <= Bounds.Height)
                return track;
            int length = Math.Max(MinimumThumb, track.Height * Bounds.Height / _contentHeight);
            int top = track.Y + (track.Height - length) * _offset / Math.Max(1, MaximumOffset);
            return new Rect(track.X, top, track.Width, length);
        }
    }

    protected override (int Width, int Height) MeasureContent(Theme theme)
    {
        var (width, _) = Content.Measure(theme);
        return (width + theme.ScrollBarWidth, 100);
    }

    protected override void ArrangeChildren(Theme theme)
    {
        var (_, height) = Content.Measure(theme);
        _contentHeight = Math.Max(height, Bounds.Height);
        _offset = Math.Clamp(_offset, 0, MaximumOffset);
        Content.Arrange(new Rect(Bounds.X, Bounds.Y, Bounds.Width - theme.ScrollBarWidth, _contentHeight), theme);
    }

    public void ScrollTo(int offset)
    {
        offset = Math.Clamp(offset, 0, MaximumOffset);
        if (offset == _offset)
            return;
        _offset = offset;
        Invalidate();
    }

    protected override (int X, int Y) ToChild(int x, int y) => (x, y + _offset);

    protected override Rect FromChild(Rect rectangle) => rectangle.Offset(0, -_offset).Intersect(Viewport);

    public override Widget? HitTest(int x, int y) => Track.Contains(x, y) ? this : base.HitTest(x, y);

    public override void DrawTree(Canvas canvas, Theme theme)
    {
        var clip = canvas.Clip.Offset(-canvas.OriginX, -canvas.OriginY);
        if (!Bounds.Intersects(clip))
            return;
        canvas.PushClip(Viewport);
        canvas.Fill(Viewport, theme.Palette.Surface);
        canvas.Translate(0, -_offset);
        Content.DrawTree(canvas, theme);
        canvas.Restore();
        var palette = theme.Palette;
        canvas.Fill(Track, palette.Window);
        canvas.Fill(Thumb.Inflate(-2), _dragFrom >= 0 ? palette.Accent : palette.Shade);
        canvas.Outline(Bounds, IsFocused ? palette.Accent : palette.Border, theme.BorderWidth);
    }

    public override bool OnPointerDown(PointerEvent pointer)
    {
        if (!Track.Contains(pointer.X, pointer.Y))
            return false;
        var thumb = Thumb;
        if (pointer.Y < thumb.Y)
            ScrollTo(_offset - Bounds.Height);
        else if (pointer.Y >= thumb.Bottom)
            ScrollTo(_offset + Bounds.Height);
        else
        {
            _dragFrom = pointer.Y;
            _dragOffset = _offset;
            Invalidate();
        }
        return true;
    }

    public override bool OnPointerMove(PointerEvent pointer)
    {
        if (_dragFrom < 0)
            return false;
        int travel = Track.Height - Thumb.Height;
        if (travel > 0)
            ScrollTo(_dragOffset + (pointer.Y - _dragFrom) * MaximumOffset / travel);
        return true;
    }

    public override bool OnPointerUp(PointerEvent pointer)
    {
        _dragFrom = -1;
        Invalidate();
        return true;
    }

    public override bool OnWheel(PointerEvent pointer, int steps)
    {
        ScrollTo(_offset + steps * WheelLines * LineStep);
        return true;
    }

    public override bool OnKey(KeyEvent key)
    {
        int? target = key.Code switch
        {
            KeyCodes.Up => _offset - LineStep,
            KeyCodes.Down => _offset + LineStep,
            KeyCodes.PageUp => _offset - Bounds.Height,
            KeyCodes.PageDown => _offset + Bounds.Height,
            KeyCodes.Home => 0,
            KeyCodes.End => MaximumOffset,
            _ => null,
        };
        if (target is not { } offset)
            return false;
        ScrollTo(offset);
        return true;
    }
}
