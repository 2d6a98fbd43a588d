using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

/// <summary>
/// Many lines of editable text (a TextDocument) in the mono font: a caret, the selection highlighted, scrolling that
/// keeps the caret in view both ways. Keys: characters, Enter, Backspace, Delete, Tab (spaces to the next multiple of
/// TabWidth columns, or a tab character when InsertSpacesForTab is off; tabs show as spaces to the next stop), arrows,
/// Home, End, Page Up and Down (Shift selects; Ctrl with Left/Right moves by words, with Home/End to the document's
/// ends), Ctrl+A, Ctrl+C, Ctrl+X, Ctrl+V (through Clipboard: in-application), Ctrl+Z, Ctrl+Y and Ctrl+Shift+Z. Keys it
/// does not take (Escape, other Ctrl keys) go on to its parents. A click places the caret, a drag selects, the wheel scrolls. Only the
/// lines an edit or a caret move touches are drawn again, unless the view scrolled.
/// </summary>
public sealed class TextArea : Widget
{
    public const int TabWidth = 4, WheelLines = 3;
    private const int InnerPadding = 4, MinimumWidth = 200, MinimumHeight = 100;
    private int _topLine, _scrollX;
    private bool _dragging;

    public TextArea(TextDocument? document = null)
    {
        Document = document ?? new TextDocument();
        Document.Changed += InvalidateLines;
    }

    public TextDocument Document { get; }
    public TextClipboard Clipboard { get; set; } = TextClipboard.Application;
    public bool InsertSpacesForTab { get; set; } = true;
    /// <summary>The font (the theme's mono font when null).</summary>
    public GlyphAtlas? Font { get; set; }
    public override bool Focusable => true;
    public int TopLine => _topLine;
    public int ScrollX => _scrollX;

    /// <summary>After a key or a click changed the text, the caret or the selection (a status line follows it).</summary>
    public event Action<TextArea>? CaretMoved;
    /// <summary>An edit refused, with why (a paste past TextDocument's limit).</summary>
    public event Action<string>? Problem;

    private GlyphAtlas FontOf(Theme theme) => Font ?? theme.Fonts.Mono;
    private int LineHeight => FontOf(Theme).LineHeight;
    /// <summary>Whole lines that fit (at least one).</summary>
    public int VisibleLines => Math.Max(1, (Bounds.Height - 2 * InnerPadding) / LineHeight);
    /// <summary>Where line 0's text would start (left edge, scrolled) and where 'line' shows (its top), in this widget's coordinates.</summary>
    public int TextLeft => Bounds.X + InnerPadding - _scrollX;
    public int LineTop(int line) => Bounds.Y + InnerPadding + (line - _topLine) * LineHeight;

    protected override (int Width, int Height) MeasureContent(Theme theme) => (MinimumWidth, MinimumHeight);

    protected override void ArrangeChildren(Theme theme)
    {
        base.ArrangeChildren(theme);
        ShowCaret();
    }

    /// <summary>The line with tabs turned into spaces up to the next stop, as drawn.</summary>
    public static string Expand(string line)
    {
        if (!line.Contains('\t'))
            return line;
        var expanded = new System.Text.StringBuilder(line.Length + 8);
        foreach (char character in line)
        {
            if (character == '\t')
                expanded.Append(' ', TabWidth - expanded.Length % TabWidth);
            else
                expanded.Append(character);
        }
        return expanded.ToString();
    }

    /// <summary>The drawn column of character 'column' in 'line' (tabs widen).</summary>
    public static int VisualColumn(string line, int column)
    {
        int visual = 0;
        for (int i = 0; i < column && i < line.Length; i++)
            visual += line[i] == '\t' ? TabWidth - visual % TabWidth : 1;
        return visual;
    }

    private int XOf(GlyphAtlas font, string line, int column)
        => font.Measure(Expand(line).AsSpan(0, VisualColumn(line, column)));

    /// <summary>The text position under (x, y) (this widget's coordinates; outside it, the nearest line's).</summary>
    public TextPosition PositionAt(int x, int y)
    {
        var font = FontOf(Theme);
        int fromTop = y - (Bounds.Y + InnerPadding);
        int line = Math.Clamp(_topLine + (int)Math.Floor(fromTop / (double)font.LineHeight), 0, Document.LineCount - 1);
        string text = Document.GetLine(line);
        int visual = font.IndexAt(Expand(text), x - TextLeft);
        int column = 0;
        while (column < text.Length && VisualColumn(text, column + 1) <= visual)
            column++;
        return new TextPosition(line, column);
    }

