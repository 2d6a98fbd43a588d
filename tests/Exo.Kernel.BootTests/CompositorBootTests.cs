using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The compositor (userland/csharp/compositor) as `make desktop` boots it (init=desktop.conf, std-vga, a virtio tablet for
/// exact pointer positions): the device manager starts it as the display client, init starts the .NET demo client
/// (userland/linux/dotnet/CompositorDemo), which opens two windows through /dev/exo/compositor. The assertions read the
/// screen (QMP screendump: the background, both windows and their decorations where the cascade puts them), then a click
/// raising the lower window, keys reaching the focused client (its console report) and its redraw, a title-bar drag moving
/// the window's pixels, hostile clients (bad sizes, damage outside the surface, unknown ids, a flood) disconnected with a
/// report, a crashing client's window disappearing, a client that never reads its events flooded with keys, and the demo
/// window still getting its events and redrawing after all that; then maximise (the client redraws at the screen's size),
/// restore, minimise and F9, and close. One boot per
/// processor count.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class CompositorBootTests
{
    private const int Background = 0x305070, BackgroundStripe = 0x2C4A68, FrameBorder = 0x202020;
    private const int TitleFocused = 0x3C78D8, TitleUnfocused = 0x808080, TitleText = 0xFFFFFF, CloseButton = 0xE04040;
    private const int MaximiseButton = 0x40C040, MinimiseButton = 0xE0C040;
    private const int Red = 0xD04040, Blue = 0x4040D0, Green = 0x40A040, DarkGreen = 0x308030, Doomed = 0x2020F0, Silent = 0xD0D040;
    private const int ScreenWidth = 1024, ScreenHeight = 768;
    // The cascade (WindowStack): the first window's content at (48, 64), the second's at (248, 184); a 22-pixel title bar.
    private const int FirstX = 48, FirstY = 64, FirstWidth = 360, FirstHeight = 240;
    private const int SecondX = 248, SecondY = 184, SecondWidth = 320, SecondHeight = 200;
    private const int TitleHeight = 22;
    private readonly ITestOutputHelper _output;

    public CompositorBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_compositor_shows_windows_moves_raises_them_and_survives_bad_clients(int processors)
    {
        string socket = Path.Combine(Path.GetTempPath(), $"exo-qmp-{Guid.NewGuid():N}.sock");
        await using var qemu = QemuRunner.Start(Boot.Kernel("init=desktop.conf") with
        {
            Smp = processors,
            Timeout = TimeSpan.FromMinutes(10),
            ExtraArgs = new[] { "-vga", "std", "-device", "virtio-tablet-pci", "-qmp", $"unix:{socket},server=on,wait=off" },
        });
        try
        {
            await qemu.WaitForAsync("compositor_demo: window 2 drawn 320x200 colour 0x40a040", Boot.Timeout);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "compositor: tablet attached");
            Assert.Contains("compositor: desktop 1024x768 drawn, listening as compositor", qemu.Serial, StringComparison.Ordinal);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            string Shot(string name) => Screenshot($"compositor-{processors}cpu-{name}");

            // The background, both windows with their decorations; the second (newest) on top and focused.
            var screen = await ScreenAsync(qmp, Shot("1-two-windows"),
                s => s.IsFilled(FirstX + 10, FirstY + 10, 100, 100, Red) && Banded(s, SecondX + 10, SecondY + 10, 200, 150)
                    // and the focus moved: the first window's frame is redrawn unfocused after the second's content
                    && s.IsFilled(FirstX, FirstY - TitleHeight, 4, TitleHeight, TitleUnfocused)
                    && s.IsFilled(SecondX, SecondY - TitleHeight, 4, TitleHeight, TitleFocused));
            Assert.Equal((ScreenWidth, ScreenHeight), (screen.Width, screen.Height));
            Assert.True(screen.IsFilled(900, 10, 100, 40, Background), "the background");
            Assert.True(screen.IsFilled(FirstX + 10, FirstY + 10, 100, 100, Red), "the first window's content");
            Assert.True(Banded(screen, SecondX + 10, SecondY + 10, 200, 150), "the second window's bands");
            Assert.True(Banded(screen, SecondX, SecondY, 20, 20), "the second window covers the first where they overlap");
            Assert.True(screen.IsFilled(FirstX - 2, FirstY + 50, 2, 50, FrameBorder), "the first window's border");
            AssertTitleBar(screen, FirstX, FirstY, FirstWidth, TitleUnfocused);
            AssertTitleBar(screen, SecondX, SecondY, SecondWidth, TitleFocused);
            Assert.Equal(0, screen.Count(0, 0, ScreenWidth, ScreenHeight, Doomed));

            // A click on the first window's content raises and focuses it: it now covers the overlap.
            await ActAsync(qemu, () => ClickAtAsync(qmp, FirstX + 52, FirstY + 136), "compositor_demo: window 1 buttons 0 at 52,136");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "compositor_demo: window 1 focus gained");
            Assert.Contains("compositor_demo: window 2 focus lost", qemu.Serial, StringComparison.Ordinal);
            Assert.Contains("compositor_demo: window 1 buttons 1 at 52,136", qemu.Serial, StringComparison.Ordinal);
            screen = await ScreenAsync(qmp, Shot("2-raised"), s => s.IsFilled(SecondX, SecondY, 100, 100, Red));
            Assert.True(screen.IsFilled(SecondX, SecondY, 100, 100, Red), "the raised window covers the other");
            AssertTitleBar(screen, FirstX, FirstY, FirstWidth, TitleFocused);
            // The second window's title bar: its left part is under the first window now, its right part unfocused grey.
            Assert.True(screen.IsFilled(FirstX + FirstWidth + 4, SecondY - TitleHeight, 4, TitleHeight, TitleUnfocused), "the lowered window's title bar");

            // Keys go to the focused window's client; 'c' makes it redraw in its other colour.
            await ActAsync(qemu, () => qmp.SendKeysAsync("a"), "compositor_demo: window 1 key down 30 char 'a' mods 0x0");
            await ActAsync(qemu, () => qmp.SendKeysAsync("shift", "b"), "compositor_demo: window 1 key down 48 char 'B' mods 0x1");
            await ActAsync(qemu, () => qmp.SendKeysAsync("c"), "compositor_demo: window 1 drawn 360x240 colour 0x4040d0");
            screen = await ScreenAsync(qmp, Shot("3-redrawn"), s => s.IsFilled(FirstX + 100, FirstY + 10, 250, 200, Blue));
            // (Right of the cursor, which the click left at (100, 200).)
            Assert.True(screen.IsFilled(FirstX + 100, FirstY + 10, 250, 200, Blue), "the client's redraw reached the screen");

            // A drag of the title bar by (300, 300) moves the window's pixels; its old place shows what is under it.
            await PointAtAsync(qmp, FirstX + 100, FirstY - 10);
            await qmp.SetButtonAsync("left", true);
            await PointAtAsync(qmp, FirstX + 400, FirstY + 290);
            await ActAsync(qemu, () => qmp.SetButtonAsync("left", false), $"compositor: window moved to {FirstX + 300},{FirstY + 300}");
            screen = await ScreenAsync(qmp, Shot("4-dragged"), s => s.IsFilled(FirstX + 310, FirstY + 310, 300, 200, Blue));
            Assert.True(screen.IsFilled(FirstX + 310, FirstY + 310, 300, 200, Blue), "the window's pixels at the new place");
            AssertTitleBar(screen, FirstX + 300, FirstY + 300, FirstWidth, TitleFocused);
            Assert.Equal(0, screen.Count(FirstX, FirstY, 150, 100, Blue));
            Assert.Equal(150 * 100, screen.Count(FirstX, FirstY, 150, 100, Background) + screen.Count(FirstX, FirstY, 150, 100, BackgroundStripe));
            Assert.True(Banded(screen, SecondX + 10, SecondY + 10, 200, 100), "the second window shows again where the first was");

            // Bad clients are disconnected with a report; the desktop goes on.
            await ExpectHostileAsync(qemu, "hostile-size", "bad buffer (size, stride or place)");
            await ExpectHostileAsync(qemu, "hostile-damage", "damage outside the surface");
            await ExpectHostileAsync(qemu, "hostile-unknown", "unknown surface");
            await ExpectHostileAsync(qemu, "hostile-flood", "flood of requests");

            // A client that dies: its window goes. It opens at the cascade's fourth place, (648, 424), 200x150.
            int since = qemu.Serial.Length;
            await qemu.TypeAsync("/exo/bin/CompositorDemo crash\r", TimeSpan.FromMilliseconds(2));
            await ConsoleCommands.WaitForTextAsync(qemu, since, "compositor_demo: window 1 drawn 200x150 colour 0x2020f0");
            screen = await ScreenAsync(qmp, Shot("5-doomed"), s => s.IsFilled(660, 440, 150, 100, Doomed));
            Assert.True(screen.IsFilled(660, 440, 150, 100, Doomed), "the crashing client's window");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "its windows removed");
            await qemu.WaitForAsync(ConsoleCommands.ShellPrompt, TimeSpan.FromSeconds(60));
            screen = await ScreenAsync(qmp, Shot("6-crashed"), s => s.Count(0, 0, ScreenWidth, ScreenHeight, Doomed) == 0);
            Assert.Equal(0, screen.Count(0, 0, ScreenWidth, ScreenHeight, Doomed));

            // A client that never reads its events: its window (at the cascade's first place again, focused as the newest)
            // gets far more key events than its ring holds; the compositor drops them and goes on.
            since = qemu.Serial.Length;
            await qemu.TypeAsync("/exo/bin/CompositorDemo silent &\r", TimeSpan.FromMilliseconds(2));
            await ConsoleCommands.WaitForTextAsync(qemu, since, "compositor_demo: not reading events from now on");
            await ScreenAsync(qmp, Shot("7-silent"), s => s.IsFilled(FirstX + 10, FirstY + 10, 150, 100, Silent));
            for (int i = 0; i < 80; i++)
                await qmp.SendKeysAsync("1", "2", "3");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "does not read its events: they are dropped");

            // The demo client still gets its events and redraws: a click focuses its window, 'c' brings its first colour back.
            await ActAsync(qemu, () => ClickAtAsync(qmp, FirstX + 350, FirstY + 350), "compositor_demo: window 1 buttons 0 at 50,50");
            await ActAsync(qemu, () => qmp.SendKeysAsync("c"), "compositor_demo: window 1 drawn 360x240 colour 0xd04040");
            screen = await ScreenAsync(qmp, Shot("8-still-drawing"), s => s.IsFilled(FirstX + 400, FirstY + 330, 200, 180, Red));
            Assert.True(screen.IsFilled(FirstX + 400, FirstY + 330, 200, 180, Red), "the demo window redrawn after the bad clients");
            Assert.DoesNotContain("compositor_demo: disconnected", SerialBefore(qemu.Serial, "hostile-size"), StringComparison.Ordinal);

            // Maximise (the green button): a Configure with the screen's size, the client redraws at that size.
            int left = FirstX + 300, top = FirstY + 300;   // the window's content since the drag
            await ActAsync(qemu, () => ClickAtAsync(qmp, left + FirstWidth - 32, top - 14), "compositor_demo: window 1 drawn 1020x742 colour 0xd04040");
            Assert.Contains("compositor_demo: window 1 configure 1020x742 state 3", qemu.Serial, StringComparison.Ordinal);
            screen = await ScreenAsync(qmp, Shot("9-maximised"), s => s.IsFilled(100, 450, 400, 250, Red));
            Assert.True(screen.IsFilled(100, 450, 400, 250, Red), "the maximised window fills the screen");
            AssertTitleBar(screen, 2, TitleHeight + 2, ScreenWidth - 4, TitleFocused);
            // Again: restored to its place and size.
            await ActAsync(qemu, () => ClickAtAsync(qmp, ScreenWidth - 2 - 32, 10), "compositor_demo: window 1 configure 360x240 state 1");
            screen = await ScreenAsync(qmp, Shot("10-restored"), s => s.Count(100, 450, 200, 250, Red) == 0 && s.IsFilled(left + 100, top + 30, 200, 180, Red));
            Assert.True(screen.IsFilled(left + 100, top + 30, 200, 180, Red), "restored where it was");
            Assert.Equal(0, screen.Count(100, 450, 200, 250, Red));
            // Minimise (the yellow button): it goes; F9 brings it back.
            await ClickAtAsync(qmp, left + FirstWidth - 52, top - 14);
            screen = await ScreenAsync(qmp, Shot("11-minimised"), s => s.Count(left + 100, top + 30, 200, 180, Red) == 0);
            Assert.Equal(0, screen.Count(left + 100, top + 30, 200, 180, Red));
            await qmp.SendKeysAsync("f9");
            screen = await ScreenAsync(qmp, Shot("12-back"), s => s.IsFilled(left + 100, top + 30, 200, 180, Red));
            Assert.True(screen.IsFilled(left + 100, top + 30, 200, 180, Red), "F9 shows the minimised window again");

            // Close (the red button) on the second window: the client gets a Close, destroys the surface, the window goes.
            await ActAsync(qemu, () => ClickAtAsync(qmp, SecondX + SecondWidth - 12, SecondY - 14), "compositor_demo: window 2 close");
            screen = await ScreenAsync(qmp, Shot("13-closed"), s => s.Count(0, 0, ScreenWidth, ScreenHeight, Green) == 0);
            Assert.Equal(0, screen.Count(0, 0, ScreenWidth, ScreenHeight, Green) + screen.Count(0, 0, ScreenWidth, ScreenHeight, DarkGreen));
        }
        finally
        {
            Boot.LogSerial(_output, qemu.Serial);
            File.Delete(socket);
        }
    }

    /// <summary>Runs the demo in a hostile mode: the compositor reports the client's disconnection, the client its verdict.</summary>
    private async Task ExpectHostileAsync(QemuSession qemu, string mode, string problem)
    {
        int since = qemu.Serial.Length;
        var lines = await ConsoleCommands.RunAsync(qemu, _output, $"/exo/bin/CompositorDemo {mode}");
        Assert.Contains(lines, line => line.StartsWith($"compositor_demo: disconnected by the compositor: {problem}", StringComparison.Ordinal));
        Assert.Matches($@"compositor: client \d+ disconnected: {System.Text.RegularExpressions.Regex.Escape(problem)} \(request \d+\)", qemu.Serial[since..]);
    }

    private static string SerialBefore(string serial, string marker)
    {
        int at = serial.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? serial : serial[..at];
    }

    /// <summary>The title bar above content at (x, y): its colour at the left, title text, and the three buttons at the right.</summary>
    private static void AssertTitleBar(PpmImage screen, int x, int y, int width, int colour)
    {
        Assert.True(screen.IsFilled(x, y - TitleHeight, 4, TitleHeight, colour), $"the title bar at {x},{y - TitleHeight} in 0x{colour:x6}");
        Assert.InRange(screen.Count(x, y - TitleHeight, 100, TitleHeight, TitleText), 20, 600);
        int top = y - TitleHeight + 3;
        Assert.True(screen.IsFilled(x + width - 20, top, 16, 16, CloseButton), "the close button");
        Assert.True(screen.IsFilled(x + width - 40, top, 16, 16, MaximiseButton), "the maximise button");
        Assert.True(screen.IsFilled(x + width - 60, top, 16, 16, MinimiseButton), "the minimise button");
    }

    private static bool Banded(PpmImage screen, int x, int y, int width, int height)
        => screen.Count(x, y, width, height, Green) + screen.Count(x, y, width, height, DarkGreen) == width * height
           && screen.Count(x, y, width, height, Green) > 0 && (height <= 20 || screen.Count(x, y, width, height, DarkGreen) > 0);

    private static Task PointAtAsync(QmpClient qmp, int x, int y) => DesktopScreen.PointAtAsync(qmp, x, y);

    private static async Task ClickAtAsync(QmpClient qmp, int x, int y)
    {
        await PointAtAsync(qmp, x, y);
        await qmp.ClickAsync("left");
    }

    private static async Task ActAsync(QemuSession qemu, Func<Task> action, string report)
    {
        int since = qemu.Serial.Length;
        await action();
        await ConsoleCommands.WaitForTextAsync(qemu, since, report);
    }

    /// <summary>Screendumps until 'ready' holds (the compositor composes after the client's report), at most 20 s; the last one.</summary>
    private static Task<PpmImage> ScreenAsync(QmpClient qmp, string path, Func<PpmImage, bool> ready) => DesktopScreen.WaitForAsync(qmp, path, ready, 40);

    private static string Screenshot(string name) => DesktopScreen.Screenshot(name);
}
