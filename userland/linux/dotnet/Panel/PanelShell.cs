using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Desktop;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Panel;

/// <summary>
/// The panel's windows and what they do: the bar (the compositor's panel surface: Applications, the window buttons, the
/// clock, Power), the launcher (the Applications button or the Super key; a toplevel: type to filter, Up/Down to choose, Enter to start, Escape to close) and the
/// power dialog (Shut down, Restart, Cancel). Actions chosen inside an event's dispatch run at the next idle turn.
/// </summary>
internal sealed class PanelShell
{
    public const int MaximumWindows = 3;   // the bar, the launcher, the power dialog
    public const int BarHeight = 32;
    private const int WindowButtonWidth = 160, LauncherWidth = 360, LauncherHeight = 300, PowerWidth = 340, PowerHeight = 110;

    private readonly Application _application;
    private readonly FontSet _fonts;
    private readonly List<ApplicationEntry> _entries;
    private readonly Action<string> _report;
    private readonly Queue<Action> _pending = new();
    private readonly Dictionary<int, string> _started = [];
    private readonly CompositorWindow _bar;
    private readonly Button _applicationsButton = new("Applications"), _powerButton = new("Power");
    private readonly Label _clock = new("00:00");
    private readonly Row _windowButtons = new() { Padding = 0, Stretch = 1 };
    private CompositorWindow? _launcher, _power;
    private TextField? _filter;
    private ListView? _list;
    private List<ApplicationEntry> _shown = [];
    private string _reportedWindows = "";

    public PanelShell(Application application, FontSet fonts, List<ApplicationEntry> entries, Action<string> report)
    {
        _application = application;
        _fonts = fonts;
        _entries = entries;
        _report = report;
        _clock.Text = DateTime.Now.ToString("HH:mm");
        var bar = new Row(_applicationsButton, _windowButtons, _clock, _powerButton) { Padding = 4 };
        _applicationsButton.Clicked += _ => _pending.Enqueue(ToggleLauncher);
        _powerButton.Clicked += _ => _pending.Enqueue(TogglePower);
        _bar = application.CreatePanel(bar, Theme.Dark(fonts), BarHeight);
        application.EventReceived += OnEvent;
        application.CloseRequested = OnCloseRequested;
        application.Idle += OnIdle;
        _report($"drawn {_bar.Window.Width}x{BarHeight}, {_entries.Count} applications");
        ReportPlace("applications", _applicationsButton);
        ReportPlace("clock", _clock);
        ReportPlace("power", _powerButton);
        _report($"clock {_clock.Text}");
        ApplySavedSettings();
    }

    public void Run() => _application.Run();

    /// <summary>The session starts with the settings Settings saved (the panel is the session's first client): the
    /// display mode, the background and the keyboard layout, each asked only when it differs from the start's.</summary>
    private void ApplySavedSettings()
    {
        var saved = DesktopSettings.Load(problem: problem => _report($"settings: {problem}"));
        var start = new DesktopSettings();
        if ((saved.DisplayWidth, saved.DisplayHeight) != (_application.Connection.ScreenWidth, _application.Connection.ScreenHeight))
            _application.SetDisplayMode(_bar, saved.DisplayWidth, saved.DisplayHeight);
        if (saved.Background != start.Background)
            _application.SetBackground(_bar, saved.Background);
        if (saved.KeyboardLayout != start.KeyboardLayout)
            _application.SetKeyboardLayout(_bar, saved.KeyboardLayout);
        if (saved != start)
            _report($"applied the saved settings: {saved.DisplayWidth}x{saved.DisplayHeight}, background {saved.Background:X6}, keyboard {DesktopSettings.KeyboardLayouts[saved.KeyboardLayout]}");
    }

    private void ReportPlace(string name, Widget widget)
        => _report($"place {name} {widget.Bounds.X},{widget.Bounds.Y} {widget.Bounds.Width}x{widget.Bounds.Height}");

    private void OnEvent(CompositorWindow window, CompositorEvent record)
    {
        if (window == _bar && record.Kind == CompositorEventKind.WindowsChanged)
            ShowWindows(_application.Connection.ReadWindowList());
        else if (window == _bar && record.Kind == CompositorEventKind.KeyDown && record.State == 0)
            _pending.Enqueue(ToggleLauncher);   // the Super key (the compositor gives the panel no other key)
        else if (window == _launcher && record.Kind == CompositorEventKind.KeyDown && _list != null)
        {
            switch (record.Code)
            {
                case KeyCodes.Up: _list.Select(_list.SelectedIndex - 1); break;
                case KeyCodes.Down: _list.Select(_list.SelectedIndex + 1); break;
                case KeyCodes.Escape: _pending.Enqueue(CloseLauncher); break;
            }
        }
        else if (window == _power && record.Kind == CompositorEventKind.KeyDown && record.Code == KeyCodes.Escape)
            _pending.Enqueue(ClosePower);
    }

