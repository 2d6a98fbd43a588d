using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Theming;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A crashed compositor in the desktop session: killed from the kernel monitor, it is started again by the device manager
/// with the same channels; the panel, the terminal and the file manager connect again and make their windows anew. Checked
/// on the screendump (the panel across the top, the file manager's window at its new place, a command's output in the
/// terminal) and through input: keys reach the file manager and the terminal again and the Super key still opens the
/// launcher. A second kill is survived the same way. Then the panel itself is killed: init starts it again.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class CompositorRestartBootTests
{
    private const int Attempts = 60;
    private static readonly Regex Shown = new(@"compositor: window 'Files' shown at (?<x>\d+),(?<y>\d+) ", RegexOptions.Compiled);
    private static readonly Regex TerminalShown = new(@"compositor: window 'Terminal' shown at (?<x>\d+),(?<y>\d+) ", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    public CompositorRestartBootTests(ITestOutputHelper output) => _output = output;

    /// <summary>Waits until the panel's last window list has 'title' focused (a click comes through the tablet's driver,
    /// keys through the keyboard's: keys typed before the focus moved could still reach the other window).</summary>
    private static async Task FocusedAsync(QemuSession qemu, string title)
    {
        for (int attempt = 0; attempt < 60; attempt++)
        {
            if (DesktopScreen.LastLine(qemu.Serial, "panel: windows ").Contains($"{title} (focused)", StringComparison.Ordinal))
                return;
            await Task.Delay(500);
        }
        Assert.Fail($"{title} never got the focus");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_killed_compositor_comes_back_and_its_clients_reconnect(int processors)
    {
        string socket = DesktopScreen.QmpSocket();
        await using var qemu = DesktopScreen.StartDesktop("desktop_session.conf", processors, socket);
        try
        {
            await qemu.WaitForAsync("panel: clock", Boot.Timeout);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            await DesktopScreen.LaunchAsync(qemu, qmp, "term", "Terminal");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "terminal: the shell wrote its first output");
            await DesktopScreen.LaunchAsync(qemu, qmp, "files", "Files");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "files: place list");

            for (int restart = 1; restart <= 2; restart++)
            {
                int since = qemu.Serial.Length;
                await ConsoleCommands.KillFromMonitorAsync(qemu, "compositor");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: the display client was killed");
                await ConsoleCommands.WaitForTextAsync(qemu, since, $"devices: restarting the display client (restart {restart} of 3)");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "compositor: desktop 1024x768 drawn, listening as compositor");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "panel: reconnected to the compositor");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "files: reconnected to the compositor");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "terminal: reconnected to the compositor");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "compositor: window 'Terminal' shown at ");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "compositor: window 'Files' shown at ");
                var shown = Shown.Match(qemu.Serial, since);
                int x = int.Parse(shown.Groups["x"].Value), y = int.Parse(shown.Groups["y"].Value);

                // The panel and the file manager's window drawn again by the new compositor.
                uint panel = Palette.Dark.Window, window = Palette.Light.Window;
                bool Back(PpmImage s) => (uint)s[DesktopScreen.Width / 2, 2] == panel && (uint)s[x + 3, y + 3] == window;
                var screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"compositor-restart-{processors}-{restart}"), Back, Attempts);
                Assert.True(Back(screen), "the panel and the file manager's window are drawn again");

                // Input reaches them again: the file manager gets the keyboard (it is the focused window), the panel the Super key.
                await DesktopScreen.ClickAtAsync(qmp, x + 3, y + 3);
                await FocusedAsync(qemu, "Files");
                await DesktopScreen.ActAsync(qemu, async () =>
                {
                    await qmp.SendKeysAsync("ctrl", "l");
                    await TerminalBootTests.TypeAsync(qmp, restart == 1 ? "/tmp" : "/etc");
                }, restart == 1 ? "files: folder /tmp " : "files: folder /etc ");
                // The terminal: raised by a click on its title bar, a command typed, its output on the screen.
                var terminal = TerminalShown.Match(qemu.Serial, since);
                int terminalX = int.Parse(terminal.Groups["x"].Value), terminalY = int.Parse(terminal.Groups["y"].Value);
                // (The click comes through the tablet's driver, the keys through the keyboard's: wait for the focus to move
                // before typing, or the first keys can still reach the file manager.)
                await DesktopScreen.ClickAtAsync(qmp, terminalX + 650, terminalY - 10);   // its title bar right of the file manager
                await FocusedAsync(qemu, "Terminal");
                await TerminalBootTests.TypeAsync(qmp, $"echo after-restart-{restart}");
                screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"compositor-restart-{processors}-{restart}-terminal"),
                    s => TerminalBootTests.FindRow(s, terminalX, terminalY, 24, $"after-restart-{restart}") >= 0, Attempts);
                Assert.True(TerminalBootTests.FindRow(screen, terminalX, terminalY, 24, $"after-restart-{restart}") >= 0, "the terminal shows the command's output");
                await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("meta_l"), "panel: launcher open");
                await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("esc"), "panel: launcher closed");
            }
            // The panel killed: init starts it again, it takes the panel's place and lists the open windows.
            int killed = qemu.Serial.Length;
            await ConsoleCommands.KillFromMonitorAsync(qemu, "Panel");
            await ConsoleCommands.WaitForTextAsync(qemu, killed, "init: restarting service panel (/bin/sh) (restart 1 of 3)");
            await ConsoleCommands.WaitForTextAsync(qemu, killed, "panel: drawn 1024x32");
            await ConsoleCommands.WaitForTextAsync(qemu, killed, "panel: windows 2: ");
            var back = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"compositor-restart-{processors}-panel"),
                s => (uint)s[DesktopScreen.Width / 2, 2] == Palette.Dark.Window, Attempts);
            Assert.Equal(Palette.Dark.Window, (uint)back[DesktopScreen.Width / 2, 2]);
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("meta_l"), "panel: launcher open");
            Assert.DoesNotContain("Unhandled exception", qemu.Serial, StringComparison.Ordinal);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }
}