    /// <summary>Scrolls so that the caret shows (whole lines, and a few columns' room sideways).</summary>
    public void ShowCaret()
    {
        if (Window == null || Bounds.IsEmpty)
            return;
        var font = FontOf(Theme);
        var caret = Document.Caret;
        int top = _topLine, scrollX = _scrollX;
        top = Math.Min(top, caret.Line);
        top = Math.Max(top, caret.Line - VisibleLines + 1);
        int x = XOf(font, Document.GetLine(caret.Line), caret.Column);
        int width = Bounds.Width - 2 * InnerPadding - Theme.CaretWidth;
        int margin = Math.Min(width / 4, 4 * font.Measure("M"));
        if (x - scrollX > width)
            scrollX = x - width + margin;
        if (x < scrollX)
            scrollX = Math.Max(0, x - margin);
        ScrollTo(top, scrollX);
    }

    /// <summary>Shows 'top' as the first line (at most so far that the last line is at the bottom) and the text shifted left by 'scrollX' pixels.</summary>
    public void ScrollTo(int top, int scrollX)
    {
        top = Math.Clamp(top, 0, Math.Max(0, Document.LineCount - VisibleLines));   // no room left empty below the last line
        scrollX = Math.Max(0, scrollX);
        if (top == _topLine && scrollX == _scrollX)
            return;
        _topLine = top;
        _scrollX = scrollX;
        Invalidate();
    }

    /// <summary>Scrolls by 'lines' without moving the caret.</summary>
    public void ScrollBy(int lines) => ScrollTo(_topLine + lines, _scrollX);

    /// <summary>The wheel scrolls WheelLines lines a step (the caret stays where it is, out of view perhaps).</summary>
    public override bool OnWheel(PointerEvent pointer, int steps)
    {
        ScrollBy(steps * WheelLines);
        return true;
    }

    private void InvalidateLines(int first, int last)
    {
        if (Window == null || Bounds.IsEmpty)
            return;
        int top = Math.Max(Bounds.Y, LineTop(first));
        int bottom = last == int.MaxValue ? Bounds.Bottom : Math.Min(Bounds.Bottom, LineTop(last + 1));
        if (bottom > top)
            Invalidate(new Rect(Bounds.X, top, Bounds.Width, bottom - top));
    }

    public override bool OnKey(KeyEvent key)
    {
        var caret = Document.Caret;
        var anchor = Document.Anchor;
        bool handled;
        try
        {
            handled = Act(key);
        }
        catch (TextTooLargeException problem)
        {
            Problem?.Invoke(problem.Message);
            return true;
        }
        if (handled)
            Moved(caret, anchor);
        return handled;
    }

    /// <summary>After an action: the lines the caret and the selection left and reached are drawn again, the caret shown.</summary>
    private void Moved(TextPosition caret, TextPosition anchor)
    {
        var now = Document;
        int first = Math.Min(Math.Min(caret.Line, anchor.Line), Math.Min(now.Caret.Line, now.Anchor.Line));
        int last = Math.Max(Math.Max(caret.Line, anchor.Line), Math.Max(now.Caret.Line, now.Anchor.Line));
        InvalidateLines(first, last);
        ShowCaret();
        CaretMoved?.Invoke(this);
    }