    /// <summary>The launcher and the dialog closed by their title bar's button are forgotten (the application destroys them).</summary>
    private bool OnCloseRequested(CompositorWindow window)
    {
        if (window == _bar)
            return false;
        if (window == _launcher)
            _launcher = null;
        if (window == _power)
            _power = null;
        return true;
    }

    private void OnIdle()
    {
        while (_pending.TryDequeue(out var action))
            action();
        _bar.Window.SetFocus(null);   // the bar never has the keyboard: a clicked button keeps no focus ring
        string now = DateTime.Now.ToString("HH:mm");
        if (now != _clock.Text)
        {
            _clock.Text = now;
            _report($"clock {now}");
        }
        while (ProgramStarter.TryCollect(out int process, out int status))
        {
            _started.Remove(process, out string? name);
            _report($"{name ?? "process " + process} ended (wait status {status})");
        }
    }

    /// <summary>A button per listed window, in the order they were opened; the focused one drawn pressed.</summary>
    private void ShowWindows(IReadOnlyList<ListedWindow> windows)
    {
        _windowButtons.ClearChildren();
        foreach (var listed in windows)
        {
            var button = _windowButtons.Add(new Button(listed.Minimised ? $"[{listed.Title}]" : listed.Title)
            {
                IsToggle = true,
                PreferredWidth = WindowButtonWidth,
            });
            button.Checked = listed.Focused;
            uint serial = listed.Serial;
            button.Clicked += _ => _application.ActivateWindow(_bar, serial);
        }
        _bar.Window.RequestLayout();
        _bar.Window.InvalidateAll();
        _bar.Window.Layout();
        string text = string.Join(" | ", windows.Select(w => w.Title + (w.Focused ? " (focused)" : "") + (w.Minimised ? " (minimised)" : "")));
        if (text == _reportedWindows)
            return;
        _reportedWindows = text;
        _report($"windows {windows.Count}: {text}");
        for (int i = 0; i < _windowButtons.Children.Count; i++)
            ReportPlace($"window {i}", _windowButtons.Children[i]);
    }

    private void ToggleLauncher()
    {
        if (_launcher != null)
        {
            CloseLauncher();
            return;
        }
        _filter = new TextField { Placeholder = "Type to filter, Enter to start" };
        _list = new ListView { Stretch = 1 };
        _filter.Changed += _ => Filter();
        _filter.Submitted += _ => _pending.Enqueue(StartSelected);
        _list.Activated += _ => _pending.Enqueue(StartSelected);
        var root = new Column(new Label("Applications") { Font = _fonts.Large }, _filter, _list);
        _launcher = _application.CreateWindow("Applications", root, Theme.Light(_fonts), LauncherWidth, LauncherHeight);
        _launcher.Window.SetFocus(_filter);
        Filter();
        _report("launcher open");
    }

    private void Filter()
    {
        if (_list == null || _filter == null)
            return;
        _shown = ApplicationList.Filter(_entries, _filter.Text);
        _list.SetItems(_shown.Select(entry => entry.Name));
        _report($"launcher shows {_shown.Count}: {string.Join(", ", _shown.Select(entry => entry.Name))}");
    }

    private void StartSelected()
    {
        if (_list == null || _list.SelectedIndex < 0 || _list.SelectedIndex >= _shown.Count)
            return;
        var entry = _shown[_list.SelectedIndex];
        CloseLauncher();
        try
        {
            int process = ProgramStarter.Start(entry.Program, entry.Arguments, ProgramStarter.CurrentEnvironment());
            _started[process] = entry.Name;
            _report($"started {entry.Name} ({entry.Program}, process {process})");
        }
        catch (IOException problem)
        {
            _report($"cannot start {entry.Name}: {problem.Message}");
        }
    }

    private void CloseLauncher()
    {
        if (_launcher == null)
            return;
        _application.Close(_launcher);
        _launcher = null;
        _filter = null;
        _list = null;
        _report("launcher closed");
    }

    private void TogglePower()
    {
        if (_power != null)
        {
            ClosePower();
            return;
        }
        var question = new Label("Shut down or restart Exo-OS?");
        var shutDown = new Button("Shut down");
        var restart = new Button("Restart");
        var cancel = new Button("Cancel");
        shutDown.Clicked += _ => _pending.Enqueue(() => PowerOff(false, question));
        restart.Clicked += _ => _pending.Enqueue(() => PowerOff(true, question));
        cancel.Clicked += _ => _pending.Enqueue(ClosePower);
        var root = new Column(question, new Row(shutDown, restart, cancel) { Padding = 0 });
        _power = _application.CreateWindow("Power", root, Theme.Light(_fonts), PowerWidth, PowerHeight);
        _power.Window.SetFocus(shutDown);
        _report("power menu open");
    }

    private void ClosePower()
    {
        if (_power == null)
            return;
        _application.Close(_power);
        _power = null;
        _report("power menu closed");
    }

    private void PowerOff(bool restart, Label question)
    {
        _report(restart ? "restarting" : "shutting down");
        int error = ProgramStarter.PowerOff(restart);
        question.Text = $"The system refused (error {error}).";
        _report($"reboot(2) refused: error {error}");
    }
}
