using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Desktop;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Settings;

// The desktop's settings (docs/desktop.md, "Settings"): `Settings`. Prints "settings: ..." lines: the places of its tabs and
// buttons, the About page's values, each answer of the compositor and each save of the settings file.
const int Width = 560, Height = 420;
static void Report(string what) => Console.WriteLine($"settings: {what}");

var fonts = FontSet.Load();
var settings = DesktopSettings.Load(problem: problem => Report($"error: {problem}"));
var pages = new SettingsPages(fonts, settings, Report);
using var application = Application.Connect(TimeSpan.FromSeconds(60));
var window = application.CreateWindow("Settings", pages.Root, settings.MakeTheme(fonts), Width, Height);
pages.Attach(application, window);
window.Window.Layout();
Report(pages.AboutReport());

// Where the tabs are and, for each page as it is shown, its lists, buttons and fields (window coordinates).
void ReportPlaces()
{
    for (int i = 0; i < pages.Tabs.Pages.Count; i++)
        Report($"place tab {pages.Tabs.Pages[i].Title.ToLowerInvariant()} {Describe(pages.Tabs.HeaderBox(i))}");
    int list = 0, button = 0;
    void Walk(Exo.Toolkit.Widgets.Widget widget)
    {
        if (widget is Exo.Toolkit.Widgets.ListView)
            Report($"place list {list++} {Describe(widget.Bounds)}");
        else if (widget is Exo.Toolkit.Widgets.Button or Exo.Toolkit.Widgets.TextField)
            Report($"place {(widget is Exo.Toolkit.Widgets.TextField ? "field" : "button")} {button++} {Describe(widget.Bounds)}");
        foreach (var child in widget.Children)
            Walk(child);
    }
    Walk(pages.Tabs.Pages[pages.Tabs.SelectedIndex].Page);
    Report($"places of {pages.Tabs.Pages[pages.Tabs.SelectedIndex].Title}, row {window.Window.Theme.ControlHeight}");
}
static string Describe(Rect box) => $"{box.X},{box.Y} {box.Width}x{box.Height}";
ReportPlaces();
bool placesWanted = false;
pages.Tabs.SelectionChanged += _ => placesWanted = true;
application.EventReceived += (_, record) =>
{
    if (record.Kind == CompositorEventKind.DesktopChanged)
        pages.Changed(record);
};
application.Idle += () =>
{
    pages.ShowAbout();
    if (placesWanted)
    {
        window.Window.Layout();
        placesWanted = false;
        ReportPlaces();
    }
};
application.Reconnected += () => Report("reconnected to the compositor");
application.Run();
Report("closed");
return 0;
