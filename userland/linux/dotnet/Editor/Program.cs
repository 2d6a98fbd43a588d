using Editor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Text;

// The desktop's text editor (docs/desktop.md, "The text editor"): `Editor [FILE]`. A missing FILE opens as a new, empty
// document of that name. Prints "editor: ..." lines (what it opened and saved, its text's place, problems, closed) for
// the boot tests.
static void Report(string what) => Console.WriteLine($"editor: {what}");

if (args.Length > 1)
{
    Console.Error.WriteLine("usage: Editor [FILE]");
    return 2;
}
var fonts = FontSet.Load();
using var application = Application.Connect(TimeSpan.FromSeconds(60));
var shell = new EditorShell(application, fonts, Report);
if (args.Length == 1)
    shell.Open(args[0]);
application.Run();
Report("closed");
return 0;
