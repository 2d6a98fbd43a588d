using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// A push button: Clicked when the left button is released over it after a press on it (or Enter or Space with the
/// focus). A toggle button (IsToggle) flips Checked on each click and is drawn in the accent colour while checked.
/// </summary>
public sealed class Button(string text) : Widget
{
    private const int HorizontalPadding = 12;
    private string _text = text;
    private bool _checked;

    public event Action<Button>? Clicked;
    public bool IsToggle { get; init; }
    public override bool Focusable => true;

    public string Text
    {
        get => _text;
        set
        {
            _text = value;
            Invalidate();
            Window?.RequestLayout();
        }
    }

    public bool Checked
    {
        get => _checked;
        set
        {
            if (_checked == value)
                return;
            _checked = value;
            Invalidate();
        }
    }

    protected override (int Width, int Height) MeasureContent(Theme theme) => (theme.Font.Measure(_text) + 2 * HorizontalPadding, theme.ControlHeight);

    public void Click()
    {
        if (IsToggle)
            Checked = !Checked;
        Clicked?.Invoke(this);
    }

    public override bool OnPointerDown(PointerEvent pointer) => true;

    public override bool OnPointerUp(PointerEvent pointer)
    {
        if (Bounds.Contains(pointer.X, pointer.Y))
            Click();
        return true;
    }

    public override bool OnKey(KeyEvent key)
    {
        if (key.Code is not (KeyCodes.Enter or KeyCodes.Space))
            return false;
        Click();
        return true;
    }

    public override void OnHoverChanged(bool hovered) => Invalidate();

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        bool lit = IsPressed || Checked;
        canvas.Fill(Bounds, lit ? palette.ButtonPressed : IsHovered ? palette.ButtonHover : palette.Button);
        canvas.Outline(Bounds, IsFocused ? palette.Accent : palette.Border, IsFocused ? 2 : theme.BorderWidth);
        var font = theme.Font;
        canvas.PushClip(Bounds);
        font.DrawLine(canvas, _text, Bounds.X + (Bounds.Width - font.Measure(_text)) / 2, Bounds.Y + (Bounds.Height - font.LineHeight) / 2,
            lit ? palette.AccentText : palette.Text);
        canvas.Restore();
    }
}
