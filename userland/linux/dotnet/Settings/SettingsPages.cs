using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Desktop;
using Exo.Toolkit.Text;
using Exo.Toolkit.Widgets;

namespace Settings;

/// <summary>
/// The Settings window's pages: Display (the screen's mode), Appearance (light or dark theme, the desktop's colour),
/// Keyboard (the layout, and a field to try it) and About (processor, memory, kernel, uptime). Apply sends the choice to
/// the compositor (SetDisplayMode, SetBackground, SetKeyboardLayout), whose DesktopChanged answer is shown and, when it
/// took, saved in the settings file (DesktopSettings) so that applications started later follow the theme and the
/// next session can apply the rest. Reports "settings: ..." lines.
/// </summary>
internal sealed class SettingsPages
{
    private static readonly (string Name, uint Colour)[] Backgrounds =
        [("Exo blue", DesktopSettings.DefaultBackground), ("Slate", 0x404850), ("Forest", 0x2F5D3A), ("Plum", 0x5A3A5E), ("Sand", 0xA08A60), ("Black", 0x000000)];
    private static readonly string[] LayoutNames = ["English (US)", "German (QWERTZ)"];
    /// <summary>Exo.Abi's Error.Busy (DesktopChanged's X when another mode change is under way; Exo.Abi is not compiled
    /// into .NET programs).</summary>
    private const int ErrorBusy = 16;

    private readonly FontSet _fonts;
    private readonly Action<string> _report;
    private readonly ListView _modes, _backgrounds, _layouts;
    private readonly Button _light, _dark;
    private readonly Label _status, _processor, _memory, _kernel, _uptime;
    private DesktopSettings _settings;
    private Application? _application;
    private CompositorWindow? _window;
    private DateTime _uptimeShown;

    public Column Root { get; }
    public TabView Tabs { get; }
    public TextField TryKeys { get; }

    public SettingsPages(FontSet fonts, DesktopSettings settings, Action<string> report)
    {
        _fonts = fonts;
        _settings = settings;
        _report = report;

        _modes = new ListView(DesktopSettings.DisplayModes.Select(mode => $"{mode.Width} x {mode.Height}").ToArray()) { Stretch = 1 };
        _modes.Select(Array.IndexOf(DesktopSettings.DisplayModes, (settings.DisplayWidth, settings.DisplayHeight)));
        var display = new Column(new Label("Resolution"), _modes, Apply("display", ApplyDisplayMode));

        _light = new Button("Light") { IsToggle = true, Checked = !settings.Dark };
        _dark = new Button("Dark") { IsToggle = true, Checked = settings.Dark };
        _light.Clicked += _ => SetTheme(dark: false);
        _dark.Clicked += _ => SetTheme(dark: true);
        _backgrounds = new ListView(Backgrounds.Select(background => $"{background.Name} ({background.Colour:X6})").ToArray()) { Stretch = 1 };
        _backgrounds.Select(Math.Max(0, Array.FindIndex(Backgrounds, background => background.Colour == settings.Background)));
        var appearance = new Column(new Label("Theme (applications started from now on)"), new Row(_light, _dark) { Padding = 0 },
            new Label("Background"), _backgrounds, Apply("background", ApplyBackground));

        _layouts = new ListView(LayoutNames) { Stretch = 1 };
        _layouts.Select(settings.KeyboardLayout);
        TryKeys = new TextField { Placeholder = "Type here to try the layout" };
        TryKeys.Changed += field => _report($"typed {field.Text}");
        var keyboard = new Column(new Label("Layout"), _layouts, Apply("keyboard", ApplyKeyboardLayout), new Label("Try it:"), TryKeys);

        _processor = new Label("");
        _memory = new Label("");
        _kernel = new Label("");
        _uptime = new Label("");
        var about = new Column(new Label("Exo-OS") { Font = fonts.Title }, Line("Processor", _processor), Line("Memory", _memory),
            Line("Kernel", _kernel), Line("Uptime", _uptime));

        Tabs = new TabView { Stretch = 1 };
        Tabs.AddPage("Display", display).AddPage("Appearance", appearance).AddPage("Keyboard", keyboard).AddPage("About", about);
        Tabs.SelectionChanged += tabs => _report($"page {tabs.Pages[tabs.SelectedIndex].Title}");
        _status = new Label("") { Muted = true };
        Root = new Column(Tabs, _status);
        ShowAbout();
    }

