using Exo.Protocols.Compositor;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Exo.Toolkit.HostTests;

/// <summary>The multi-line text widget through the window's dispatch: keys, shortcuts, the pointer, scrolling, drawing and damage.</summary>
public sealed class TextAreaTests
{
    private static readonly Palette Light = Palette.Light;

    private static (WindowDriver Driver, TextArea Area) Editing(string text = "", int width = 400, int height = 300)
    {
        var area = new TextArea(TextDocument.FromText(text)) { Stretch = 1, Clipboard = new TextClipboard() };
        var driver = new WindowDriver(new Column(area), width, height);
        driver.Window.SetFocus(area);
        driver.Render();
        return (driver, area);
    }

    [Fact]
    public void Typing_enter_and_backspace_across_lines_edit_the_document()
    {
        var (driver, area) = Editing();
        driver.Type("hello");
        driver.Key(KeyCodes.Enter);
        driver.Type("world");
        Assert.Equal("hello\nworld", area.Document.ToText());
        driver.Key(KeyCodes.Home);
        driver.Key(KeyCodes.Backspace);
        Assert.Equal("helloworld", area.Document.ToText());
        driver.Key(KeyCodes.Delete);
        Assert.Equal("helloorld", area.Document.ToText());
    }

    [Fact]
    public void Shift_selects_and_cut_copy_paste_go_through_the_clipboard()
    {
        var (driver, area) = Editing("one two");
        driver.Key(KeyCodes.End);
        for (int i = 0; i < 3; i++)
            driver.Key(KeyCodes.Left, modifiers: KeyModifierBits.Shift);
        Assert.Equal("two", area.Document.SelectedText);
        driver.Control('c');
        Assert.Equal("two", area.Clipboard.Text);
        driver.Key(KeyCodes.Home);
        driver.Control('v');
        Assert.Equal("twoone two", area.Document.ToText());
        driver.Key(KeyCodes.Right, modifiers: KeyModifierBits.Shift | KeyModifierBits.Control);
        Assert.Equal("one", area.Document.SelectedText);
        driver.Control('x');
        Assert.Equal("two two", area.Document.ToText());
        Assert.Equal("one", area.Clipboard.Text);
        driver.Control('a');
        driver.Key(KeyCodes.Backspace);
        Assert.Equal("", area.Document.ToText());
    }

    [Fact]
    public void Ctrl_z_undoes_and_ctrl_y_or_ctrl_shift_z_redoes()
    {
        var (driver, area) = Editing();
        driver.Type("abc");
        driver.Key(KeyCodes.Enter);
        driver.Type("def");
        driver.Control('z');
        Assert.Equal("abc\n", area.Document.ToText());
        driver.Control('z');
        driver.Control('z');
        Assert.Equal("", area.Document.ToText());
        driver.Control('y');
        Assert.Equal("abc", area.Document.ToText());
        driver.Control('z', shift: true);
        Assert.Equal("abc\n", area.Document.ToText());
    }

    [Fact]
    public void Tab_inserts_spaces_to_the_next_stop_and_tabs_show_as_spaces()
    {
        var (driver, area) = Editing();
        driver.Type("ab");
        driver.Key(KeyCodes.Tab);
        Assert.Equal("ab  ", area.Document.ToText());
        Assert.Same(area, driver.Window.Focused);   // the focus stayed
        area.InsertSpacesForTab = false;
        driver.Key(KeyCodes.Tab);
        Assert.Equal("ab  \t", area.Document.ToText());
        Assert.Equal("ab      x", TextArea.Expand("ab  \tx"));
        Assert.Equal(8, TextArea.VisualColumn("ab  \tx", 5));
    }

    [Fact]
    public void Keys_the_area_does_not_take_go_to_its_parents()
    {
        var area = new TextArea { Stretch = 1 };
        var keys = new List<KeyEvent>();
        var parent = new KeyCatcher(keys, area);
        var driver = new WindowDriver(parent);
        driver.Window.SetFocus(area);
        driver.Control('s');
        driver.Key(KeyCodes.Escape);
        driver.Type("x");
        Assert.Equal(2, keys.Count);
        Assert.True(keys[0].IsShortcut('s'));
        Assert.Equal(KeyCodes.Escape, keys[1].Code);
        Assert.Equal("x", area.Document.ToText());
    }

    [Fact]
    public void A_click_places_the_caret_and_a_drag_selects()
    {
        var (driver, area) = Editing("first line\nsecond line\nthird");
        var font = TestFonts.Fonts.Mono;
        int cell = font.Measure("M");
        var box = area.ToWindow(area.Bounds);
        int X(int column) => box.X + area.TextLeft - area.Bounds.X + column * cell + cell / 4;
        int Y(int line) => box.Y + area.LineTop(line) - area.Bounds.Y + font.LineHeight / 2;
        driver.Click(X(3), Y(1));
        Assert.Equal(new TextPosition(1, 3), area.Document.Caret);
        Assert.False(area.Document.HasSelection);

        driver.Send(CompositorEventKind.PointerMotion, X(1), Y(0));
        driver.Send(CompositorEventKind.PointerButton, X(1), Y(0), code: 1);
        driver.Send(CompositorEventKind.PointerMotion, X(2), Y(2), code: 1);
        driver.Send(CompositorEventKind.PointerButton, X(2), Y(2), code: 0);
        Assert.Equal("irst line\nsecond line\nth", area.Document.SelectedText);
        // Past the last line's end: the end of the text.
        driver.Click(box.Right - 5, box.Bottom - 5);
        Assert.Equal(area.Document.End, area.Document.Caret);
    }

