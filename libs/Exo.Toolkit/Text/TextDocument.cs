using System.Text;

namespace Exo.Toolkit.Text;

/// <summary>
/// A text editor's model, without drawing (host-testable): the text as lines, a caret and a selection (from Anchor to
/// Caret), edits (typing, pasting, deleting), moves (the column wanted on vertical moves is kept across short lines),
/// undo and redo (consecutive typing is one step; at most MaximumUndoSteps), a saved point (Modified), and the file's
/// text in and out. What is shown is what is saved: a file ending with a line break has an empty last line here, so
/// its trailing line break, or the lack of one, survives a load and save unchanged. The line ending is the file's first
/// ("\r\n" or "\n"): a file that mixes both is written with that one. At most MaximumCharacters characters.
/// </summary>
public sealed class TextDocument
{
    /// <summary>The largest file Decode takes, and so (at one byte a character) the most characters a document holds.</summary>
    public const int MaximumFileBytes = 8 * 1024 * 1024;
    public const int MaximumCharacters = MaximumFileBytes;
    public const int MaximumUndoSteps = 1000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly List<string> _lines = [""];
    private readonly List<Edit> _undo = [], _redo = [];
    private int _length;
    private long _state, _savedState, _lastState;
    private int? _wantedColumn;
    // The last edit was a typed character that the next typed one may join (one undo step for a run of typing).
    private bool _typingOpen;

    /// <summary>Lines that changed: the first and the last (int.MaxValue: every line from the first on, as lines came or went).</summary>
    public event Action<int, int>? Changed;

    public string LineEnding { get; private set; } = "\n";
    public int LineCount => _lines.Count;
    /// <summary>Characters, each line break counted as one.</summary>
    public int Length => _length;
    public TextPosition Caret { get; private set; }
    public TextPosition Anchor { get; private set; }
    public bool HasSelection => Caret != Anchor;
    public TextPosition SelectionStart => TextPosition.Min(Caret, Anchor);
    public TextPosition SelectionEnd => TextPosition.Max(Caret, Anchor);
    public bool Modified => _state != _savedState;
    public bool CanUndo => _undo.Count > 0;
    public bool CanRedo => _redo.Count > 0;
    public bool EndsWithNewline => _lines.Count > 1 && _lines[^1].Length == 0;
    public string SelectedText => TextBetween(SelectionStart, SelectionEnd);

    public string GetLine(int line) => _lines[line];

    public static TextDocument FromText(string text)
    {
        var document = new TextDocument();
        document.Load(text);
        return document;
    }

