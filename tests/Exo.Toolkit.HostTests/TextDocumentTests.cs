using System.Text;
using Exo.Toolkit.Text;

namespace Exo.Toolkit.HostTests;

/// <summary>The text editor's model: edits, moves, selection, undo and redo, the saved point, files in and out, limits.</summary>
public sealed class TextDocumentTests
{
    private static TextDocument Typed(string text)
    {
        var document = new TextDocument();
        foreach (char character in text)
            document.Type(character);
        return document;
    }

    [Fact]
    public void Typing_and_line_breaks_make_lines_and_move_the_caret()
    {
        var document = Typed("hello\nworld");
        Assert.Equal(2, document.LineCount);
        Assert.Equal("hello", document.GetLine(0));
        Assert.Equal("world", document.GetLine(1));
        Assert.Equal(new TextPosition(1, 5), document.Caret);
        Assert.Equal("hello\nworld", document.ToText());
        Assert.Equal(11, document.Length);
        Assert.True(document.Modified);
    }

    [Fact]
    public void Backspace_at_a_line_start_joins_the_lines_and_delete_at_an_end_too()
    {
        var document = TextDocument.FromText("ab\ncd");
        document.MoveTo(new TextPosition(1, 0));
        document.DeleteBackward();
        Assert.Equal("abcd", document.ToText());
        Assert.Equal(new TextPosition(0, 2), document.Caret);
        document.DeleteBackward();
        Assert.Equal("acd", document.ToText());
        document.MoveToStart();
        document.DeleteBackward();   // nothing before the start
        Assert.Equal("acd", document.ToText());
        document.Type('\n');
        document.MoveToStart();
        document.DeleteForward();    // the line break after an empty first line
        Assert.Equal("acd", document.ToText());
        document.MoveToEnd();
        document.DeleteForward();    // nothing after the end
        Assert.Equal("acd", document.ToText());
    }

    [Fact]
    public void A_selection_across_lines_is_deleted_or_replaced_by_typing()
    {
        var document = TextDocument.FromText("one\ntwo\nthree");
        document.MoveTo(new TextPosition(0, 1));
        document.MoveDown(select: true);
        document.MoveDown(select: true);
        Assert.Equal(new TextPosition(2, 1), document.Caret);
        Assert.Equal(new TextPosition(0, 1), document.Anchor);
        Assert.Equal("ne\ntwo\nt", document.SelectedText);
        document.Type('X');
        Assert.Equal("oXhree", document.ToText());
        Assert.False(document.HasSelection);

        document.SelectAll();
        Assert.Equal("oXhree", document.SelectedText);
        document.DeleteBackward();
        Assert.Equal("", document.ToText());
        Assert.Equal(1, document.LineCount);
    }

    [Fact]
    public void Left_and_right_without_shift_collapse_a_selection_to_its_ends()
    {
        var document = TextDocument.FromText("abcdef");
        document.MoveTo(new TextPosition(0, 2));
        document.MoveRight(select: true);
        document.MoveRight(select: true);
        document.MoveLeft();
        Assert.Equal(new TextPosition(0, 2), document.Caret);
        Assert.False(document.HasSelection);
        document.MoveRight(select: true);
        document.MoveRight();
        Assert.Equal(new TextPosition(0, 3), document.Caret);
    }

    [Fact]
    public void Vertical_moves_keep_the_wanted_column_across_short_lines()
    {
        var document = TextDocument.FromText("a long line\nab\n\nanother long line");
        document.MoveTo(new TextPosition(0, 8));
        document.MoveDown();
        Assert.Equal(new TextPosition(1, 2), document.Caret);
        document.MoveDown();
        Assert.Equal(new TextPosition(2, 0), document.Caret);
        document.MoveDown();
        Assert.Equal(new TextPosition(3, 8), document.Caret);
        document.MoveUp();
        document.MoveUp();
        document.MoveUp();
        Assert.Equal(new TextPosition(0, 8), document.Caret);
        // A sideways move forgets the column.
        document.MoveDown();
        document.MoveLeft();
        document.MoveDown();
        document.MoveDown();
        Assert.Equal(new TextPosition(3, 1), document.Caret);
        // Past the last line: the end; past the first: the start.
        document.MoveDown();
        Assert.Equal(document.End, document.Caret);
        document.MoveLines(-100);
        Assert.Equal(new TextPosition(0, 0), document.Caret);
        document.MoveEnd();
        Assert.Equal(new TextPosition(0, 11), document.Caret);
        document.MoveHome(select: true);
        Assert.Equal("a long line", document.SelectedText);
    }

