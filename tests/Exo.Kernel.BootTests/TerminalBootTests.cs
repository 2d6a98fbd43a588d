using System.Text.RegularExpressions;
using Exo.Compositor.Scene;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The desktop's terminal (userland/linux/dotnet/Terminal) under the compositor (init=desktop_terminal.conf): it opens a
/// pseudo-terminal, starts the login shell on it and draws the emulator's cells. Keys typed through QMP reach the shell;
/// the screendump's cells are matched against the font's bitmaps (not against anything the terminal reports): the
/// output line of `echo hello-exo`; ^C ending a `sleep 300` (the slave is the shell's controlling terminal); a printf
/// in SGR red; then, after a maximise, `stty size` printing the new size the terminal gave the pseudo-terminal. Also the headless mode from the console (the same pseudo-terminal and emulator, no window).
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class TerminalBootTests
{
    // The first window of the cascade has its content at (48, 64); cells are the title font at scale 2 (12 x 20 pixels),
    // the glyph one font row down; the default colours are xterm's (0xE5E5E5 on black).
    private const int WindowX = 48, WindowY = 64, Columns = 80, Rows = 24, Scale = 2;
    private const int CellWidth = TitleFont.Advance * Scale, CellHeight = (TitleFont.GlyphHeight + 2) * Scale;
    private const int Foreground = 0xE5E5E5, Background = 0x000000, Red = 0xCD0000;
    private const int TitleHeight = 22, Attempts = 60;
    private readonly ITestOutputHelper _output;

    public TerminalBootTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task The_terminal_runs_the_shell_and_shows_its_output()
    {
        string socket = DesktopScreen.QmpSocket();
        await using var qemu = DesktopScreen.StartDesktop("desktop_terminal.conf", 2, socket);
        try
        {
            await qemu.WaitForAsync("terminal: the shell wrote its first output", Boot.Timeout);
            Assert.Contains($"terminal: shell", qemu.Serial, StringComparison.Ordinal);
            Assert.Contains($"{Columns}x{Rows} cells of {CellWidth}x{CellHeight}", qemu.Serial, StringComparison.Ordinal);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));

            await TypeAsync(qmp, "echo hello-exo");
            var screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot("terminal-1-echo"), s => FindRow(s, WindowX, WindowY, Rows, "hello-exo") >= 0, Attempts);
            int outputRow = FindRow(screen, WindowX, WindowY, Rows, "hello-exo");
            Assert.True(outputRow > 0, "a row starting with hello-exo, below the command");
            Assert.True(FindText(screen, WindowX, WindowY, outputRow - 1, Columns, "echo hello-exo"), "the command echoed on the row above");
            Assert.True(screen.Count(WindowX, WindowY, Columns * CellWidth, Rows * CellHeight, Foreground) > 200, "text in the default colour");

            // ^C reaches the shell's foreground job through the pseudo-terminal (the slave is the shell's controlling
            // terminal): a long sleep ends at once and the next command runs.
            await TypeAsync(qmp, "sleep 300");
            await Task.Delay(1000);
            await qmp.SendKeysAsync("ctrl", "c");
            await TypeAsync(qmp, "echo after-interrupt");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot("terminal-2-interrupt"),
                s => FindRow(s, WindowX, WindowY, Rows, "after-interrupt") >= 0, Attempts);
            Assert.True(FindRow(screen, WindowX, WindowY, Rows, "after-interrupt") > outputRow, "the command after ^C ran");

            // Colours: SGR 31 draws in xterm's red (0xCD0000) on the default background.
            await TypeAsync(qmp, "printf '\\033[31mred-text\\033[m\\n'");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot("terminal-3-colour"),
                s => FindRow(s, WindowX, WindowY, Rows, "red-text", Red) >= 0, Attempts);
            Assert.True(FindRow(screen, WindowX, WindowY, Rows, "red-text", Red) >= 0, "red-text in red");

            // Maximise (the green button): the terminal gets a Configure, resizes and tells the pseudo-terminal.
            int since = qemu.Serial.Length;
            await DesktopScreen.PointAtAsync(qmp, WindowX + Columns * CellWidth - 32, WindowY - TitleHeight + 11);
            await qmp.ClickAsync("left");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "terminal: resized to ");
            Match size = Regex.Match(qemu.Serial.Substring(since), @"terminal: resized to (\d+)x(\d+)");
            int newColumns = int.Parse(size.Groups[1].Value), newRows = int.Parse(size.Groups[2].Value);
            Assert.True(newColumns > Columns && newRows > Rows, $"bigger after maximise: {newColumns}x{newRows}");
            await TypeAsync(qmp, "stty size");
            // Maximised, the content starts below the title bar at the screen's top left.
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot("terminal-4-maximised"), s => FindRowAnywhere(s, newRows, $"{newRows} {newColumns}") >= 0, Attempts);
            Assert.True(FindRowAnywhere(screen, newRows, $"{newRows} {newColumns}") >= 0, $"stty size printed {newRows} {newColumns}");
        }
        finally
        {
            _output.WriteLine(qemu.Serial);
        }

        // The headless mode from the serial console: the same pseudo-terminal and emulator, the screen printed.
        var lines = await ConsoleCommands.RunAsync(qemu, _output, "/exo/bin/Terminal --headless 'echo pty-ok'");
        Assert.Contains(lines, line => Regex.IsMatch(line, @"terminal: row \d+: pty-ok$"));
    }

    /// <summary>Types 'text' and Enter through QMP (lower-case letters, digits, space and - ' \\ [ on a US keyboard).</summary>
    private static async Task TypeAsync(QmpClient qmp, string text)
    {
        foreach (char character in text)
            await qmp.SendKeysAsync(character switch
            {
                ' ' => "spc", '-' => "minus", '\'' => "apostrophe", '\\' => "backslash", '[' => "bracket_left", _ => character.ToString(),
            });
        await qmp.SendKeysAsync("ret");
    }

    /// <summary>The first row (of 'rows', content at (x, y)) whose cells start with 'text', or -1.</summary>
    private static int FindRow(PpmImage screen, int x, int y, int rows, string text, int foreground = Foreground)
    {
        for (int row = 0; row < rows; row++)
            if (CellsShow(screen, x, y + row * CellHeight, text, foreground))
                return row;
        return -1;
    }

    /// <summary>FindRow for the maximised window: its content's top-left corner is found from where the title bar ends.</summary>
    private static int FindRowAnywhere(PpmImage screen, int rows, string text)
    {
        for (int top = 0; top <= TitleHeight + 4; top++)
            for (int left = 0; left <= 4; left++)
            {
                int row = FindRow(screen, left, top, Math.Min(rows, (DesktopScreen.Height - top) / CellHeight), text);
                if (row >= 0)
                    return row;
            }
        return -1;
    }

    private static bool FindText(PpmImage screen, int x, int y, int row, int columns, string text)
    {
        for (int column = 0; column + text.Length <= columns; column++)
            if (CellsShow(screen, x + column * CellWidth, y + row * CellHeight, text))
                return true;
        return false;
    }

    /// <summary>True when the cells from pixel (x, y) show 'text': every pixel of each cell is ink exactly where the font has ink.</summary>
    private static bool CellsShow(PpmImage screen, int x, int y, string text, int foreground = Foreground)
    {
        if (x + text.Length * CellWidth > screen.Width || y + CellHeight > screen.Height)
            return false;
        for (int index = 0; index < text.Length; index++)
            for (int pixelY = 0; pixelY < CellHeight; pixelY++)
                for (int pixelX = 0; pixelX < CellWidth; pixelX++)
                {
                    int fontRow = pixelY / Scale - 1, fontColumn = pixelX / Scale;
                    bool ink = fontRow >= 0 && fontRow < TitleFont.GlyphHeight && fontColumn < TitleFont.GlyphWidth
                        && text[index] != ' ' && TitleFont.IsInk(text[index], fontRow, fontColumn);
                    int pixel = screen[x + index * CellWidth + pixelX, y + pixelY];
                    if (pixel != (ink ? foreground : Background))
                        return false;
                }
        return true;
    }
}
