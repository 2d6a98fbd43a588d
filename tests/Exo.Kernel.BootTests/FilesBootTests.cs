using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The file manager (userland/linux/dotnet/Files) in the desktop session, driven through QMP as a user would: a folder
/// made with mkdir in the terminal shows in its list, read off the screendump (the row's pixels match the toolkit's
/// drawing of the name here on the host); then a new folder made, renamed, copied and deleted in the file manager, each
/// checked by the folder's listing read again from the VFS, and a path that does not exist refused with its reason
/// while the file manager goes on.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class FilesBootTests
{
    private const int Attempts = 60;
    private static readonly Regex ListPlace = new(@"files: place list (?<x>\d+),(?<y>\d+) (?<w>\d+)x(?<h>\d+) row (?<row>\d+)", RegexOptions.Compiled);
    private static readonly Regex Shown = new(@"compositor: window 'Files' shown at (?<x>\d+),(?<y>\d+) ", RegexOptions.Compiled);
    private static readonly Regex TerminalShown = new(@"compositor: window 'Terminal' shown at (?<x>\d+),(?<y>\d+) ", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    public FilesBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_file_manager_shows_a_folder_made_in_the_terminal_and_manages_files(int processors)
    {
        string socket = DesktopScreen.QmpSocket();
        await using var qemu = DesktopScreen.StartDesktop("desktop_session.conf", processors, socket);
        try
        {
            await qemu.WaitForAsync("panel: clock", Boot.Timeout);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));

            // The terminal, from the launcher: mkdir there.
            await DesktopScreen.LaunchAsync(qemu, qmp, "term", "Terminal");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "terminal: the shell wrote its first output");
            var terminal = Origin(TerminalShown, qemu.Serial, "Terminal");
            await TerminalBootTests.TypeAsync(qmp, "mkdir /tmp/made-in-terminal && echo made-it");
            await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"files-{processors}-1-terminal"),
                s => TerminalBootTests.FindRow(s, terminal.X, terminal.Y, 24, "made-it") >= 0, Attempts);

            // The file manager, from the launcher: Ctrl+L, /tmp, Enter shows the folder.
            await DesktopScreen.LaunchAsync(qemu, qmp, "files", "Files");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "files: place list");
            var window = Origin(Shown, qemu.Serial, "Files");
            var place = ListPlace.Match(qemu.Serial);
            var list = new Rect(window.X + int.Parse(place.Groups["x"].Value), window.Y + int.Parse(place.Groups["y"].Value),
                int.Parse(place.Groups["w"].Value), int.Parse(place.Groups["h"].Value));
            int row = int.Parse(place.Groups["row"].Value);
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("ctrl", "l");
                await TerminalBootTests.TypeAsync(qmp, "/tmp");
            }, "files: folder /tmp ");
            Assert.Matches(@"files: folder /tmp \d+ items?: [^\n]*made-in-terminal/", DesktopScreen.LastLine(qemu.Serial, "files: folder /tmp "));
            var screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"files-{processors}-2-listed"),
                s => FindRow(s, list, row, "made-in-terminal/") >= 0, Attempts);
            Assert.True(FindRow(screen, list, row, "made-in-terminal/") >= 0, "the folder made in the terminal is drawn in the list");

            // A new folder (Ctrl+Shift+N, the prompt's text replaced), renamed (F2), copied and pasted, deleted.
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("ctrl", "shift", "n");
                await Task.Delay(1000);
                await Erase(qmp, "New folder".Length);
                await TerminalBootTests.TypeAsync(qmp, "made-in-files");
            }, "files: created /tmp/made-in-files");
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("f2");
                await Task.Delay(1000);
                await Erase(qmp, "files".Length);
                await TerminalBootTests.TypeAsync(qmp, "renamed");
            }, "files: renamed made-in-files to /tmp/made-in-renamed");
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("ctrl", "c");
                await qmp.SendKeysAsync("ctrl", "v");
            }, "files: pasted /tmp/made-in-renamed (copy)");
            Assert.Matches(@"files: folder /tmp \d+ items: ([^\n]*, )?made-in-renamed/, made-in-renamed \(copy\)/, made-in-terminal/",
                DesktopScreen.LastLine(qemu.Serial, "files: folder /tmp "));
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"files-{processors}-3-copied"),
                s => FindRow(s, list, row, "made-in-renamed (copy)/") >= 0, Attempts);
            Assert.True(FindRow(screen, list, row, "made-in-renamed (copy)/") >= 0, "the copy is drawn in the list");
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("delete");
                await Task.Delay(1000);
                await qmp.SendKeysAsync("ret");
            }, "files: deleted made-in-renamed (copy)");
            Assert.Matches(@"files: folder /tmp \d+ items: ([^\n]*, )?made-in-renamed/, made-in-terminal/", DesktopScreen.LastLine(qemu.Serial, "files: folder /tmp "));

            // A folder that does not exist: refused with its reason, the list stays.
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("ctrl", "l");
                await TerminalBootTests.TypeAsync(qmp, "/no-such-place");
            }, "files: error: cannot open /no-such-place: ");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("f5"), "files: folder /tmp ");

            // The window's left border dragged 100 pixels left: the compositor resizes it (the right edge stays) and the
            // file manager draws at the new width (no empty grey where its old buffer ended).
            var size = Regex.Match(qemu.Serial, @"compositor: window 'Files' shown at \d+,\d+ (?<w>\d+)x(?<h>\d+)");
            int width = int.Parse(size.Groups["w"].Value), height = int.Parse(size.Groups["h"].Value);
            int borderX = window.X - 1, borderY = window.Y + height / 2;
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await DesktopScreen.PointAtAsync(qmp, borderX, borderY);
                await qmp.SetButtonAsync("left", true);
                await DesktopScreen.PointAtAsync(qmp, borderX - 50, borderY);
                await DesktopScreen.PointAtAsync(qmp, borderX - 100, borderY);
                await qmp.SetButtonAsync("left", false);
            }, $"compositor: window resized to {width + 100}x{height}");
            uint background = Palette.Light.Window;
            bool Redrawn(PpmImage s) => (uint)s[window.X - 100 + 3, window.Y + 3] == background && (uint)s[window.X + width - 4, window.Y + 3] == background;
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"files-{processors}-4-resized"), Redrawn, Attempts);
            Assert.True(Redrawn(screen), "the file manager drew itself at the new width");
            Assert.DoesNotContain("Unhandled exception", qemu.Serial, StringComparison.Ordinal);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    private static async Task Erase(QmpClient qmp, int characters)
    {
        for (int i = 0; i < characters; i++)
            await qmp.SendKeysAsync("backspace");
    }

    private static (int X, int Y) Origin(Regex shown, string serial, string title)
    {
        var match = shown.Match(serial);
        Assert.True(match.Success, $"the compositor reports where the {title} window is");
        return (int.Parse(match.Groups["x"].Value), int.Parse(match.Groups["y"].Value));
    }

    /// <summary>The list's row (on the screen, 'list' its box) that shows 'text' exactly as the toolkit's ListView draws it
    /// in the light theme, selected or not; -1 when none does.</summary>
    private static int FindRow(PpmImage screen, Rect list, int rowHeight, string text)
    {
        var font = DesktopScreen.Fonts.Value.Body;
        var palette = Palette.Light;
        int width = font.Measure(text), top = (rowHeight - font.LineHeight) / 2;
        for (int row = 0; (row + 1) * rowHeight + 2 <= list.Height; row++)
        {
            int x = list.X + 1 + 4, y = list.Y + 1 + row * rowHeight;
            foreach (var (background, ink) in new[] { (palette.Field, palette.Text), (palette.Selection, palette.SelectionText) })
            {
                var canvas = new Canvas(width, rowHeight);
                canvas.Fill(new Rect(0, 0, width, rowHeight), background);
                font.DrawLine(canvas, text, 0, top, ink);
                if (Matches(screen, canvas, x, y))
                    return row;
            }
        }
        return -1;
    }

    private static bool Matches(PpmImage screen, Canvas canvas, int x, int y)
    {
        for (int dy = 0; dy < canvas.Height; dy++)
            for (int dx = 0; dx < canvas.Width; dx++)
                if ((uint)screen[x + dx, y + dy] != canvas.Pixels[dy * canvas.Width + dx])
                    return false;
        return true;
    }
}