    [Fact]
    public void Word_moves_stop_at_word_ends_and_line_breaks()
    {
        var document = TextDocument.FromText("one two  three\nfour");
        document.MoveWordRight();
        Assert.Equal(new TextPosition(0, 3), document.Caret);
        document.MoveWordRight();
        Assert.Equal(new TextPosition(0, 7), document.Caret);
        document.MoveWordRight();
        document.MoveWordRight();
        Assert.Equal(new TextPosition(1, 0), document.Caret);
        document.MoveWordLeft();
        Assert.Equal(new TextPosition(0, 14), document.Caret);
        document.MoveWordLeft();
        Assert.Equal(new TextPosition(0, 9), document.Caret);
    }

    [Fact]
    public void Undo_takes_back_a_run_of_typing_at_once_and_redo_puts_it_back()
    {
        var document = Typed("hello");
        document.Type(' ');
        document.MoveLeft();
        document.MoveRight();   // a move ends the run
        foreach (char character in "world")
            document.Type(character);
        Assert.Equal("hello world", document.ToText());
        document.Undo();
        Assert.Equal("hello ", document.ToText());
        Assert.Equal(new TextPosition(0, 6), document.Caret);
        document.Undo();
        Assert.Equal("", document.ToText());
        Assert.False(document.CanUndo);
        Assert.False(document.Modified);
        document.Redo();
        document.Redo();
        Assert.Equal("hello world", document.ToText());
        Assert.Equal(new TextPosition(0, 11), document.Caret);
        Assert.False(document.CanRedo);
        // A new edit after an undo drops the redo.
        document.Undo();
        document.Type('!');
        Assert.False(document.CanRedo);
        Assert.Equal("hello !", document.ToText());
    }

    [Fact]
    public void Undo_of_deletions_and_line_breaks_restores_text_and_selection()
    {
        var document = TextDocument.FromText("first\nsecond");
        document.MoveTo(new TextPosition(0, 2));
        document.MoveTo(new TextPosition(1, 3), select: true);
        document.DeleteSelection();
        Assert.Equal("fiond", document.ToText());
        document.Type('\n');
        Assert.Equal("fi\nond", document.ToText());
        document.Undo();
        Assert.Equal("fiond", document.ToText());
        document.Undo();
        Assert.Equal("first\nsecond", document.ToText());
        Assert.Equal(new TextPosition(1, 3), document.Caret);
        Assert.Equal(new TextPosition(0, 2), document.Anchor);
        document.MoveToEnd();
        document.DeleteBackward();
        document.DeleteBackward();
        Assert.Equal("first\nseco", document.ToText());
        document.Undo();
        Assert.Equal("first\nsecon", document.ToText());
        Assert.False(document.HasSelection);
    }

    [Fact]
    public void The_saved_point_is_unmodified_also_when_undo_and_redo_come_back_to_it()
    {
        var document = TextDocument.FromText("text");
        Assert.False(document.Modified);
        document.MoveToEnd();
        document.Type('s');
        Assert.True(document.Modified);
        document.MarkSaved();
        Assert.False(document.Modified);
        document.Type('!');   // after a save, typing starts a new undo step
        Assert.True(document.Modified);
        document.Undo();
        Assert.False(document.Modified);
        Assert.Equal("texts", document.ToText());
        document.Undo();
        Assert.True(document.Modified);
        document.Redo();
        Assert.False(document.Modified);
    }

