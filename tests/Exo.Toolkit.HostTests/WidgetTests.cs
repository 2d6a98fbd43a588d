using Exo.Protocols.Compositor;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Exo.Toolkit.HostTests;

/// <summary>Widgets through the window's event dispatch: clicks, keys, focus, overlays, layout, and the damage they cause.</summary>
public sealed class WidgetTests
{
    private static readonly Palette Light = Palette.Light;

    [Fact]
    public void A_click_on_a_button_clicks_it_and_redraws_only_the_button()
    {
        var button = new Button("Press") { IsToggle = true };
        int clicks = 0;
        button.Clicked += _ => clicks++;
        var driver = new WindowDriver(new Column(button, new Label("below") { Stretch = 1 }));
        var box = button.Bounds;
        Assert.Equal(0, driver.CountPixels(box.Inflate(-3), p => p == Light.ButtonPressed));

        driver.Click(box.X + 5, box.Y + 5);
        Assert.Equal(1, clicks);
        Assert.True(button.Checked);
        Assert.True(button.IsFocused);
        WindowDriver.AssertWithin(driver.Render(), box);
        // Checked: drawn in the accent colour, its text in the accent's text colour.
        Assert.True(driver.CountPixels(box.Inflate(-3), p => p == Light.ButtonPressed) > box.Width * box.Height / 2);

        // Nothing changed: nothing drawn.
        Assert.Empty(driver.Render());
    }

    [Fact]
    public void A_press_released_elsewhere_is_no_click_and_keys_click_the_focused_button()
    {
        var button = new Button("Press");
        int clicks = 0;
        button.Clicked += _ => clicks++;
        var driver = new WindowDriver(new Column(button));
        var box = button.Bounds;
        driver.Send(CompositorEventKind.PointerButton, box.X + 2, box.Y + 2, code: 1);
        Assert.True(button.IsPressed);
        driver.Send(CompositorEventKind.PointerButton, box.Right + 50, box.Bottom + 50, code: 0);
        Assert.Equal(0, clicks);
        driver.Key(KeyCodes.Enter);
        driver.Key(KeyCodes.Space);
        Assert.Equal(2, clicks);
    }

    [Fact]
    public void Typing_into_a_text_field_edits_at_the_caret_and_shows_the_text()
    {
        var field = new TextField { Stretch = 1 };
        var driver = new WindowDriver(new Column(new Label("Name"), field));
        var box = field.Bounds;
        int Ink() => driver.CountPixels(box.Inflate(-3), p => (p & 0xFF) < 0x80);
        driver.Render();
        Assert.Equal(0, Ink());

        driver.ClickCentre(field);
        Assert.True(field.IsFocused);
        driver.Render();
        driver.Type("hello");
        Assert.Equal("hello", field.Text);
        Assert.Equal(5, field.Caret);
        WindowDriver.AssertWithin(driver.Render(), box);
        Assert.True(Ink() > 40, $"{Ink()} dark pixels for 'hello'");

        driver.Key(KeyCodes.Backspace);
        driver.Key(KeyCodes.Home);
        driver.Type("O");
        driver.Key(KeyCodes.End);
        driver.Key(KeyCodes.Left);
        driver.Key(KeyCodes.Delete);
        Assert.Equal("Ohel", field.Text);
        // Control+A is not text.
        driver.Send(CompositorEventKind.KeyDown, code: 30, character: 'a', state: 0);
        Assert.Equal("Ohela", field.Text);
        field.Text = "";
        driver.Window.Dispatch(new CompositorEvent { Kind = CompositorEventKind.KeyDown, Code = 30, Character = 'a', Modifiers = KeyModifierBits.Control });
        Assert.Equal("", field.Text);
    }

    [Fact]
    public void A_click_in_a_text_field_puts_the_caret_between_characters()
    {
        var field = new TextField { Stretch = 1 };
        var driver = new WindowDriver(new Column(field));
        field.Text = "abcdef";
        var box = field.Bounds;
        driver.Click(box.X + 4 + TestFonts.Fonts.Body.Measure("abc"), box.Y + box.Height / 2);
        Assert.Equal(3, field.Caret);
    }

