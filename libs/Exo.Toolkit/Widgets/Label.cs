using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>A line of text, vertically centred in its box, in the theme's body font unless Font names another.</summary>
public sealed class Label(string text) : Widget
{
    private string _text = text;

    public GlyphAtlas? Font { get; set; }
    public bool Muted { get; set; }

    public string Text
    {
        get => _text;
        set
        {
            if (_text == value)
                return;
            _text = value;
            Invalidate();
            Window?.RequestLayout();
        }
    }

    private GlyphAtlas FontOf(Theme theme) => Font ?? theme.Font;

    protected override (int Width, int Height) MeasureContent(Theme theme) => (FontOf(theme).Measure(_text), FontOf(theme).LineHeight);

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var font = FontOf(theme);
        canvas.PushClip(Bounds);
        font.DrawLine(canvas, _text, Bounds.X, Bounds.Y + (Bounds.Height - font.LineHeight) / 2, Muted ? theme.Palette.MutedText : theme.Palette.Text);
        canvas.Restore();
    }
}