    private bool Act(KeyEvent key)
    {
        var document = Document;
        bool select = key.Shift, control = key.Control;
        switch (key.Code)
        {
            case KeyCodes.Left when control: document.MoveWordLeft(select); return true;
            case KeyCodes.Right when control: document.MoveWordRight(select); return true;
            case KeyCodes.Left: document.MoveLeft(select); return true;
            case KeyCodes.Right: document.MoveRight(select); return true;
            case KeyCodes.Up: document.MoveUp(select); return true;
            case KeyCodes.Down: document.MoveDown(select); return true;
            case KeyCodes.Home when control: document.MoveToStart(select); return true;
            case KeyCodes.End when control: document.MoveToEnd(select); return true;
            case KeyCodes.Home: document.MoveHome(select); return true;
            case KeyCodes.End: document.MoveEnd(select); return true;
            case KeyCodes.PageUp:
                document.MoveLines(-VisibleLines, select);
                ScrollTo(_topLine - VisibleLines, _scrollX);
                return true;
            case KeyCodes.PageDown:
                document.MoveLines(VisibleLines, select);
                ScrollTo(_topLine + VisibleLines, _scrollX);
                return true;
            case KeyCodes.Backspace: document.DeleteBackward(); return true;
            case KeyCodes.Delete: document.DeleteForward(); return true;
            case KeyCodes.Enter: document.Type('\n'); return true;
            case KeyCodes.Tab when !control && !select:
                if (InsertSpacesForTab)
                    document.Insert(new string(' ', TabWidth - VisualColumn(document.GetLine(document.Caret.Line), document.Caret.Column) % TabWidth));
                else
                    document.Type('\t');
                return true;
        }
        if (key.IsShortcut('a'))
            document.SelectAll();
        else if (key.IsShortcut('c'))
            Copy();
        else if (key.IsShortcut('x'))
            Cut();
        else if (key.IsShortcut('v'))
            Paste();
        else if (key.IsShortcut('z') && select || key.IsShortcut('y'))
            document.Redo();
        else if (key.IsShortcut('z'))
            document.Undo();
        else if (key.IsText)
            document.Type(key.Character);
        else
            return false;
        return true;
    }

    public void Copy()
    {
        if (Document.HasSelection)
            Clipboard.Text = Document.SelectedText;
    }

    public void Cut()
    {
        if (!Document.HasSelection)
            return;
        Copy();
        Document.DeleteSelection();
    }

    public void Paste()
    {
        if (Clipboard.Text.Length > 0)
            Document.Insert(Clipboard.Text);
    }

    public override bool OnPointerDown(PointerEvent pointer)
    {
        var caret = Document.Caret;
        var anchor = Document.Anchor;
        Document.MoveTo(PositionAt(pointer.X, pointer.Y));
        _dragging = true;
        Moved(caret, anchor);
        return true;
    }

    public override bool OnPointerMove(PointerEvent pointer)
    {
        if (!_dragging || (pointer.Buttons & 1) == 0)
            return false;
        var caret = Document.Caret;
        var anchor = Document.Anchor;
        var position = PositionAt(pointer.X, pointer.Y);
        if (position == caret)
            return true;
        Document.MoveTo(position, select: true);
        Moved(caret, anchor);
        return true;
    }

    public override bool OnPointerUp(PointerEvent pointer)
    {
        _dragging = false;
        return true;
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        var palette = theme.Palette;
        var font = FontOf(theme);
        canvas.Fill(Bounds, palette.Field);
        canvas.Outline(Bounds, IsFocused ? palette.Accent : palette.Border, theme.BorderWidth);
        var inner = Bounds.Inflate(-theme.BorderWidth);
        var clip = canvas.Clip.Offset(-canvas.OriginX, -canvas.OriginY);
        var start = Document.SelectionStart;
        var end = Document.SelectionEnd;
        canvas.PushClip(inner);
        int lineHeight = font.LineHeight;
        for (int line = _topLine; line < Document.LineCount; line++)
        {
            int top = LineTop(line);
            if (top >= inner.Bottom)
                break;
            var row = new Rect(inner.X, top, inner.Width, lineHeight);
            if (!row.Intersects(clip))
                continue;
            string text = Document.GetLine(line);
            string shown = Expand(text);
            font.DrawLine(canvas, shown, TextLeft, top, palette.Text);
            if (line < start.Line || line > end.Line || start == end)
                continue;
            // The selection: its box, and the text again over it in the selection's colour. A selected line break shows as a space's width.
            int from = line == start.Line ? XOf(font, text, start.Column) : 0;
            int to = line == end.Line ? XOf(font, text, end.Column) : font.Measure(shown) + font.Measure(" ");
            var selected = new Rect(TextLeft + from, top, to - from, lineHeight);
            canvas.Fill(selected, palette.Selection);
            canvas.PushClip(selected);
            font.DrawLine(canvas, shown, TextLeft, top, palette.SelectionText);
            canvas.Restore();
        }
        if (IsFocused)
        {
            var caret = Document.Caret;
            int x = TextLeft + XOf(font, Document.GetLine(caret.Line), caret.Column);
            canvas.Fill(new Rect(x, LineTop(caret.Line), theme.CaretWidth, lineHeight), palette.Text);
        }
        canvas.Restore();
    }
}