    [Fact]
    public void A_list_selects_by_click_and_by_keys_and_scrolls_to_the_selection()
    {
        string[] items = Enumerable.Range(0, 20).Select(i => $"Item {i}").ToArray();
        var list = new ListView(items) { Stretch = 1 };
        list.Select(1); // before it is in a window
        Assert.Equal(1, list.SelectedIndex);
        var driver = new WindowDriver(new Column(list), height: 160);
        var selections = new List<int>();
        list.SelectionChanged += l => selections.Add(l.SelectedIndex);
        int row = driver.Window.Theme.ControlHeight;
        driver.Click(list.Bounds.X + 10, list.Bounds.Y + 1 + row * 2 + row / 2);
        Assert.Equal(2, list.SelectedIndex);
        driver.Key(KeyCodes.Down);
        driver.Key(KeyCodes.Down);
        Assert.Equal(4, list.SelectedIndex);
        driver.Key(KeyCodes.Up);
        Assert.Equal([2, 3, 4, 3], selections);
        driver.Key(KeyCodes.End);
        Assert.Equal(19, list.SelectedIndex);
        Assert.True(list.FirstVisible > 0, "the list scrolled to its end");
        driver.Key(KeyCodes.Down);
        Assert.Equal(19, list.SelectedIndex);
        driver.Key(KeyCodes.Home);
        Assert.Equal(0, list.FirstVisible);
        driver.Render();
        // The selected row is drawn in the selection colour.
        Assert.True(driver.CountPixels(new Rect(list.Bounds.X + 2, list.Bounds.Y + 2, list.Bounds.Width - 4, row - 2), p => p == Light.Selection) > 100);
    }

    private sealed class KeyRecorder : Box
    {
        public List<uint> Keys { get; } = [];
        public KeyRecorder(params Widget[] children) : base(Direction.Column, children) { }
        public override bool OnKey(KeyEvent key)
        {
            Keys.Add(key.Code);
            return key.Code != KeyCodes.Tab;
        }
    }

    [Fact]
    public void Keys_the_focused_widget_leaves_reach_its_parents_and_with_no_focus_the_root()
    {
        var field = new TextField();
        var root = new KeyRecorder(field);
        var driver = new WindowDriver(root);
        driver.Key(KeyCodes.F5);
        Assert.Equal([KeyCodes.F5], root.Keys);
        driver.Window.SetFocus(field);
        driver.Type("a");
        driver.Key(KeyCodes.F2);
        Assert.Equal("a", field.Text);
        Assert.Equal([KeyCodes.F5, KeyCodes.F2], root.Keys);   // the field took the character, its parent the F2
        driver.Key(KeyCodes.Tab);
        Assert.Same(field, driver.Window.Focused);   // the root let Tab go: the focus moved round to the only field
    }

    [Fact]
    public void A_selected_text_is_replaced_by_typing_and_unselected_by_a_caret_move()
    {
        var field = new TextField { Text = "/root" };
        var driver = new WindowDriver(new Column(field));
        driver.Window.SetFocus(field);
        field.SelectAll();
        driver.Render();
        Assert.True(driver.CountPixels(field.Bounds, p => p == Light.Selection) > 20, "the selected text is highlighted");
        driver.Type("/tmp");
        Assert.Equal("/tmp", field.Text);
        field.SelectAll();
        driver.Key(KeyCodes.Backspace);
        Assert.Equal("", field.Text);
        field.Text = "abc";
        field.SelectAll();
        driver.Key(KeyCodes.Left);
        Assert.False(field.IsAllSelected);
        driver.Type("x");
        Assert.Equal("abxc", field.Text);
    }

    [Fact]
    public void A_second_click_on_the_same_row_activates_it_and_a_click_on_another_row_does_not()
    {
        var list = new ListView("zero", "one", "two") { Stretch = 1 };
        var driver = new WindowDriver(new Column(list), height: 160);
        var activated = new List<string?>();
        list.Activated += l => activated.Add(l.SelectedItem);
        int row = driver.Window.Theme.ControlHeight;
        int RowY(int index) => list.Bounds.Y + 1 + row * index + row / 2;
        driver.Click(list.Bounds.X + 10, RowY(1));
        driver.Click(list.Bounds.X + 10, RowY(2));
        Assert.Empty(activated);
        driver.Click(list.Bounds.X + 10, RowY(2));
        Assert.Equal(["two"], activated);
        driver.Click(list.Bounds.X + 10, RowY(2));   // a third click starts a new pair
        Assert.Single(activated);
    }