    /// <summary>A file's bytes as text: UTF-8 (a byte order mark is kept as U+FEFF and written back); a NUL byte, invalid
    /// UTF-8 or more than MaximumFileBytes is refused with the reason (binary files and images are not text).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaximumFileBytes)
            throw new TextTooLargeException($"the file has {bytes.Length} bytes, more than the editor's limit of {MaximumFileBytes}");
        int zero = bytes.IndexOf((byte)0);
        if (zero >= 0)
            throw new InvalidDataException($"a binary file (a NUL byte at offset {zero})");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException problem)
        {
            throw new InvalidDataException($"not UTF-8 text (an invalid byte near offset {Math.Max(0, problem.Index)})");
        }
    }

    /// <summary>The text as a file's bytes (UTF-8, no byte order mark added).</summary>
    public byte[] Encode() => StrictUtf8.GetBytes(ToText());

    /// <summary>Replaces everything with 'text' (a file's): the caret at the start, no undo history, not modified.</summary>
    public void Load(string text)
    {
        if (text.Length > MaximumCharacters)
            throw new TextTooLargeException($"{text.Length} characters, more than the editor's limit of {MaximumCharacters}");
        int firstBreak = text.IndexOf('\n');
        LineEnding = firstBreak > 0 && text[firstBreak - 1] == '\r' ? "\r\n" : "\n";
        _lines.Clear();
        string[] parts = text.Split('\n');
        for (int i = 0; i < parts.Length; i++)
        {
            // Only a '\r' that ends a "\r\n" belongs to the line ending; another stays in the text.
            bool crlf = LineEnding == "\r\n" && i < parts.Length - 1 && parts[i].EndsWith('\r');
            _lines.Add(crlf ? parts[i][..^1] : parts[i]);
        }
        _length = _lines.Sum(line => line.Length) + _lines.Count - 1;
        _undo.Clear();
        _redo.Clear();
        Caret = Anchor = default;
        _wantedColumn = null;
        _typingOpen = false;
        _state = _savedState = ++_lastState;
        Changed?.Invoke(0, int.MaxValue);
    }

    public string ToText() => string.Join(LineEnding, _lines);

    /// <summary>The text as it is now was saved: Modified is false until the next edit (or an undo back past this point).</summary>
    public void MarkSaved()
    {
        _savedState = _state;
        _typingOpen = false;
    }

    /// <summary>The text from 'start' to 'end', lines joined with "\n".</summary>
    public string TextBetween(TextPosition start, TextPosition end)
    {
        start = Clamp(start);
        end = Clamp(end);
        if (start.Line == end.Line)
            return _lines[start.Line][start.Column..Math.Max(start.Column, end.Column)];
        var text = new StringBuilder(_lines[start.Line], start.Column, _lines[start.Line].Length - start.Column, 64);
        for (int line = start.Line + 1; line < end.Line; line++)
            text.Append('\n').Append(_lines[line]);
        return text.Append('\n').Append(_lines[end.Line], 0, end.Column).ToString();
    }

    public TextPosition Clamp(TextPosition position)
    {
        int line = Math.Clamp(position.Line, 0, _lines.Count - 1);
        return new TextPosition(line, Math.Clamp(position.Column, 0, _lines[line].Length));
    }

    // Edits.

    /// <summary>A typed character in place of the selection; a run of typing is one undo step.</summary>
    public void Type(char character) => Replace(character.ToString(), typing: character != '\n');

    /// <summary>Text (pasted: "\r\n" and lone "\r" become line breaks) in place of the selection; one undo step.</summary>
    public void Insert(string text) => Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), typing: false);

    /// <summary>Backspace: the selection, or the character before the caret (at a line's start, the line break before it).</summary>
    public void DeleteBackward()
    {
        if (!HasSelection)
        {
            if (Caret != default)
                Replace(Before(Caret), Caret, "", typing: false);
            return;
        }
        Replace("", typing: false);
    }

    /// <summary>Delete: the selection, or the character after the caret (at a line's end, the line break after it).</summary>
    public void DeleteForward()
    {
        if (!HasSelection)
        {
            if (Caret != End)
                Replace(Caret, After(Caret), "", typing: false);
            return;
        }
        Replace("", typing: false);
    }

    public void DeleteSelection()
    {
        if (HasSelection)
            Replace("", typing: false);
    }

    private void Replace(string text, bool typing) => Replace(SelectionStart, SelectionEnd, text, typing);

    /// <summary>Puts 'text' in place of [start, end) as one undo step (or joined to the open typing step).</summary>
    private void Replace(TextPosition start, TextPosition end, string text, bool typing)
    {
        int removedLength = CharactersBetween(start, end);
        if ((long)_length - removedLength + text.Length > MaximumCharacters)
            throw new TextTooLargeException($"the text would have {(long)_length - removedLength + text.Length} characters, more than the editor's limit of {MaximumCharacters}");
        if (removedLength == 0 && text.Length == 0)
            return;
        // A typed character right after the previous one joins its undo step.
        if (typing && _typingOpen && removedLength == 0 && _undo.Count > 0 && _undo[^1].InsertedEnd == start)
        {
            var open = _undo[^1];
            Apply(start, end, text);
            open.Inserted += text;
            open.CaretAfter = Caret;
            open.StateAfter = _state = ++_lastState;
            _redo.Clear();
            return;
        }
        var edit = new Edit
        {
            Start = start, Removed = TextBetween(start, end), Inserted = text, CaretBefore = Caret, AnchorBefore = Anchor,
            StateBefore = _state,
        };
        Apply(start, end, text);
        edit.CaretAfter = Caret;
        edit.StateAfter = _state = ++_lastState;
        _undo.Add(edit);
        if (_undo.Count > MaximumUndoSteps)
            _undo.RemoveAt(0);
        _redo.Clear();
        _typingOpen = typing;
    }

    /// <summary>Takes out [start, end), puts 'text' there and the caret (without a selection) after it.</summary>
    private void Apply(TextPosition start, TextPosition end, string text)
    {
        string before = _lines[start.Line][..start.Column], after = _lines[end.Line][end.Column..];
        _length -= CharactersBetween(start, end);
        _lines.RemoveRange(start.Line, end.Line - start.Line + 1);
        string[] parts = (before + text + after).Split('\n');
        _lines.InsertRange(start.Line, parts);
        _length += text.Length;
        var caretLine = start.Line + parts.Length - 1;
        Caret = Anchor = new TextPosition(caretLine, _lines[caretLine].Length - after.Length);
        _wantedColumn = null;
        Changed?.Invoke(start.Line, parts.Length == 1 && end.Line == start.Line ? start.Line : int.MaxValue);
    }

    private int CharactersBetween(TextPosition start, TextPosition end)
    {
        if (start.Line == end.Line)
            return end.Column - start.Column;
        int count = _lines[start.Line].Length - start.Column + 1 + end.Column;
        for (int line = start.Line + 1; line < end.Line; line++)
            count += _lines[line].Length + 1;
        return count;
    }

    public void Undo()
    {
        if (_undo.Count == 0)
            return;
        var edit = _undo[^1];
        _undo.RemoveAt(_undo.Count - 1);
        Apply(edit.Start, edit.InsertedEnd, edit.Removed);
        Caret = edit.CaretBefore;
        Anchor = edit.AnchorBefore;
        _state = edit.StateBefore;
        _redo.Add(edit);
        _typingOpen = false;
    }

    public void Redo()
    {
        if (_redo.Count == 0)
            return;
        var edit = _redo[^1];
        _redo.RemoveAt(_redo.Count - 1);
        Apply(edit.Start, EndOf(edit.Start, edit.Removed), edit.Inserted);
        Caret = Anchor = edit.CaretAfter;
        _state = edit.StateAfter;
        _undo.Add(edit);
        _typingOpen = false;
    }

    // Moves: 'select' keeps the anchor (Shift held), otherwise the selection goes.

    public TextPosition End => new(_lines.Count - 1, _lines[^1].Length);

    public void MoveTo(TextPosition position, bool select = false) => Place(Clamp(position), select, keepWantedColumn: false);

    public void MoveLeft(bool select = false)
        => Place(HasSelection && !select ? SelectionStart : Before(Caret), select, keepWantedColumn: false);

    public void MoveRight(bool select = false)
        => Place(HasSelection && !select ? SelectionEnd : After(Caret), select, keepWantedColumn: false);

    public void MoveUp(bool select = false) => MoveLines(-1, select);
    public void MoveDown(bool select = false) => MoveLines(1, select);

    /// <summary>Up or down by 'lines' (a page), to the wanted column or the line's end when it is shorter; past the first
    /// or last line, to the document's start or end.</summary>
    public void MoveLines(int lines, bool select = false)
    {
        int wanted = _wantedColumn ?? Caret.Column;
        int target = Caret.Line + lines;
        TextPosition position = target < 0 ? default
            : target >= _lines.Count ? End
            : new TextPosition(target, Math.Min(wanted, _lines[target].Length));
        Place(position, select, keepWantedColumn: target >= 0 && target < _lines.Count);
        if (target >= 0 && target < _lines.Count)
            _wantedColumn = wanted;
    }

    public void MoveHome(bool select = false) => Place(new TextPosition(Caret.Line, 0), select, keepWantedColumn: false);
    public void MoveEnd(bool select = false) => Place(new TextPosition(Caret.Line, _lines[Caret.Line].Length), select, keepWantedColumn: false);
    public void MoveToStart(bool select = false) => Place(default, select, keepWantedColumn: false);
    public void MoveToEnd(bool select = false) => Place(End, select, keepWantedColumn: false);

    /// <summary>To the start of the previous word (or line break).</summary>
    public void MoveWordLeft(bool select = false)
    {
        var position = Caret;
        if (position.Column == 0)
        {
            Place(Before(position), select, keepWantedColumn: false);
            return;
        }
        string line = _lines[position.Line];
        int column = position.Column;
        while (column > 0 && char.IsWhiteSpace(line[column - 1]))
            column--;
        while (column > 0 && !char.IsWhiteSpace(line[column - 1]))
            column--;
        Place(position with { Column = column }, select, keepWantedColumn: false);
    }

    /// <summary>To the end of the next word (or line break).</summary>
    public void MoveWordRight(bool select = false)
    {
        var position = Caret;
        string line = _lines[position.Line];
        if (position.Column == line.Length)
        {
            Place(After(position), select, keepWantedColumn: false);
            return;
        }
        int column = position.Column;
        while (column < line.Length && char.IsWhiteSpace(line[column]))
            column++;
        while (column < line.Length && !char.IsWhiteSpace(line[column]))
            column++;
        Place(position with { Column = column }, select, keepWantedColumn: false);
    }

    public void SelectAll()
    {
        Anchor = default;
        Caret = End;
        _wantedColumn = null;
        _typingOpen = false;
    }

    private void Place(TextPosition position, bool select, bool keepWantedColumn)
    {
        Caret = position;
        if (!select)
            Anchor = position;
        if (!keepWantedColumn)
            _wantedColumn = null;
        _typingOpen = false;
    }

    /// <summary>One character back (a surrogate pair is one), or to the previous line's end.</summary>
    private TextPosition Before(TextPosition position)
    {
        if (position.Column == 0)
            return position.Line == 0 ? position : new TextPosition(position.Line - 1, _lines[position.Line - 1].Length);
        string line = _lines[position.Line];
        int column = position.Column - 1;
        if (column > 0 && char.IsLowSurrogate(line[column]) && char.IsHighSurrogate(line[column - 1]))
            column--;
        return position with { Column = column };
    }

    private TextPosition After(TextPosition position)
    {
        string line = _lines[position.Line];
        if (position.Column >= line.Length)
            return position.Line == _lines.Count - 1 ? position : new TextPosition(position.Line + 1, 0);
        int column = position.Column + 1;
        if (column < line.Length && char.IsLowSurrogate(line[column]) && char.IsHighSurrogate(line[column - 1]))
            column++;
        return position with { Column = column };
    }

    /// <summary>Where 'text' ends when put at 'start'.</summary>
    private static TextPosition EndOf(TextPosition start, string text)
    {
        int lastBreak = text.LastIndexOf('\n');
        if (lastBreak < 0)
            return start with { Column = start.Column + text.Length };
        return new TextPosition(start.Line + text.Count(c => c == '\n'), text.Length - lastBreak - 1);
    }

    /// <summary>One undo step: at Start, Removed was replaced by Inserted.</summary>
    private sealed class Edit
    {
        public TextPosition Start;
        public string Removed = "", Inserted = "";
        public TextPosition CaretBefore, AnchorBefore, CaretAfter;
        public long StateBefore, StateAfter;
        public TextPosition InsertedEnd => EndOf(Start, Inserted);
    }
}