    [Theory]
    [InlineData("one\ntwo\n")]
    [InlineData("one\ntwo")]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("one\r\ntwo\r\n")]
    [InlineData("one\r\ntwo")]
    [InlineData("a\rb\nc")]
    [InlineData("\uFEFFwith a byte order mark\n")]
    public void Text_survives_a_load_and_save_exactly(string text)
    {
        var document = TextDocument.FromText(text);
        Assert.Equal(text, document.ToText());
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(bytes, TextDocument.FromText(TextDocument.Decode(bytes)).Encode());
    }

    [Fact]
    public void A_trailing_line_break_is_an_empty_last_line_and_edits_keep_the_line_ending()
    {
        var document = TextDocument.FromText("one\r\ntwo\r\n");
        Assert.Equal("\r\n", document.LineEnding);
        Assert.True(document.EndsWithNewline);
        Assert.Equal(3, document.LineCount);
        document.MoveToEnd();
        foreach (char character in "three")
            document.Type(character);
        Assert.False(document.EndsWithNewline);
        Assert.Equal("one\r\ntwo\r\nthree", document.ToText());
        document.Type('\n');
        Assert.Equal("one\r\ntwo\r\nthree\r\n", document.ToText());
        Assert.Equal("\n", TextDocument.FromText("a\nb").LineEnding);
    }

    [Fact]
    public void Pasted_text_with_line_breaks_is_one_undo_step()
    {
        var document = TextDocument.FromText("[]");
        document.MoveTo(new TextPosition(0, 1));
        document.Insert("a\r\nb\nc");
        Assert.Equal("[a\nb\nc]", document.ToText());
        Assert.Equal(new TextPosition(2, 1), document.Caret);
        document.Undo();
        Assert.Equal("[]", document.ToText());
    }

    [Fact]
    public void Binary_invalid_and_too_large_files_are_refused_with_the_reason()
    {
        var binary = Assert.Throws<InvalidDataException>(() => TextDocument.Decode([0x7F, (byte)'E', (byte)'L', (byte)'F', 0, 1]));
        Assert.Contains("binary", binary.Message, StringComparison.Ordinal);
        Assert.Contains("offset 4", binary.Message, StringComparison.Ordinal);
        var invalid = Assert.Throws<InvalidDataException>(() => TextDocument.Decode([(byte)'a', 0xC3, 0x28]));
        Assert.Contains("UTF-8", invalid.Message, StringComparison.Ordinal);
        Assert.Equal("é", TextDocument.Decode([0xC3, 0xA9]));
        var large = Assert.Throws<TextTooLargeException>(() => TextDocument.Decode(new byte[TextDocument.MaximumFileBytes + 1]));
        Assert.Contains("limit", large.Message, StringComparison.Ordinal);
        Assert.Equal(TextDocument.MaximumFileBytes, TextDocument.Decode(Enumerable.Repeat((byte)'x', TextDocument.MaximumFileBytes).ToArray()).Length);
    }

    [Fact]
    public void An_edit_past_the_limit_is_refused_and_leaves_the_text_as_it_was()
    {
        var document = TextDocument.FromText(new string('x', TextDocument.MaximumCharacters - 2));
        document.MoveToEnd();
        document.Insert("ab");
        Assert.Equal(TextDocument.MaximumCharacters, document.Length);
        Assert.Throws<TextTooLargeException>(() => document.Type('c'));
        Assert.Equal(TextDocument.MaximumCharacters, document.Length);
        document.DeleteBackward();
        document.Type('c');   // in place of a deleted one: fits
        Assert.EndsWith("ac", document.ToText(), StringComparison.Ordinal);
        Assert.Throws<TextTooLargeException>(() => TextDocument.FromText(new string('y', TextDocument.MaximumCharacters + 1)));
    }

    [Fact]
    public void Undo_keeps_at_most_its_limit_of_steps()
    {
        var document = new TextDocument();
        for (int i = 0; i < TextDocument.MaximumUndoSteps + 5; i++)
            document.Type('\n');   // a line break is a step of its own
        int undone = 0;
        while (document.CanUndo)
        {
            document.Undo();
            undone++;
        }
        Assert.Equal(TextDocument.MaximumUndoSteps, undone);
        Assert.Equal(6, document.LineCount);
    }

    [Fact]
    public void Changes_name_the_lines_they_touch()
    {
        var document = TextDocument.FromText("a\nb\nc");
        var changes = new List<(int First, int Last)>();
        document.Changed += (first, last) => changes.Add((first, last));
        document.MoveTo(new TextPosition(1, 1));
        document.Type('x');
        document.Type('\n');
        Assert.Equal([(1, 1), (1, int.MaxValue)], changes);
    }
}