    [Fact]
    public void A_scroll_view_pages_and_maps_clicks_and_damage_through_its_offset()
    {
        var content = new Column();
        var buttons = new List<Button>();
        for (int i = 0; i < 20; i++)
            buttons.Add(content.Add(new Button($"Button {i}")));
        var scroll = new ScrollView(content) { Stretch = 1 };
        var driver = new WindowDriver(new Column(scroll), height: 200);
        Assert.True(scroll.MaximumOffset > 0);
        driver.ClickCentre(scroll);
        driver.Key(KeyCodes.PageDown);
        int offset = scroll.Offset;
        Assert.True(offset > 100, $"offset {offset}");
        // Button 10 is now on screen at its content position less the offset.
        var target = buttons.First(b => b.Bounds.Y > offset + 10);
        int clicked = -1;
        target.Clicked += b => clicked = buttons.IndexOf(b);
        var onScreen = target.ToWindow(target.Bounds);
        Assert.Equal(target.Bounds.Y - offset, onScreen.Y);
        driver.Render();
        driver.Click(onScreen.X + 5, onScreen.Y + 5);
        Assert.Equal(buttons.IndexOf(target), clicked);
        WindowDriver.AssertWithin(driver.Render(), scroll.Bounds);
        // The button took the focus; a click on the track below the thumb pages down (and focuses the view), End goes to the end.
        Assert.Same(target, driver.Window.Focused);
        driver.Click(scroll.Bounds.Right - 3, scroll.Bounds.Bottom - 3);
        Assert.True(scroll.Offset > offset, $"{scroll.Offset} after a click below the thumb, {offset} before");
        Assert.Same(scroll, driver.Window.Focused);
        driver.Key(KeyCodes.Home);
        Assert.Equal(0, scroll.Offset);
        driver.Key(KeyCodes.End);
        Assert.Equal(scroll.MaximumOffset, scroll.Offset);
    }

    [Fact]
    public void A_menu_opens_a_popup_whose_item_runs_and_a_click_outside_closes_it()
    {
        string? chosen = null;
        var menu = new MenuBar().AddMenu("File", new MenuItem("Open", () => chosen = "open"), new MenuItem("Quit", () => chosen = "quit"));
        var driver = new WindowDriver(new Column(menu, new Label("body") { Stretch = 1 }));
        var title = menu.TitleBox(0);
        driver.Click(title.X + 3, title.Y + 3);
        var popup = Assert.IsType<MenuPopup>(Assert.Single(driver.Window.Overlays));
        Assert.Equal(title.Bottom, popup.Bounds.Y);
        WindowDriver.AssertWithin(driver.Render(), popup.Bounds.Union(menu.Bounds));
        int rowHeight = driver.Window.Theme.ControlHeight;
        driver.Click(popup.Bounds.X + 10, popup.Bounds.Y + 1 + rowHeight + rowHeight / 2);
        Assert.Equal("quit", chosen);
        Assert.Empty(driver.Window.Overlays);

        driver.Click(title.X + 3, title.Y + 3);
        Assert.Single(driver.Window.Overlays);
        driver.Click(380, 280);
        Assert.Empty(driver.Window.Overlays);
        Assert.Equal("quit", chosen);
        driver.Click(title.X + 3, title.Y + 3);
        driver.Key(KeyCodes.Down);
        driver.Key(KeyCodes.Enter);
        Assert.Equal("open", chosen);
    }

    [Fact]
    public void Tabs_switch_pages_and_only_the_shown_page_is_hit()
    {
        var first = new Button("First");
        var second = new Button("Second");
        var tabs = new TabView { Stretch = 1 };
        tabs.AddPage("One", new Column(first)).AddPage("Two", new Column(second));
        var driver = new WindowDriver(new Column(tabs));
        Assert.NotNull(first.Window);
        Assert.Null(second.Window);
        var header = tabs.HeaderBox(1);
        driver.Click(header.X + 3, header.Y + 3);
        Assert.Equal(1, tabs.SelectedIndex);
        Assert.Null(first.Window);
        Assert.NotNull(second.Window);
        Assert.NotEqual(default, second.Bounds);
        int clicks = 0;
        second.Clicked += _ => clicks++;
        driver.ClickCentre(second);
        Assert.Equal(1, clicks);
        driver.Key(KeyCodes.Tab);
        Assert.True(tabs.IsFocused);
        driver.Key(KeyCodes.Left);
        Assert.Equal(0, tabs.SelectedIndex);
    }

    [Fact]
    public void A_dialog_is_modal_and_answers()
    {
        int clicks = 0;
        var below = new Button("Below") { Stretch = 1 };
        below.Clicked += _ => clicks++;
        var driver = new WindowDriver(new Column(below));
        var dialog = new Dialog("Question", "Go on?", "Yes", "No");
        string? answer = null;
        dialog.Answered += a => answer = a;
        driver.Window.ShowOverlay(dialog);
        Assert.True(dialog.IsFocused);
        var place = dialog.Bounds;
        Assert.True(place.X > 0 && place.Y > 0, "centred");
        driver.Render();
        // The title strip in the accent colour.
        Assert.True(driver.CountPixels(new Rect(place.X + 2, place.Y + 2, place.Width - 4, 4), p => p == Light.Accent) > place.Width);
        Assert.False(place.Contains(below.Bounds.X + 2, below.Bounds.Y + 2));
        driver.Click(below.Bounds.X + 2, below.Bounds.Y + 2);
        Assert.Equal(0, clicks);
        driver.Key(KeyCodes.Tab);
        Assert.Contains(driver.Window.Focused, dialog.Buttons);
        driver.ClickCentre(dialog.Buttons[1]);
        Assert.Equal("No", answer);
        Assert.Empty(driver.Window.Overlays);
        WindowDriver.AssertWithin(driver.Render(), place);
        driver.Click(below.Bounds.X + 2, below.Bounds.Y + 2);
        Assert.Equal(1, clicks);
    }

