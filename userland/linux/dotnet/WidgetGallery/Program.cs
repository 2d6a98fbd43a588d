using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;
using WidgetGallery;

// The toolkit's gallery: one window (640x440) with every widget; "dark" as the argument starts in the dark theme.
// Prints "widget_gallery: ..." lines: the widgets' places after the first layout, then what the user does.
const int Width = 640, Height = 440;
static void Report(string what) => Console.WriteLine($"widget_gallery: {what}");

bool dark = args.Length > 0 && args[0] == "dark";
var fonts = FontSet.Load();
Report($"fonts loaded from {FontSet.Directory} (body {fonts.Body.PixelSize} px, line {fonts.Body.LineHeight}, {fonts.Body.GlyphCount} glyphs)");
var gallery = new Gallery(fonts, Report);
using var application = Application.Connect(TimeSpan.FromSeconds(60));
var window = application.CreateWindow("Widget Gallery", gallery.Root, dark ? Theme.Dark(fonts) : Theme.Light(fonts), Width, Height);
gallery.Window = window.Window;
foreach (var (name, box) in gallery.Places())
    Report($"place {name} {box.X},{box.Y} {box.Width}x{box.Height}");
Report($"drawn {Width}x{Height} ({(dark ? "dark" : "light")})");
application.EventReceived += (_, record) =>
{
    if (record.Kind == CompositorEventKind.PointerButton)
        Report($"buttons {record.Code} at {record.X},{record.Y}");
    else if (record.Kind == CompositorEventKind.Configure && record.Width > 0)
        Report($"configure {record.Width}x{record.Height}");
};
application.Idle += () =>
{
    if (gallery.QuitRequested && application.Windows.Contains(window))
        application.Close(window);
};
// The rectangles each redraw sent (the boot test checks a click sends only its widget's).
application.Presented += presented => Report($"presented {string.Join(' ', presented.LastDamage.Select(r => $"{r.X},{r.Y},{r.Width}x{r.Height}"))}");
application.Reconnected += () => Report("reconnected to the compositor");
application.Run();
Report("closed");
return 0;
