using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace WidgetGallery;

/// <summary>
/// The gallery's widgets: a menu bar (File: About..., Quit; View: Light, Dark), tabs ("Widgets": a title at 24 pixels,
/// text at 11, 13 and 16 pixels and in the mono font, three buttons, a text field, a list and a scroll view; "About":
/// labels), a status line. What happens is printed ("widget_gallery: ...") for the boot test.
/// </summary>
public sealed class Gallery
{
    private readonly FontSet _fonts;
    private readonly Action<string> _report;
    private int _clicks;

    public Column Root { get; }
    public MenuBar Menu { get; }
    public TabView Tabs { get; }
    public Label Title { get; }
    public Button ClickMe { get; }
    public Button DarkTheme { get; }
    public Button OpenDialog { get; }
    public TextField Name { get; }
    public ListView List { get; }
    public ScrollView Scroll { get; }
    public Label Status { get; }
    public Window? Window { get; set; }
    public bool QuitRequested { get; private set; }

    public Gallery(FontSet fonts, Action<string> report)
    {
        _fonts = fonts;
        _report = report;
        Menu = new MenuBar();
        Menu.AddMenu("File", new MenuItem("About...", ShowAbout), new MenuItem("Quit", () => QuitRequested = true));
        Menu.AddMenu("View", new MenuItem("Light theme", () => SetDark(false)), new MenuItem("Dark theme", () => SetDark(true)));

        Title = new Label("Widget Gallery") { Font = fonts.Title };
        ClickMe = new Button("Click me") { IsToggle = true };
        ClickMe.Clicked += button =>
        {
            _clicks++;
            Status!.Text = $"Clicked {_clicks} time{(_clicks == 1 ? "" : "s")}";
            _report($"button {button.Text} clicked, checked {button.Checked}");
        };
        DarkTheme = new Button("Dark theme") { IsToggle = true };
        DarkTheme.Clicked += button => SetDark(button.Checked);
        OpenDialog = new Button("Dialog...");
        OpenDialog.Clicked += _ => ShowAbout();
        Name = new TextField { Placeholder = "Type here", Stretch = 1 };
        Name.Changed += field => _report($"text {field.Text}");
        List = new ListView("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India") { Stretch = 1 };
        List.SelectionChanged += list => _report($"list selected {list.SelectedIndex} {list.SelectedItem}");
        var lines = new Column();
        for (int i = 1; i <= 30; i++)
            lines.Add(new Label($"Scrolled line {i}: Latin-1 \u00e4\u00f6\u00fc \u00df \u00e9\u00e8 \u00a9"));
        Scroll = new ScrollView(lines) { Stretch = 1 };
        Status = new Label("Ready") { Font = fonts.Mono };

        var widgets = new Column(
            Title,
            new Row(new Label("Sans 11") { Font = fonts.Small }, new Label("Sans 13"), new Label("Sans 16") { Font = fonts.Large },
                new Label("Mono 16: {x => x * 2}") { Font = fonts.MonoLarge }) { Padding = 0 },
            new Row(ClickMe, DarkTheme, OpenDialog) { Padding = 0 },
            new Row(new Label("Name:"), Name) { Padding = 0 },
            new Row(List, Scroll) { Padding = 0, Stretch = 1 })
        { Stretch = 1 };
        Tabs = new TabView { Stretch = 1 };
        Tabs.AddPage("Widgets", widgets);
        Tabs.AddPage("About", new Column(
            new Label("Exo-OS toolkit") { Font = fonts.Large },
            new Label("DejaVu fonts rendered at build time into glyph atlases."),
            new Label("Light and dark themes; damage-only redraw.") { Muted = true }));
        Tabs.SelectionChanged += tabs => _report($"tab {tabs.SelectedIndex}");
        Root = new Column(Menu, new Column(Tabs, Status) { Stretch = 1 }) { Padding = 0, Spacing = 0 };
    }

    public void SetDark(bool dark)
    {
        if (Window == null)
            return;
        Window.Theme = dark ? Theme.Dark(_fonts) : Theme.Light(_fonts);
        DarkTheme.Checked = dark;
        _report($"theme {(dark ? "dark" : "light")}");
    }

    private void ShowAbout()
    {
        var dialog = new Dialog("About", "A dialog: OK or Cancel.", "OK", "Cancel");
        dialog.Answered += answer => _report($"dialog answered {answer}");
        Window?.ShowOverlay(dialog);
        _report("dialog shown");
    }

    /// <summary>Where the named widgets are (window pixels), for the boot test.</summary>
    public IEnumerable<(string Name, Rect Box)> Places()
    {
        yield return ("title", Title.ToWindow(Title.Bounds));
        yield return ("click", ClickMe.ToWindow(ClickMe.Bounds));
        yield return ("dark", DarkTheme.ToWindow(DarkTheme.Bounds));
        yield return ("dialog", OpenDialog.ToWindow(OpenDialog.Bounds));
        yield return ("field", Name.ToWindow(Name.Bounds));
        yield return ("list", List.ToWindow(List.Bounds));
        yield return ("scroll", Scroll.ToWindow(Scroll.Bounds));
        yield return ("menu", Menu.ToWindow(Menu.Bounds));
        yield return ("status", Status.ToWindow(Status.Bounds));
    }
}
