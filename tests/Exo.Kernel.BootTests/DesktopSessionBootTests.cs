using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The desktop session (init=desktop_session.conf, what `make desktop` boots): the panel (userland/linux/dotnet/Panel) on
/// the compositor's panel surface. Checked on the screendump and through QMP input: the panel across the top in the dark
/// theme with its clock, whose pixels match the clock text the panel reports drawn here on the host from the image's
/// atlas; its Applications button opens the launcher, typing filters it to the terminal and Enter starts it; the
/// terminal's window appears below the panel, `echo` and `ls /` typed there show their output; the panel lists the window, and its
/// button minimises it and brings it back; the Super key opens the launcher; the power menu's Shut down powers the machine off (reboot(2), ACPI S5).
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class DesktopSessionBootTests
{
    private const int PanelHeight = 32, Attempts = 60;
    private static readonly Regex Shown = new(@"compositor: window 'Terminal' shown at (?<x>\d+),(?<y>\d+) (?<w>\d+)x(?<h>\d+)", RegexOptions.Compiled);
    private static readonly Regex Clock = new(@"panel: clock (?<time>\d\d:\d\d)", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    public DesktopSessionBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_panel_shows_the_clock_starts_the_terminal_lists_its_window_and_powers_off(int processors)
    {
        string socket = DesktopScreen.QmpSocket();
        await using var qemu = DesktopScreen.StartDesktop("desktop_session.conf", processors, socket);
        try
        {
            await qemu.WaitForAsync("panel: clock", Boot.Timeout);
            var places = DesktopScreen.PanelPlaces(qemu.Serial);
            Assert.Contains("panel: drawn 1024x32, 6 applications", qemu.Serial, StringComparison.Ordinal);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));

            // The panel across the top, the clock's pixels as the toolkit draws the reported time.
            var palette = Palette.Dark;
            var clock = places["clock"];
            var screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"session-{processors}-1-panel"),
                s => ClockShown(s, clock, LastClock(qemu.Serial), palette), Attempts);
            Assert.True(ClockShown(screen, clock, LastClock(qemu.Serial), palette), $"the clock {LastClock(qemu.Serial)} drawn at {clock}");
            Assert.Equal((int)palette.Window, screen[DesktopScreen.Width / 2, 2]);
            Assert.Equal((int)palette.Window, screen[DesktopScreen.Width / 2, PanelHeight - 1]);
            Assert.NotEqual((int)palette.Window, screen[DesktopScreen.Width / 2, PanelHeight]);   // the desktop's background below

            // The launcher: opened by the button, filtered by typing, Enter starts the terminal.
            var applications = places["applications"];
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, DesktopScreen.Centre(applications).X, DesktopScreen.Centre(applications).Y),
                "panel: launcher shows 6: ");
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                foreach (char character in "term")
                    await qmp.SendKeysAsync(character.ToString());
            }, "panel: launcher shows 1: Terminal");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ret"), "panel: started Terminal (/exo/bin/Terminal, process ");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "terminal: the shell wrote its first output");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: Terminal (focused)");
            var shown = Shown.Match(qemu.Serial);
            Assert.True(shown.Success, "the compositor reports where the terminal's window is");
            int windowX = int.Parse(shown.Groups["x"].Value), windowY = int.Parse(shown.Groups["y"].Value);
            Assert.True(windowY >= PanelHeight + 22, $"the window's title bar is below the panel (content at y {windowY})");
            Assert.True(windowX + int.Parse(shown.Groups["w"].Value) <= DesktopScreen.Width, "the window fits on the screen");

            await TerminalBootTests.TypeAsync(qmp, "echo launched-from-the-panel");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"session-{processors}-2-terminal"),
                s => TerminalBootTests.FindRow(s, windowX, windowY, 24, "launched-from-the-panel") >= 0, Attempts);
            int echoRow = TerminalBootTests.FindRow(screen, windowX, windowY, 24, "launched-from-the-panel");
            Assert.True(echoRow > 0, "the echo's output in the terminal");
            // ls of the root: its first name (bin) starts a row below the echo's.
            await TerminalBootTests.TypeAsync(qmp, "ls / | head -3");   // piped: plain text, one name a line
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"session-{processors}-2-ls"),
                s => TerminalBootTests.FindRow(s, windowX, windowY, 24, "bin") > echoRow, Attempts);
            Assert.True(TerminalBootTests.FindRow(screen, windowX, windowY, 24, "bin") > echoRow, "ls / listed bin below the echo");

            // The window's button in the panel: minimises the focused window, then brings it back.
            var button = DesktopScreen.PanelPlaces(qemu.Serial)["window 0"];
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, DesktopScreen.Centre(button).X, DesktopScreen.Centre(button).Y),
                "panel: windows 1: Terminal (minimised)");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"session-{processors}-3-minimised"),
                s => TerminalBootTests.FindRow(s, windowX, windowY, 24, "launched-from-the-panel") < 0, Attempts);
            Assert.True(TerminalBootTests.FindRow(screen, windowX, windowY, 24, "launched-from-the-panel") < 0, "the minimised window is gone from the screen");
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, DesktopScreen.Centre(button).X, DesktopScreen.Centre(button).Y),
                "panel: windows 1: Terminal (focused)");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"session-{processors}-4-restored"),
                s => TerminalBootTests.FindRow(s, windowX, windowY, 24, "launched-from-the-panel") >= 0, Attempts);
            Assert.True(TerminalBootTests.FindRow(screen, windowX, windowY, 24, "launched-from-the-panel") > 0, "the window is back");

            // The Super key is the panel's: it opens the launcher (which takes the focus), Escape closes it.
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("meta_l"), "panel: launcher open");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("esc"), "panel: launcher closed");

            // The power menu: Shut down (its focused button) powers the machine off.
            var power = places["power"];
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, DesktopScreen.Centre(power).X, DesktopScreen.Centre(power).Y), "panel: power menu open");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ret"), "panel: shutting down");
            var result = await qemu.WaitForExitAsync();
            Assert.True(result.ExitCode == ExitStatus.Shutdown, $"expected ACPI S5 (status 0), got {result.DescribeExit()}");
            Assert.Contains("posix_x: reboot(2): powering off", result.Serial, StringComparison.Ordinal);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    private static string LastClock(string serial) => Clock.Matches(serial).Last().Groups["time"].Value;

    /// <summary>The clock's box shows 'time' exactly as the toolkit's Label draws it in the panel's dark theme.</summary>
    private static bool ClockShown(PpmImage screen, Rect place, string time, Palette palette)
    {
        var font = DesktopScreen.Fonts.Value.Body;
        var canvas = new Canvas(place.Width, place.Height);
        canvas.Fill(new Rect(0, 0, place.Width, place.Height), palette.Window);
        font.DrawLine(canvas, time, 0, (place.Height - font.LineHeight) / 2, palette.Text);
        for (int y = 0; y < place.Height; y++)
            for (int x = 0; x < place.Width; x++)
                if ((uint)screen[place.X + x, place.Y + y] != canvas.Pixels[y * place.Width + x])
                    return false;
        return true;
    }
}
