using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;

namespace Exo.Kernel.BootTests;

/// <summary>
/// What the desktop's boot tests (CompositorBootTests, WidgetGalleryBootTests, TerminalBootTests) do to the screen through QMP: point and
/// click with the virtio tablet at screen pixels, act and wait for a console report, screendump until a condition holds,
/// and keep the screenshots in out/test-results/screenshots (PPM with a PNG copy).
/// </summary>
public static class DesktopScreen
{
    public const int Width = 1024, Height = 768;

    /// <summary>A desktop boot (init=CONFIGURATION): std-vga, a virtio tablet for exact pointer positions, QMP on 'socket'.</summary>
    public static QemuSession StartDesktop(string configuration, int processors, string socket)
        => QemuRunner.Start(Boot.Kernel($"init={configuration}") with
        {
            Smp = processors,
            Timeout = TimeSpan.FromMinutes(10),
            ExtraArgs = new[] { "-vga", "std", "-device", "virtio-tablet-pci", "-qmp", $"unix:{socket},server=on,wait=off" },
        });

    /// <summary>A fresh path for QEMU's QMP socket.</summary>
    public static string QmpSocket() => Path.Combine(Path.GetTempPath(), $"exo-qmp-{Guid.NewGuid():N}.sock");

    /// <summary>The tablet's absolute position for screen pixel (x, y) (0..32767 over the screen; rounded up so that the compositor's scaling gives x, y back).</summary>
    /// <remarks>The screen's size: 1024x768 unless the test switched the mode.</remarks>
    public static Task PointAtAsync(QmpClient qmp, int x, int y, int screenWidth = Width, int screenHeight = Height)
        => qmp.PointAtAsync((x * 32768 + screenWidth - 1) / screenWidth, (y * 32768 + screenHeight - 1) / screenHeight);

    public static async Task ClickAtAsync(QmpClient qmp, int x, int y, int screenWidth = Width, int screenHeight = Height)
    {
        await PointAtAsync(qmp, x, y, screenWidth, screenHeight);
        await qmp.ClickAsync("left");
    }

    /// <summary>Does 'action' and waits for 'report' on the console after it.</summary>
    public static async Task ActAsync(QemuSession qemu, Func<Task> action, string report)
    {
        int since = qemu.Serial.Length;
        await action();
        await ConsoleCommands.WaitForTextAsync(qemu, since, report);
    }

    /// <summary>The last whole console line starting with 'start' ("" when there is none yet).</summary>
    public static string LastLine(string serial, string start)
    {
        int at = serial.LastIndexOf(start, StringComparison.Ordinal);
        int end = at < 0 ? -1 : serial.IndexOf('\n', at);
        return end < 0 ? "" : serial[at..end].TrimEnd('\r');
    }

    /// <summary>In the desktop session: opens the panel's launcher with the Super key, filters it to one application and starts it.</summary>
    public static async Task LaunchAsync(QemuSession qemu, QmpClient qmp, string filter, string name)
    {
        await ActAsync(qemu, () => qmp.SendKeysAsync("meta_l"), "panel: launcher open");
        await ActAsync(qemu, async () =>
        {
            foreach (char character in filter)
                await qmp.SendKeysAsync(character.ToString());
        }, $"panel: launcher shows 1: {name}");
        await ActAsync(qemu, () => qmp.SendKeysAsync("ret"), $"panel: started {name} ");
    }

    /// <summary>
    /// Screendumps until 'ready' holds (the compositor composes after the client's report), at most 'attempts' times
    /// 0.5 s (20 s by default); the last one, with a PNG copy.
    /// </summary>
    public static async Task<PpmImage> ScreenAsync(QmpClient qmp, string path, Func<PpmImage, bool> ready, int attempts = 40)
    {
        PpmImage image = null!;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            await qmp.ScreenDumpAsync(path);
            image = PpmImage.Load(path);
            if (ready(image))
                break;
            await Task.Delay(500);
        }
        image.SavePng(Path.ChangeExtension(path, ".png"));
        return image;
    }

    private static readonly Regex PanelPlace = new(@"panel: place (?<name>[a-z0-9 ]+) (?<x>\d+),(?<y>\d+) (?<w>\d+)x(?<h>\d+)", RegexOptions.Compiled);

    /// <summary>The toolkit's fonts as the image holds them (out/rootfs/usr/share/exo/fonts, else out/fonts), to draw expected text on the host.</summary>
    public static readonly Lazy<FontSet> Fonts = new(() =>
    {
        string directory = Path.Combine(ExoPaths.FindRepoRoot(), "out", "rootfs", "usr", "share", "exo", "fonts");
        return FontSet.Load(Directory.Exists(directory) ? directory : Path.Combine(ExoPaths.FindRepoRoot(), "out", "fonts"));
    });

    /// <summary>The panel's reported places ("panel: place NAME X,Y WxH"), the last report of each name.</summary>
    public static Dictionary<string, Rect> PanelPlaces(string serial)
    {
        var places = new Dictionary<string, Rect>();
        foreach (Match match in PanelPlace.Matches(serial))
            places[match.Groups["name"].Value] = new Rect(int.Parse(match.Groups["x"].Value), int.Parse(match.Groups["y"].Value),
                int.Parse(match.Groups["w"].Value), int.Parse(match.Groups["h"].Value));
        return places;
    }

    public static (int X, int Y) Centre(Rect place) => (place.X + place.Width / 2, place.Y + place.Height / 2);

    public static string Screenshot(string name)
    {
        string directory = Path.Combine(ExoPaths.FindRepoRoot(), "out", "test-results", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name + ".ppm");
    }
}
