using Exo.Toolkit.Client;
using Exo.Toolkit.Desktop;
using Exo.Toolkit.Text;
using Panel;

// The desktop's panel (docs/desktop.md, "The panel and the launcher"): a bar across the screen's top with the launcher's
// button, a button for each open window, the clock and the power menu. `Panel [APPLICATIONS-FILE]` (the launcher's list,
// /etc/desktop-applications by default). Prints "panel: ..." lines: its buttons' places, the clock, the windows listed,
// what it starts and what ended.
static void Report(string what) => Console.WriteLine($"panel: {what}");

string path = args.Length > 0 ? args[0] : ApplicationList.DefaultPath;
List<ApplicationEntry> entries;
try
{
    entries = ApplicationList.Parse(File.ReadAllText(path), problem => Report($"{path}: {problem}"));
}
catch (IOException problem)
{
    Report($"no applications: {problem.Message}");
    entries = [];
}
var fonts = FontSet.Load();
using var application = Application.Connect(TimeSpan.FromSeconds(60), PanelShell.MaximumWindows);
var shell = new PanelShell(application, fonts, entries, Report);
application.Reconnected += () => Report("reconnected to the compositor");
shell.Run();
Report("ended");
return 0;
