using System.Text.RegularExpressions;
using Exo.Testing;
using static Exo.Kernel.BootTests.DesktopScreen;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The toolkit (libs/Exo.Toolkit) on the real desktop: init=gallery.conf starts the compositor and the WidgetGallery
/// (.NET, NativeAOT) as its only client. The gallery prints where its widgets are; the test reads the screen: anti-aliased
/// text (pixels between the text's and the background's colours) where the title is, a toggle button turning to the
/// accent colour when clicked (and the redraw sending only that button's and the status line's rectangles), text typed into
/// the text field appearing, the list's selection by click and key, a dialog shown and answered, and the dark theme.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class WidgetGalleryBootTests
{
    // The cascade's first place (WindowStack) for the window's content; the palettes of libs/Exo.Toolkit/Theming/Palette.cs.
    private const int WindowX = 48, WindowY = 64, WindowWidth = 640, WindowHeight = 440;
    private const int LightWindow = 0xF0F0F0, LightSurface = 0xFFFFFF, LightText = 0x202020, LightAccent = 0x3C78D8;
    private const int DarkWindow = 0x202428, DarkSurface = 0x2C3136, DarkText = 0xE8E8E8;
    private readonly ITestOutputHelper _output;

    public WidgetGalleryBootTests(ITestOutputHelper output) => _output = output;

    private readonly record struct Box(int X, int Y, int Width, int Height)
    {
        public int CentreX => WindowX + X + Width / 2;
        public int CentreY => WindowY + Y + Height / 2;
        public bool Holds(int x, int y, int width, int height) => x >= X && y >= Y && x + width <= X + Width && y + height <= Y + Height;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_gallery_draws_text_and_widgets_that_answer_clicks_and_keys(int processors)
    {
        string socket = QmpSocket();
        await using var qemu = StartDesktop("gallery.conf", processors, socket);
        try
        {
            await qemu.WaitForAsync("widget_gallery: drawn 640x440 (light)", Boot.Timeout);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "compositor: tablet attached");
            Assert.Contains("widget_gallery: fonts loaded from /usr/share/exo/fonts (body 13 px", qemu.Serial, StringComparison.Ordinal);
            var places = Regex.Matches(qemu.Serial, @"widget_gallery: place (\w+) (\d+),(\d+) (\d+)x(\d+)")
                .ToDictionary(m => m.Groups[1].Value, m => new Box(int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value), int.Parse(m.Groups[5].Value)));
            foreach (string name in new[] { "title", "click", "dark", "dialog", "field", "list", "scroll", "menu", "status" })
                Assert.True(places.ContainsKey(name), $"the gallery did not say where '{name}' is");
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            string Shot(string name) => Screenshot($"gallery-{processors}cpu-{name}");
            Box title = places["title"], click = places["click"], field = places["field"], list = places["list"];

            // Light: the window's background at the bottom edge, the title's anti-aliased text on the tab page's surface.
            var screen = await ScreenAsync(qmp, Shot("1-light"), s => s.IsFilled(WindowX + 2, WindowY + WindowHeight - 4, 200, 3, LightWindow));
            Assert.True(screen.IsFilled(WindowX + 2, WindowY + WindowHeight - 4, 200, 3, LightWindow), "the light window's background");
            var (ink, shades) = Text(screen, title, LightSurface, LightText);
            Assert.True(ink > 80, $"{ink} pixels of the title's text");
            Assert.True(shades > 40, $"{shades} pixels between the text's and the background's colours: not anti-aliased?");
            Assert.True(Count(screen, click, LightAccent) < click.Width * click.Height / 4, "the button before its click");

            // A toggle button turns to the accent colour; the redraw sends only its rectangle and the status line's.
            int since = qemu.Serial.Length;
            await ActAsync(qemu, () => ClickAtAsync(qmp, click.CentreX, click.CentreY), "widget_gallery: button Click me clicked, checked True");
            screen = await ScreenAsync(qmp, Shot("2-clicked"), s => Count(s, click, LightAccent) > click.Width * click.Height / 2);
            Assert.True(Count(screen, click, LightAccent) > click.Width * click.Height / 2, "the clicked button in the accent colour");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "widget_gallery: presented");
            foreach (Match presented in Regex.Matches(qemu.Serial[since..], @"widget_gallery: presented (.*)"))
            {
                foreach (Match rectangle in Regex.Matches(presented.Groups[1].Value, @"(\d+),(\d+),(\d+)x(\d+)"))
                {
                    int x = int.Parse(rectangle.Groups[1].Value), y = int.Parse(rectangle.Groups[2].Value);
                    int width = int.Parse(rectangle.Groups[3].Value), height = int.Parse(rectangle.Groups[4].Value);
                    Assert.True(click.Holds(x, y, width, height) || places["status"].Holds(x, y, width, height) || WideStatus(places["status"]).Holds(x, y, width, height),
                        $"damage {rectangle.Value} outside the button and the status line");
                }
            }

            // Text typed into the field appears in it.
            int before = Text(screen, field, LightSurface, LightText).Ink;
            await ActAsync(qemu, () => ClickAtAsync(qmp, field.CentreX, field.CentreY), "widget_gallery: buttons 0");
            foreach (string key in new[] { "h", "e", "l", "l", "o" })
                await qmp.SendKeysAsync(key);
            await ConsoleCommands.WaitForTextAsync(qemu, since, "widget_gallery: text hello");
            screen = await ScreenAsync(qmp, Shot("3-typed"), s => Text(s, field, LightSurface, LightText).Ink > before + 40);
            Assert.True(Text(screen, field, LightSurface, LightText).Ink > before + 40, "'hello' in the text field");

            // The list: a click on its second row, then Down.
            int row = 24;
            await ActAsync(qemu, () => ClickAtAsync(qmp, list.CentreX, WindowY + list.Y + 1 + row + row / 2), "widget_gallery: list selected 1 Bravo");
            await ActAsync(qemu, () => qmp.SendKeysAsync("down"), "widget_gallery: list selected 2 Charlie");

            // A dialog over the window's centre, answered with Enter.
            Box dialog = places["dialog"];
            await ActAsync(qemu, () => ClickAtAsync(qmp, dialog.CentreX, dialog.CentreY), "widget_gallery: dialog shown");
            screen = await ScreenAsync(qmp, Shot("4-dialog"), s => s.Count(WindowX + WindowWidth / 2 - 40, WindowY + 150, 80, 140, LightAccent) > 400);
            Assert.True(screen.Count(WindowX + WindowWidth / 2 - 40, WindowY + 150, 80, 140, LightAccent) > 400, "the dialog's title strip");
            await ActAsync(qemu, () => qmp.SendKeysAsync("ret"), "widget_gallery: dialog answered OK");

            // The dark theme: every widget redrawn in the dark palette.
            Box dark = places["dark"];
            await ActAsync(qemu, () => ClickAtAsync(qmp, dark.CentreX, dark.CentreY), "widget_gallery: theme dark");
            screen = await ScreenAsync(qmp, Shot("5-dark"), s => s.IsFilled(WindowX + 2, WindowY + WindowHeight - 4, 200, 3, DarkWindow));
            Assert.True(screen.IsFilled(WindowX + 2, WindowY + WindowHeight - 4, 200, 3, DarkWindow), "the dark window's background");
            (ink, shades) = Text(screen, title, DarkSurface, DarkText);
            Assert.True(ink > 80 && shades > 40, $"the title in the dark theme: {ink} pixels, {shades} shades");
            Assert.True(Text(screen, field, 0x181B1E, DarkText).Ink > 40, "'hello' still in the field, light on dark");
        }
        finally
        {
            _output.WriteLine(qemu.Serial);
        }
    }

    /// <summary>The status label's line across the window (its width follows its text).</summary>
    private static Box WideStatus(Box status) => new(0, status.Y, WindowWidth, status.Height);

    private static int Count(PpmImage screen, Box box, int colour) => screen.Count(WindowX + box.X, WindowY + box.Y, box.Width, box.Height, colour);

    /// <summary>
    /// In 'box': pixels that are not the background (ink), and those strictly between the background and the text colour
    /// on every channel with a margin (the anti-aliased edges: an unsmoothed font would have none).
    /// </summary>
    private static (int Ink, int Shades) Text(PpmImage screen, Box box, int background, int text)
    {
        int ink = 0, shades = 0;
        for (int y = WindowY + box.Y; y < WindowY + box.Y + box.Height; y++)
        {
            for (int x = WindowX + box.X; x < WindowX + box.X + box.Width; x++)
            {
                int pixel = screen[x, y];
                if (pixel == background)
                    continue;
                ink++;
                bool between = true;
                for (int shift = 0; shift < 24; shift += 8)
                {
                    int low = Math.Min(background >> shift & 0xFF, text >> shift & 0xFF), high = Math.Max(background >> shift & 0xFF, text >> shift & 0xFF);
                    int channel = pixel >> shift & 0xFF;
                    between &= channel > low + 16 && channel < high - 16;
                }
                if (between)
                    shades++;
            }
        }
        return (ink, shades);
    }
}
