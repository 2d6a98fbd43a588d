using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// A modal dialog (Window.ShowOverlay): a title strip, a message and a row of buttons, centred over the window; while
/// it shows, input reaches only its widgets. A button closes it and reports its text (Answered); Escape answers with
/// the last button's text (Cancel, by convention). A prompt (Dialog.Prompt) also has a text field under the message,
/// which takes the focus; Enter in it answers with the first button.
/// </summary>
public sealed class Dialog : Widget, IOverlay
{
    private readonly string _title;
    private readonly Column _body;

    public event Action<string>? Answered;
    public bool Modal => true;
    public override bool Focusable => true;
    public string? Answer { get; private set; }
    public IReadOnlyList<Button> Buttons { get; }
    /// <summary>A prompt's text field (null for a plain dialog).</summary>
    public TextField? Input { get; }

    public Dialog(string title, string message, params string[] buttons) : this(title, message, null, buttons)
    {
    }

    /// <summary>A dialog asking for a line of text (a name, a path), the field filled with text and its caret at the end.</summary>
    public static Dialog Prompt(string title, string message, string text, params string[] buttons)
        => new(title, message, text, buttons);

    private Dialog(string title, string message, string? input, string[] buttons)
    {
        if (buttons.Length == 0)
            throw new ArgumentException("a dialog needs a button", nameof(buttons));
        _title = title;
        var row = new Row { Padding = 0 };
        row.Add(new Label("") { Stretch = 1 });
        var made = new List<Button>();
        foreach (string text in buttons)
        {
            var button = row.Add(new Button(text) { PreferredWidth = 80 });
            button.Clicked += clicked => Close(clicked.Text);
            made.Add(button);
        }
        Buttons = made;
        if (input != null)
        {
            Input = new TextField { Text = input, PreferredWidth = 320 };
            Input.Submitted += _ => Close(Buttons[0].Text);
            _body = Add(new Column(new Label(message), Input, row));
        }
        else
            _body = Add(new Column(new Label(message), row));
    }

    public override void OnFocusChanged(bool focused)
    {
        base.OnFocusChanged(focused);
        if (focused && Input != null)
            Window?.SetFocus(Input);
    }

    public Rect Place(int width, int height, Rect window)
        => new(Math.Max(0, (window.Width - width) / 2), Math.Max(0, (window.Height - height) / 2), width, height);

    public void Dismiss() => Close(Buttons[^1].Text);

    public void Close(string answer)
    {
        Answer = answer;
        Window?.CloseOverlay(this);
        Answered?.Invoke(answer);
    }

    private int TitleHeight(Theme theme) => theme.Fonts.Large.LineHeight + 8;

    protected override (int Width, int Height) MeasureContent(Theme theme)
    {
        var (width, height) = _body.Measure(theme);
        return (Math.Max(width, theme.Fonts.Large.Measure(_title) + 2 * theme.Padding) + 2, height + TitleHeight(theme) + 2);
    }

    protected override void ArrangeChildren(Theme theme)
    {
        int title = TitleHeight(theme);
        _body.Arrange(new Rect(Bounds.X + 1, Bounds.Y + title + 1, Bounds.Width - 2, Bounds.Height - title - 2), theme);
    }

    public override bool OnKey(KeyEvent key)
    {
        if (key.Code == KeyCodes.Escape)
        {
            Dismiss();
            return true;
        }
        if (key.Code == KeyCodes.Enter)
        {
            Close(Buttons[0].Text);
            return true;
        }
        return false;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        int title = TitleHeight(theme);
        canvas.Fill(Bounds, palette.Surface);
        canvas.Fill(new Rect(Bounds.X, Bounds.Y, Bounds.Width, title), palette.Accent);
        canvas.Outline(Bounds, palette.Border, 2);
        theme.Fonts.Large.DrawLine(canvas, _title, Bounds.X + theme.Padding, Bounds.Y + 4, palette.AccentText);
    }
}
