using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Desktop;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;
using Files;

// The desktop's file manager (docs/desktop.md, "The file manager"): `Files [FOLDER]` (HOME by default). Prints "files: ..."
// lines: its list's place, each folder shown with its entries, and every action's outcome. The folder is read again each
// time the window gets the focus, so what another program made there shows.
const int Width = 640, Height = 440;
static void Report(string what) => Console.WriteLine($"files: {what}");

var fonts = FontSet.Load();
var browser = new FileBrowser(Report);
using var application = Application.Connect(TimeSpan.FromSeconds(60));
var window = application.CreateWindow("Files", browser, DesktopSettings.Load().MakeTheme(fonts), Width, Height);
if (!browser.Open(args.Length > 0 ? args[0] : FileBrowser.HomeFolder))
    browser.Open("/");
window.Window.Layout();
window.Window.SetFocus(browser.List);
var list = browser.List.Bounds;
Report($"place list {list.X},{list.Y} {list.Width}x{list.Height} row {window.Window.Theme.ControlHeight}");
application.EventReceived += (_, record) =>
{
    if (record.Kind == CompositorEventKind.Focus && record.State == 1)
        browser.Refresh();
};
application.Idle += () =>
{
    while (ProgramStarter.TryCollect(out int process, out int status))
        Report($"process {process} ended (wait status {status})");
};
application.Reconnected += () => Report("reconnected to the compositor");
application.Run();
Report("closed");
return 0;
