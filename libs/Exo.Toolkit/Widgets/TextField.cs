using System.Text;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// One line of editable text: typed characters go in at the caret, Backspace and Delete take one out before or after it,
/// Left, Right, Home and End move it, a click puts it at the nearest character boundary. The text scrolls sideways to
/// keep the caret in view. SelectAll marks the whole text (a location bar's Ctrl+L): the next character, Backspace or
/// Delete replaces it, a caret move unmarks it. At most MaximumLength characters.
/// </summary>
public sealed class TextField : Widget
{
    public const int MaximumLength = 256;
    private const int InnerPadding = 4, MinimumWidth = 120;
    private readonly StringBuilder _text = new();
    private int _caret, _scroll;
    private bool _allSelected;

    public event Action<TextField>? Changed;
    public event Action<TextField>? Submitted;
    public override bool Focusable => true;
    public int Caret => _caret;
    public string Placeholder { get; set; } = "";

    public string Text
    {
        get => _text.ToString();
        set
        {
            _text.Clear().Append(value.AsSpan(0, Math.Min(value.Length, MaximumLength)));
            _caret = _text.Length;
            _allSelected = false;
            Invalidate();
            Changed?.Invoke(this);
        }
    }

    public bool IsAllSelected => _allSelected;

    public void SelectAll()
    {
        _allSelected = _text.Length > 0;
        _caret = _text.Length;
        Invalidate();
    }

    /// <summary>Typing over a selected text replaces it: the text goes first.</summary>
    private bool ReplaceSelection()
    {
        if (!_allSelected)
            return false;
        _allSelected = false;
        _text.Clear();
        _caret = 0;
        return true;
    }

    protected override (int Width, int Height) MeasureContent(Theme theme) => (MinimumWidth, theme.ControlHeight);

    public override bool OnKey(KeyEvent key)
    {
        if (_allSelected && key.Code is KeyCodes.Backspace or KeyCodes.Delete)
        {
            ReplaceSelection();
            Edited();
            return true;
        }
        switch (key.Code)
        {
            case KeyCodes.Backspace:
                if (_caret > 0)
                {
                    _text.Remove(--_caret, 1);
                    Edited();
                }
                return true;
            case KeyCodes.Delete:
                if (_caret < _text.Length)
                {
                    _text.Remove(_caret, 1);
                    Edited();
                }
                return true;
            case KeyCodes.Left:
                return MoveCaret(_caret - 1);
            case KeyCodes.Right:
                return MoveCaret(_caret + 1);
            case KeyCodes.Home:
                return MoveCaret(0);
            case KeyCodes.End:
                return MoveCaret(_text.Length);
            case KeyCodes.Enter:
                Submitted?.Invoke(this);
                return true;
        }
        if (!key.IsText)
            return false;
        ReplaceSelection();
        if (_text.Length < MaximumLength)
        {
            _text.Insert(_caret++, key.Character);
            Edited();
        }
        return true;
    }

    private void Edited()
    {
        Invalidate();
        Changed?.Invoke(this);
    }

    private bool MoveCaret(int place)
    {
        _allSelected = false;
        _caret = Math.Clamp(place, 0, _text.Length);
        Invalidate();
        return true;
    }

    public override bool OnPointerDown(PointerEvent pointer)
    {
        var font = Theme.Font;
        MoveCaret(font.IndexAt(_text.ToString(), pointer.X - Bounds.X - InnerPadding + _scroll));
        return true;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        var font = theme.Font;
        canvas.Fill(Bounds, palette.Field);
        canvas.Outline(Bounds, IsFocused ? palette.Accent : palette.Border, IsFocused ? 2 : theme.BorderWidth);
        var inner = Bounds.Inflate(-InnerPadding);
        string text = _text.ToString();
        // Scroll so the caret shows.
        int caretX = font.Measure(text.AsSpan(0, _caret));
        if (caretX - _scroll > inner.Width - theme.CaretWidth)
            _scroll = caretX - inner.Width + theme.CaretWidth;
        if (caretX < _scroll)
            _scroll = caretX;
        int top = Bounds.Y + (Bounds.Height - font.LineHeight) / 2;
        canvas.PushClip(inner);
        if (text.Length == 0 && !IsFocused)
            font.DrawLine(canvas, Placeholder, inner.X, top, palette.MutedText);
        else if (_allSelected)
        {
            canvas.Fill(new Rect(inner.X - _scroll, top, font.Measure(text), font.LineHeight), palette.Selection);
            font.DrawLine(canvas, text, inner.X - _scroll, top, palette.SelectionText);
        }
        else
            font.DrawLine(canvas, text, inner.X - _scroll, top, palette.Text);
        if (IsFocused && !_allSelected)
            canvas.Fill(new Rect(inner.X + caretX - _scroll, top, theme.CaretWidth, font.LineHeight), palette.Text);
        canvas.Restore();
    }
}
