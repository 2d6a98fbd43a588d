using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The Settings application (userland/linux/dotnet/Settings) in the desktop session, driven with the tablet and keys
/// through QMP: its About values (the processors QEMU was given); a new resolution chosen and applied, after which the
/// screendump has the new size and the panel spans its width; a background colour whose pixels fill the desktop; the
/// German layout, after which the key Y types 'z'; each answer saved in the settings file.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class SettingsBootTests
{
    private const int Attempts = 60, NewWidth = 1280, NewHeight = 800;
    private const uint Forest = 0x2F5D3A;
    private static readonly Regex Place = new(@"settings: place (?<name>[a-z]+ [a-z0-9]+) (?<x>\d+),(?<y>\d+) (?<w>\d+)x(?<h>\d+)", RegexOptions.Compiled);
    private static readonly Regex Shown = new(@"compositor: window 'Settings' shown at (?<x>\d+),(?<y>\d+) ", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    public SettingsBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Settings_switch_the_resolution_the_background_and_the_layout_and_tell_about_the_machine(int processors)
    {
        string socket = DesktopScreen.QmpSocket();
        await using var qemu = DesktopScreen.StartDesktop("desktop_session.conf", processors, socket);
        try
        {
            await qemu.WaitForAsync("panel: clock", Boot.Timeout);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            await DesktopScreen.LaunchAsync(qemu, qmp, "sett", "Settings");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "settings: places of Display");
            Assert.Matches($@"settings: about: processors {processors}, memory \d+ MiB, kernel Linux version [^\n]*Exo-OS", qemu.Serial);
            var shown = Shown.Match(qemu.Serial);
            Assert.True(shown.Success, "the compositor reports where the Settings window is");
            int originX = int.Parse(shown.Groups["x"].Value), originY = int.Parse(shown.Groups["y"].Value);
            int screenWidth = DesktopScreen.Width, screenHeight = DesktopScreen.Height;
            var places = Places(qemu.Serial, 0);
            int row = int.Parse(Regex.Match(qemu.Serial, @"settings: places of Display, row (\d+)").Groups[1].Value);

            Task Click(Rect box) => DesktopScreen.ClickAtAsync(qmp, originX + box.X + box.Width / 2, originY + box.Y + box.Height / 2, screenWidth, screenHeight);
            Task ClickRow(Rect list, int index) => DesktopScreen.ClickAtAsync(qmp, originX + list.X + 20, originY + list.Y + 1 + index * row + row / 2, screenWidth, screenHeight);

            // Display: 1280 x 800 (the third mode).
            await ClickRow(places["list 0"], 2);
            await DesktopScreen.ActAsync(qemu, () => Click(places["button 0"]), $"settings: display {NewWidth}x{NewHeight}, background 305070, keyboard us");
            Assert.Contains($"compositor: display {NewWidth}x{NewHeight}", qemu.Serial, StringComparison.Ordinal);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "settings: saved /root/.config/exo/desktop.conf");
            screenWidth = NewWidth;
            screenHeight = NewHeight;
            uint panel = Palette.Dark.Window;
            var screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"settings-{processors}-1-mode"),
                s => s.Width == NewWidth && s.Height == NewHeight && (uint)s[NewWidth - 10, 2] == panel, Attempts);
            Assert.Equal((NewWidth, NewHeight), (screen.Width, screen.Height));
            Assert.True((uint)screen[NewWidth - 10, 2] == panel, "the panel spans the new width");

            // Appearance: the Forest background (the third colour).
            int since = qemu.Serial.Length;
            await DesktopScreen.ActAsync(qemu, () => Click(places["tab appearance"]), "settings: places of Appearance");
            places = Places(qemu.Serial, since);
            await ClickRow(places["list 0"], 2);
            await DesktopScreen.ActAsync(qemu, () => Click(places["button 2"]), $"settings: display {NewWidth}x{NewHeight}, background {Forest:X6}");
            uint stripe = (Forest >> 16 & 0xFF) * 15 / 16 << 16 | (Forest >> 8 & 0xFF) * 15 / 16 << 8 | (Forest & 0xFF) * 15 / 16;
            bool Desktop(PpmImage s, int x, int y) => (uint)s[x, y] == Forest || (uint)s[x, y] == stripe;
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"settings-{processors}-2-background"),
                s => Desktop(s, 4, NewHeight - 4) && Desktop(s, NewWidth - 4, NewHeight - 4), Attempts);
            Assert.True(Desktop(screen, 4, NewHeight - 4) && Desktop(screen, NewWidth - 4, NewHeight - 4), "the desktop is in the new colour");

            // Keyboard: German; the key labelled Y on a US keyboard types 'z'.
            since = qemu.Serial.Length;
            await DesktopScreen.ActAsync(qemu, () => Click(places["tab keyboard"]), "settings: places of Keyboard");
            places = Places(qemu.Serial, since);
            await ClickRow(places["list 0"], 1);
            // Applying a layout focuses the field to try it. (Clicking the field first could race with the key: the click
            // comes through the tablet's driver, the key through the keyboard's; a fresh clone's run at 1 processor never
            // saw the key typed.)
            await DesktopScreen.ActAsync(qemu, () => Click(places["button 0"]), "keyboard de");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("y"), "settings: typed z");

            // About: shown, and the settings saved each time.
            await DesktopScreen.ActAsync(qemu, () => Click(places["tab about"]), "settings: places of About");
            Assert.True(Regex.Matches(qemu.Serial, "settings: saved /root/.config/exo/desktop.conf").Count >= 3, "each answer saved");
            Assert.DoesNotContain("Unhandled exception", qemu.Serial, StringComparison.Ordinal);
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    /// <summary>The places Settings reported since 'since' (window coordinates), the last of each name.</summary>
    private static Dictionary<string, Rect> Places(string serial, int since)
    {
        var places = new Dictionary<string, Rect>();
        foreach (Match match in Place.Matches(serial, since))
            places[match.Groups["name"].Value] = new Rect(int.Parse(match.Groups["x"].Value), int.Parse(match.Groups["y"].Value),
                int.Parse(match.Groups["w"].Value), int.Parse(match.Groups["h"].Value));
        return places;
    }
}