    private static Row Line(string name, Label value) => new(new Label(name) { PreferredWidth = 90 }, value) { Padding = 0 };

    private Row Apply(string name, Action action)
    {
        var button = new Button("Apply") { PreferredWidth = 90 };
        button.Clicked += _ => action();
        return new Row(new Label("") { Stretch = 1 }, button) { Padding = 0 };
    }

    /// <summary>The window the pages are in: the compositor's answers come to it.</summary>
    public void Attach(Application application, CompositorWindow window)
    {
        _application = application;
        _window = window;
    }

    private void ApplyDisplayMode()
    {
        if (_modes.SelectedIndex < 0 || _application == null || _window == null)
            return;
        var (width, height) = DesktopSettings.DisplayModes[_modes.SelectedIndex];
        _status.Text = $"Asking for {width} x {height}...";
        _report($"asking for display {width}x{height}");
        _application.SetDisplayMode(_window, width, height);
    }

    private void ApplyBackground()
    {
        if (_backgrounds.SelectedIndex < 0 || _application == null || _window == null)
            return;
        _application.SetBackground(_window, Backgrounds[_backgrounds.SelectedIndex].Colour);
    }

    private void ApplyKeyboardLayout()
    {
        if (_layouts.SelectedIndex < 0 || _application == null || _window == null)
            return;
        _application.SetKeyboardLayout(_window, _layouts.SelectedIndex);
        _window.Window.SetFocus(TryKeys);   // the next thing to do is to try it
    }

    private void SetTheme(bool dark)
    {
        _light.Checked = !dark;
        _dark.Checked = dark;
        if (_window != null)
            _window.Window.Theme = dark ? Exo.Toolkit.Theming.Theme.Dark(_fonts) : Exo.Toolkit.Theming.Theme.Light(_fonts);
        Save(_settings with { Dark = dark }, $"theme {(dark ? "dark" : "light")}");
    }

    /// <summary>The compositor's DesktopChanged: what the desktop is now, saved when the request took.</summary>
    public void Changed(in CompositorEvent answer)
    {
        if (answer.X != 0)
        {
            _status.Text = answer.X == ErrorBusy ? "Another display change is under way" : "The display driver refused that mode";
            _report($"refused (error {answer.X}), display {answer.Width}x{answer.Height}");
            return;
        }
        int layout = (int)Math.Min(answer.State, (uint)DesktopSettings.KeyboardLayouts.Length - 1);
        _report($"display {answer.Width}x{answer.Height}, background {answer.Code:X6}, keyboard {DesktopSettings.KeyboardLayouts[layout]}");
        Save(_settings with
        {
            DisplayWidth = answer.Width, DisplayHeight = answer.Height, Background = answer.Code, KeyboardLayout = layout,
        }, $"{answer.Width} x {answer.Height}, background {answer.Code:X6}, keyboard {LayoutNames[layout]}");
    }

    private void Save(DesktopSettings settings, string what)
    {
        _settings = settings;
        try
        {
            settings.Save();
            _status.Text = $"Now: {what}";
            _report($"saved {DesktopSettings.DefaultPath}");
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException)
        {
            _status.Text = $"Now: {what} (not saved: {problem.Message})";
            _report($"error: cannot save {DesktopSettings.DefaultPath}: {problem.Message}");
        }
    }

    /// <summary>The About page's values, read again (its uptime once a second while the window runs).</summary>
    public void ShowAbout()
    {
        if (DateTime.UtcNow - _uptimeShown < TimeSpan.FromSeconds(1))
            return;
        _uptimeShown = DateTime.UtcNow;
        var summary = SystemSummary.Read();
        _processor.Text = summary.ProcessorText;
        _memory.Text = summary.MemoryText;
        _kernel.Text = summary.Kernel;
        _uptime.Text = summary.UptimeText;
    }

    public string AboutReport()
    {
        var summary = SystemSummary.Read();
        return $"about: processors {summary.Processors}, memory {summary.MemoryText}, kernel {summary.Kernel}";
    }
}
