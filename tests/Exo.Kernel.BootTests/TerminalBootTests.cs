using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The desktop's terminal (userland/linux/dotnet/Terminal) under the compositor (init=desktop_terminal.conf): it opens a
/// pseudo-terminal, starts the login shell on it and draws the emulator's cells in the toolkit's DejaVu Sans Mono atlas.
/// Keys typed through QMP reach the shell; the screendump's cells are matched pixel for pixel against cells drawn here,
/// on the host, from the atlas file the build put into the image (out/rootfs/usr/share/exo/fonts/mono-16.atlas) with the
/// toolkit's own text drawing (not against anything the terminal reports): the output line of `echo hello-exo`; ^C
/// ending a `sleep 300` (the slave is the shell's controlling terminal); a printf in SGR red; a line of the characters
/// the old bitmap font lacked (| \ ~ { } ^ `); then, after a maximise, `stty size` printing the new size the terminal
/// gave the pseudo-terminal. Also the headless mode from the console (the same pseudo-terminal and emulator, no window).
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class TerminalBootTests
{
    // The first window of the cascade has its content at (48, 64); the default colours are xterm's (0xE5E5E5 on black).
    private const int WindowX = 48, WindowY = 64, Columns = 80, Rows = 24;
    private const uint Foreground = 0xE5E5E5, Background = 0x000000, Red = 0xCD0000;
    private const int TitleHeight = 22, Attempts = 60;
    private const string Symbols = "a|b\\d~{x}^`z";

    /// <summary>The atlas the image holds (the terminal's default: mono-16).</summary>
    private static readonly Lazy<GlyphAtlas> Atlas = new(() =>
    {
        string output = Path.Combine(ExoPaths.FindRepoRoot(), "out");
        foreach (string candidate in new[] { Path.Combine(output, "rootfs", "usr", "share", "exo", "fonts", "mono-16.atlas"), Path.Combine(output, "fonts", "mono-16.atlas") })
            if (File.Exists(candidate))
                return GlyphAtlas.LoadFile(candidate);
        throw new FileNotFoundException("mono-16.atlas is not in out/rootfs/usr/share/exo/fonts: run `make build`");
    });

    // A cell: the advance rounded up by the line height, the baseline at the ascent, each glyph at the cell's left edge
    // (the terminal's AtlasGlyphPainter.CellOf, derived here again from the atlas).
    private static int CellWidth => (Atlas.Value.GlyphFor('M').Advance + GlyphAtlasFormat.AdvanceScale - 1) / GlyphAtlasFormat.AdvanceScale;
    private static int CellHeight => Atlas.Value.LineHeight;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(char, uint), uint[]> ExpectedCells = new();

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
            Assert.True(screen.Count(WindowX, WindowY, Columns * CellWidth, Rows * CellHeight, (int)Foreground) > 200, "text in the default colour");

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

            // The characters the old 5x8 bitmap font lacked, typed and echoed: each is its own glyph with ink.
            foreach (char character in "|\\~{}^`")
                Assert.True(ExpectedCell(character, Foreground).Count(pixel => pixel != Background) >= 4, $"the atlas draws {character}");
            Assert.Equal(7, "|\\~{}^`".Select(character => Convert.ToBase64String(ExpectedCell(character, Foreground).SelectMany(BitConverter.GetBytes).ToArray())).Distinct().Count());
            await TypeAsync(qmp, $"echo '{Symbols}'");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot("terminal-4-symbols"),
                s => FindRow(s, WindowX, WindowY, Rows, Symbols) >= 0, Attempts);
            int symbolsRow = FindRow(screen, WindowX, WindowY, Rows, Symbols);
            Assert.True(symbolsRow > 0, $"a row starting with {Symbols}");
            Assert.True(FindText(screen, WindowX, WindowY, symbolsRow - 1, Columns, $"echo '{Symbols}'"), "the command with | \\ ~ { } ^ ` echoed on the row above");

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
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot("terminal-5-maximised"), s => FindRowAnywhere(s, newRows, $"{newRows} {newColumns}") >= 0, Attempts);
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

    /// <summary>Types 'text' and Enter through QMP (US keyboard: letters, digits, space and - ' \\ [ ] ` | ~ { } ^ / .).</summary>
    internal static async Task TypeAsync(QmpClient qmp, string text)
    {
        foreach (char character in text)
            await qmp.SendKeysAsync(character switch
            {
                ' ' => ["spc"], '-' => ["minus"], '\'' => ["apostrophe"], '\\' => ["backslash"], '[' => ["bracket_left"],
                ']' => ["bracket_right"], '`' => ["grave_accent"], '|' => ["shift", "backslash"], '~' => ["shift", "grave_accent"],
                '{' => ["shift", "bracket_left"], '}' => ["shift", "bracket_right"], '^' => ["shift", "6"],
                '/' => ["slash"], '.' => ["dot"], '&' => ["shift", "7"], ';' => ["semicolon"], '(' => ["shift", "9"],
                ')' => ["shift", "0"], '>' => ["shift", "dot"], '<' => ["shift", "comma"],
                _ when char.IsAsciiLetterUpper(character) => ["shift", char.ToLowerInvariant(character).ToString()],
                _ => [character.ToString()],
            });
        await qmp.SendKeysAsync("ret");
    }

    /// <summary>The first row (of 'rows', content at (x, y)) whose cells start with 'text', or -1.</summary>
    internal static int FindRow(PpmImage screen, int x, int y, int rows, string text, uint foreground = Foreground)
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

    /// <summary>
    /// True when the cells from pixel (x, y) show 'text' in 'foreground' on the default background: every pixel exactly
    /// as the toolkit draws the glyph into the cell (its coverage blended with Colour.Blend, as the terminal does).
    /// </summary>
    private static bool CellsShow(PpmImage screen, int x, int y, string text, uint foreground = Foreground)
    {
        int cellWidth = CellWidth, cellHeight = CellHeight;
        if (x + text.Length * cellWidth > screen.Width || y + cellHeight > screen.Height)
            return false;
        for (int index = 0; index < text.Length; index++)
        {
            uint[] expected = ExpectedCell(text[index], foreground);
            for (int pixelY = 0; pixelY < cellHeight; pixelY++)
                for (int pixelX = 0; pixelX < cellWidth; pixelX++)
                    if ((uint)screen[x + index * cellWidth + pixelX, y + pixelY] != expected[pixelY * cellWidth + pixelX])
                        return false;
        }
        return true;
    }

    /// <summary>One cell as the toolkit draws 'character' in 'foreground' on the background: the glyph on the baseline at the ascent, the pen at the cell's left edge.</summary>
    private static uint[] ExpectedCell(char character, uint foreground) => ExpectedCells.GetOrAdd((character, foreground), key =>
    {
        var canvas = new Canvas(CellWidth, CellHeight);
        canvas.Fill(new Rect(0, 0, CellWidth, CellHeight), Background);
        if (key.Item1 != ' ')
            Atlas.Value.DrawLine(canvas, key.Item1.ToString(), 0, 0, key.Item2);
        return canvas.Pixels;
    });
}