    [Fact]
    public void The_view_scrolls_to_keep_the_caret_in_view_both_ways()
    {
        var (driver, area) = Editing(width: 300, height: 150);
        for (int i = 0; i < 40; i++)
        {
            driver.Type($"line {i}");
            driver.Key(KeyCodes.Enter);
        }
        Assert.Equal(40, area.Document.Caret.Line);
        Assert.True(area.TopLine > 0);
        Assert.True(area.LineTop(40) + TestFonts.Fonts.Mono.LineHeight <= area.Bounds.Bottom, "the caret's line is in view");
        driver.Key(KeyCodes.Home, modifiers: KeyModifierBits.Control);
        Assert.Equal(0, area.TopLine);
        driver.Key(KeyCodes.PageDown);
        Assert.Equal(area.VisibleLines, area.Document.Caret.Line);

        driver.Key(KeyCodes.End, modifiers: KeyModifierBits.Control);
        driver.Type(new string('w', 80));
        Assert.True(area.ScrollX > 0, "scrolled sideways to the caret");
        driver.Key(KeyCodes.Home);
        Assert.Equal(0, area.ScrollX);
        area.ScrollBy(-100);
        Assert.Equal(0, area.TopLine);
    }

    [Fact]
    public void The_wheel_scrolls_the_text_without_moving_the_caret_and_stops_at_the_last_page()
    {
        var (driver, area) = Editing(string.Join("\n", Enumerable.Range(1, 100).Select(i => $"line {i}")), width: 300, height: 150);
        var box = area.ToWindow(area.Bounds);
        driver.Send(CompositorEventKind.PointerWheel, box.X + 20, box.Y + 20, width: 2);   // Width's bytes are WheelSteps
        Assert.Equal(2 * TextArea.WheelLines, area.TopLine);
        Assert.Equal(new TextPosition(0, 0), area.Document.Caret);
        driver.Send(CompositorEventKind.PointerWheel, box.X + 20, box.Y + 20, width: -1);
        Assert.Equal(TextArea.WheelLines, area.TopLine);
        driver.Send(CompositorEventKind.PointerWheel, box.X + 20, box.Y + 20, width: 1000);
        Assert.Equal(100 - area.VisibleLines, area.TopLine);
        // Typing brings the caret back into view.
        driver.Type("x");
        Assert.Equal(0, area.TopLine);
    }

    [Fact]
    public void The_wheel_over_a_scroll_views_content_scrolls_the_view()
    {
        var content = new Column(Enumerable.Range(1, 40).Select(i => (Widget)new Label($"row {i}")).ToArray());
        var view = new ScrollView(content) { Stretch = 1 };
        var driver = new WindowDriver(new Column(view), 300, 150);
        var box = view.ToWindow(view.Bounds);
        driver.Send(CompositorEventKind.PointerWheel, box.X + 20, box.Y + 20, width: 1);
        Assert.True(view.Offset > 0, "the label under the pointer left the wheel to the view");
        int after = view.Offset;
        driver.Send(CompositorEventKind.PointerWheel, box.X + 20, box.Y + 20, width: -1);
        Assert.Equal(0, view.Offset);
        Assert.True(after >= 3 * 16);
    }

    [Fact]
    public void Typing_redraws_only_its_line_and_the_text_and_selection_are_drawn()
    {
        var (driver, area) = Editing("alpha\nbeta\ngamma");
        var font = TestFonts.Fonts.Mono;
        driver.Key(KeyCodes.Down);
        driver.Render();
        driver.Type("x");
        var drawn = driver.Render();
        var line = area.ToWindow(new Rect(area.Bounds.X, area.LineTop(1), area.Bounds.Width, font.LineHeight));
        WindowDriver.AssertWithin(drawn, line);

        var text = area.ToWindow(new Rect(area.TextLeft, area.LineTop(0), font.Measure("alpha"), 3 * font.LineHeight));
        Assert.True(driver.CountPixels(text, p => p == Light.Text) > 30, "the text in the text colour");
        Assert.Equal(0, driver.CountPixels(text, p => p == Light.Selection));
        driver.Control('a');
        driver.Render();
        Assert.True(driver.CountPixels(text, p => p == Light.Selection) > text.Width * text.Height / 3, "selected: highlighted");
        Assert.True(driver.CountPixels(text, p => p != Light.Selection && (p >> 16) > 0xA0) > 30, "the selected text in the selection's (light) text colour");
    }

    [Fact]
    public void A_paste_past_the_limit_is_refused_and_reported()
    {
        var (driver, area) = Editing();
        string? problem = null;
        area.Problem += message => problem = message;
        area.Clipboard.Text = new string('x', TextDocument.MaximumCharacters + 1);
        driver.Control('v');
        Assert.NotNull(problem);
        Assert.Equal("", area.Document.ToText());
    }

    private sealed class KeyCatcher : Box
    {
        private readonly List<KeyEvent> _keys;

        public KeyCatcher(List<KeyEvent> keys, Widget child) : base(Direction.Column, child) => _keys = keys;

        public override bool OnKey(KeyEvent key)
        {
            _keys.Add(key);
            return true;
        }
    }
}