    [Fact]
    public void A_prompt_takes_a_line_of_text_and_Escape_in_its_field_cancels()
    {
        var driver = new WindowDriver(new Column(new Label("below") { Stretch = 1 }));
        var prompt = Dialog.Prompt("New folder", "Name:", "untitled", "Create", "Cancel");
        string? answer = null;
        prompt.Answered += a => answer = a;
        driver.Window.ShowOverlay(prompt);
        Assert.Same(prompt.Input, driver.Window.Focused);
        driver.Key(KeyCodes.Backspace);
        driver.Type("s");
        driver.Key(KeyCodes.Enter);
        Assert.Equal("Create", answer);
        Assert.Equal("untitles", prompt.Input!.Text);
        Assert.Empty(driver.Window.Overlays);

        var second = Dialog.Prompt("Rename", "New name:", "a", "Rename", "Cancel");
        second.Answered += a => answer = a;
        driver.Window.ShowOverlay(second);
        driver.Key(KeyCodes.Escape);
        Assert.Equal("Cancel", answer);
        Assert.Empty(driver.Window.Overlays);
        Assert.Null(new Dialog("Plain", "no field", "OK").Input);
    }

    [Fact]
    public void Rows_and_columns_share_spare_room_by_stretch()
    {
        var fixedLabel = new Label("fixed") { PreferredWidth = 50 };
        var one = new Label("one") { Stretch = 1 };
        var two = new Label("two") { Stretch = 2 };
        var row = new Row(fixedLabel, one, two) { Padding = 10, Spacing = 5 };
        var driver = new WindowDriver(new Column(row) { Padding = 0 }, width: 400);
        Assert.Equal(new Rect(10, 10, 50, row.Bounds.Height - 20), fixedLabel.Bounds);
        int spare = 400 - 20 - 50 - 10 - one.Measure(driver.Window.Theme).Width - two.Measure(driver.Window.Theme).Width;
        Assert.Equal(one.Measure(driver.Window.Theme).Width + spare / 3, one.Bounds.Width);
        Assert.Equal(390, two.Bounds.Right);
        Assert.Equal(one.Bounds.Right + 5, two.Bounds.X);
    }

    [Fact]
    public void Themes_switch_every_pixel_and_a_configure_resizes()
    {
        var driver = new WindowDriver(new Column(new Label("Text") { Stretch = 1 }));
        Assert.Equal(Palette.Light.Window, driver.Window.Canvas[399, 299]);
        driver.Window.Theme = Theme.Dark(TestFonts.Fonts);
        Assert.Equal([new Rect(0, 0, 400, 300)], driver.Render());
        Assert.Equal(Palette.Dark.Window, driver.Window.Canvas[399, 299]);
        driver.Send(CompositorEventKind.Configure, width: 500, height: 320);
        Assert.Equal((500, 320), (driver.Window.Width, driver.Window.Height));
        Assert.Equal([new Rect(0, 0, 500, 320)], driver.Render());
        driver.Send(CompositorEventKind.Close);
        Assert.True(driver.Window.CloseRequested);
        driver.Window.KeepOpen();
        Assert.False(driver.Window.CloseRequested);
    }

    [Fact]
    public void Tab_moves_the_focus_through_focusable_widgets_in_order()
    {
        var a = new Button("a");
        var field = new TextField();
        var b = new Button("b");
        var driver = new WindowDriver(new Column(a, new Label("x"), field, b));
        driver.Key(KeyCodes.Tab);
        Assert.Same(a, driver.Window.Focused);
        driver.Key(KeyCodes.Tab);
        Assert.Same(field, driver.Window.Focused);
        driver.Key(KeyCodes.Tab);
        Assert.Same(b, driver.Window.Focused);
        driver.Key(KeyCodes.Tab);
        Assert.Same(a, driver.Window.Focused);
        driver.Send(CompositorEventKind.KeyDown, code: KeyCodes.Tab, character: '\t');
        Assert.Same(field, driver.Window.Focused);
    }
}
