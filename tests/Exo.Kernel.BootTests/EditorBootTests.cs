using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Exo.Testing;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The desktop's text editor (userland/linux/dotnet/Editor) in the desktop session (init=desktop_session.conf): started
/// from the launcher ("edit", Enter), two lines typed through QMP, whose pixels on the screendump are exactly the mono
/// font's drawn here on the host from the image's atlas at the place the editor reports; Ctrl+S asking for a path,
/// /tmp/note.txt typed, the save reported and the window's title following (the panel lists it); a folder and a binary
/// file opened with Ctrl+O refused with their reasons in a dialog while the text stays; a long file opened and scrolled
/// with the mouse wheel (its lines' pixels checked); the note opened again, a third line, saved through the File menu;
/// with unsaved changes, the window's close button asking (Escape: Cancel, the editor stays), Ctrl+N asking (Enter:
/// Save, then the new document), Ctrl+Q asking and Discard closing the editor; then the terminal, started from the
/// launcher, showing the file with cat and its MD5 equal to the text's computed here (the exact bytes: the last line,
/// "x", has no line break after it).
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class EditorBootTests
{
    // The centre of the close button in the compositor's title bar (userland/services/compositor/WindowFrame: 16-pixel
    // buttons 4 apart at the right of a 22-pixel bar), from the content's top-right corner.
    private const int Attempts = 60, CloseButtonFromRight = 12, CloseButtonAbove = 11;
    // The menu bar across the window's top and its popup's items are the light theme's control height (24) each; the
    // popup opens under "File" (x from 0), one pixel of border above its first item. Save is the third item.
    private const int MenuRow = 24, MenuItemX = 15;
    private const string NotePath = "/tmp/note.txt", LongFile = "/usr/share/doc/libc6/copyright";
    private static readonly Regex TextPlace = new(@"editor: place text (?<x>-?\d+),(?<y>-?\d+) (?<w>\d+)x(?<h>\d+) line height (?<line>\d+)", RegexOptions.Compiled);

    private readonly ITestOutputHelper _output;

    public EditorBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_editor_saves_typed_text_refuses_a_folder_and_a_binary_file_and_asks_before_discarding(int processors)
    {
        string socket = DesktopScreen.QmpSocket();
        await using var qemu = DesktopScreen.StartDesktop("desktop_session.conf", processors, socket);
        try
        {
            await qemu.WaitForAsync("panel: clock", Boot.Timeout);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));

            // The launcher: "edit" leaves the editor alone in the list, Enter starts it.
            var applications = DesktopScreen.PanelPlaces(qemu.Serial)["applications"];
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, DesktopScreen.Centre(applications).X, DesktopScreen.Centre(applications).Y),
                "panel: launcher shows 6: ");
            await DesktopScreen.ActAsync(qemu, () => Keys(qmp, "edit"), "panel: launcher shows 1: Text Editor");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ret"), "panel: started Text Editor (/exo/bin/Editor, process ");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: Untitled - Editor (focused)");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "editor: place text ");
            var window = Shown(qemu.Serial, "Untitled - Editor");
            var text = TextPlace.Matches(qemu.Serial).Last();
            int textX = window.X + int.Parse(text.Groups["x"].Value), textY = window.Y + int.Parse(text.Groups["y"].Value);
            int lineHeight = int.Parse(text.Groups["line"].Value);
            Assert.Equal(DesktopScreen.Fonts.Value.Mono.LineHeight, lineHeight);

            // Two lines typed: their pixels exactly as the toolkit draws them in the mono font.
            string[] lines = ["hello from exo", "second line - 42"];
            foreach (string line in lines)
                await TerminalBootTests.TypeAsync(qmp, line);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: *Untitled - Editor (focused)");
            var screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-1-typed"),
                s => LinesShown(s, textX, textY, lineHeight, lines), Attempts);
            Assert.True(LinesShown(screen, textX, textY, lineHeight, lines), $"the typed lines drawn at {textX},{textY}");

            // Ctrl+S asks for a path (an untitled text has none); Enter in the prompt saves.
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ctrl", "s"), "editor: asking: Save As");
            string expected = string.Concat(lines.Select(line => line + "\n"));
            await DesktopScreen.ActAsync(qemu, () => TerminalBootTests.TypeAsync(qmp, NotePath), $"editor: saved {NotePath} {Encoding.UTF8.GetByteCount(expected)} bytes");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: note.txt - Editor (focused)");
            await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-2-saved"), _ => true, 1);

            // A folder and a binary file: refused with the reason (a dialog, OK closes it), the text stays.
            await OpenAsync(qemu, qmp, NotePath.Length, "/tmp", "editor: cannot open /tmp: it is a folder, not a file");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-3-folder"),
                s => DialogShown(s, window), Attempts);
            Assert.True(DialogShown(screen, window), "the error dialog's title strip in the window");
            await qmp.SendKeysAsync("ret");
            await OpenAsync(qemu, qmp, NotePath.Length, "/exo/bin/Editor", "editor: cannot open /exo/bin/Editor: a binary file (a NUL byte at offset ");
            await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-4-binary"), s => DialogShown(s, window), Attempts);
            await qmp.SendKeysAsync("ret");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-5-after-errors"),
                s => !DialogShown(s, window) && LinesShown(s, textX, textY, lineHeight, lines), Attempts);
            Assert.True(LinesShown(screen, textX, textY, lineHeight, lines), "the text is still there after the refused files");

            // A long file (the image's copy of libc6's copyright): the mouse wheel scrolls it three lines a step, its
            // lines drawn as the file has them.
            string[] copyright = File.ReadAllLines(Path.Combine(ExoPaths.FindRepoRoot(), "out", "rootfs", LongFile.TrimStart('/')));
            await OpenAsync(qemu, qmp, NotePath.Length, LongFile, $"editor: opened {LongFile} {copyright.Length} lines");
            await DesktopScreen.PointAtAsync(qmp, window.X + window.Width / 2, window.Y + window.Height / 2);
            await DesktopScreen.ActAsync(qemu, () => qmp.ClickAsync("wheel-down"), "editor: view from line 4");
            await DesktopScreen.ActAsync(qemu, () => qmp.ClickAsync("wheel-down"), "editor: view from line 7");
            string[] shown = copyright[6..9];
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-6-wheel"),
                s => LinesShown(s, textX, textY, lineHeight, shown), Attempts);
            Assert.True(LinesShown(screen, textX, textY, lineHeight, shown), "lines 7 to 9 of the file at the top after two wheel steps");
            await DesktopScreen.ActAsync(qemu, () => qmp.ClickAsync("wheel-up"), "editor: view from line 4");

            // The saved note again: a third line at its end; the File menu's Save (by the mouse) saves to the same path
            // without asking, and gives the keyboard back to the text (the "x" typed next lands there).
            await OpenAsync(qemu, qmp, LongFile.Length, NotePath, $"editor: opened {NotePath} 2 lines");
            await qmp.SendKeysAsync("ctrl", "end");
            lines = [.. lines, "third"];
            expected = string.Concat(lines.Select(line => line + "\n"));
            await TerminalBootTests.TypeAsync(qmp, lines[^1]);
            // The keyboard and the tablet reach the compositor by different drivers: the typing must show before the clicks.
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-7-third"),
                s => LinesShown(s, textX, textY, lineHeight, lines), Attempts);
            Assert.True(LinesShown(screen, textX, textY, lineHeight, lines), "the third line typed");
            await DesktopScreen.ClickAtAsync(qmp, window.X + MenuItemX, window.Y + MenuRow / 2);
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, window.X + MenuItemX, window.Y + MenuRow + 1 + 2 * MenuRow + MenuRow / 2),
                $"editor: saved {NotePath} {Encoding.UTF8.GetByteCount(expected)} bytes");

            // Unsaved changes ("x" after the last line break). The window's close button (the compositor's Close event)
            // asks; Escape is Cancel: the editor stays.
            await Keys(qmp, "x");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: *note.txt - Editor (focused)");
            await DesktopScreen.ActAsync(qemu, () => DesktopScreen.ClickAtAsync(qmp, window.Right - CloseButtonFromRight, window.Y - CloseButtonAbove),
                "editor: asking to save changes");
            await qmp.SendKeysAsync("esc");
            // Ctrl+N asks too; Enter is Save: the note is saved, then the new document comes.
            expected += "x";
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ctrl", "n"), "editor: asking to save changes");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ret"), $"editor: saved {NotePath} {Encoding.UTF8.GetByteCount(expected)} bytes");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "editor: new document");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: Untitled - Editor (focused)");

            // Ctrl+Q with unsaved changes asks; Tab, Tab, Enter chooses Discard and the editor ends (nothing is written).
            await Keys(qmp, "y");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: windows 1: *Untitled - Editor (focused)");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ctrl", "q"), "editor: asking to save changes");
            await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-8-unsaved"), s => DialogShown(s, window), Attempts);
            await DesktopScreen.ActAsync(qemu, async () =>
            {
                await qmp.SendKeysAsync("tab");
                await qmp.SendKeysAsync("tab");
                await qmp.SendKeysAsync("ret");
            }, "editor: closed");
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "panel: Text Editor ended (wait status 0)");

            // The file's exact bytes, read by other programs: cat in the terminal, and md5sum against the text's MD5 here.
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("meta_l"), "panel: launcher open");
            await DesktopScreen.ActAsync(qemu, () => Keys(qmp, "term"), "panel: launcher shows 1: Terminal");
            await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ret"), "terminal: the shell wrote its first output");
            var terminal = Shown(qemu.Serial, "Terminal");
            await TerminalBootTests.TypeAsync(qmp, $"cat {NotePath}");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-9-cat"),
                s => TerminalBootTests.FindRow(s, terminal.X, terminal.Y, 24, lines[^1]) > 0, Attempts);
            int last = TerminalBootTests.FindRow(screen, terminal.X, terminal.Y, 24, lines[^1]);
            Assert.True(last >= 2, "cat printed the last line");
            for (int i = 0; i < lines.Length; i++)
                Assert.Equal(last - (lines.Length - 1 - i), TerminalBootTests.FindRow(screen, terminal.X, terminal.Y, 24, lines[i]));
            Assert.Equal(last + 1, TerminalBootTests.FindRow(screen, terminal.X, terminal.Y, 24, "x"));   // no line break after it: the prompt follows
            string md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(expected)));
            await TerminalBootTests.TypeAsync(qmp, $"md5sum {NotePath}");
            screen = await DesktopScreen.ScreenAsync(qmp, DesktopScreen.Screenshot($"editor-{processors}-10-md5sum"),
                s => TerminalBootTests.FindRow(s, terminal.X, terminal.Y, 24, md5) > last, Attempts);
            Assert.True(TerminalBootTests.FindRow(screen, terminal.X, terminal.Y, 24, md5) > last, $"md5sum printed {md5}, the MD5 of the typed text");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    /// <summary>Ctrl+O, the prompt's text (the current path, 'clear' characters) taken back, 'path' typed with Enter, and 'report' awaited.</summary>
    private static async Task OpenAsync(QemuSession qemu, QmpClient qmp, int clear, string path, string report)
    {
        await DesktopScreen.ActAsync(qemu, () => qmp.SendKeysAsync("ctrl", "o"), "editor: asking: Open");
        await DesktopScreen.ActAsync(qemu, async () =>
        {
            for (int i = 0; i < clear; i++)
                await qmp.SendKeysAsync("backspace");
            await TerminalBootTests.TypeAsync(qmp, path);
        }, report);
    }

    private static async Task Keys(QmpClient qmp, string text)
    {
        foreach (char character in text)
            await qmp.SendKeysAsync(character.ToString());
    }

    /// <summary>Where the compositor first showed the window titled 'title' (its content's rectangle on the screen).</summary>
    private static Rect Shown(string serial, string title)
    {
        var match = Regex.Matches(serial, $@"compositor: window '{Regex.Escape(title)}' shown at (?<x>\d+),(?<y>\d+) (?<w>\d+)x(?<h>\d+)").LastOrDefault();
        Assert.True(match != null, $"the compositor reports where the window '{title}' is");
        return new Rect(int.Parse(match.Groups["x"].Value), int.Parse(match.Groups["y"].Value), int.Parse(match.Groups["w"].Value), int.Parse(match.Groups["h"].Value));
    }

    /// <summary>Each line's box on the screen shows exactly the line as the text area draws it (light theme, mono font).</summary>
    private static bool LinesShown(PpmImage screen, int x, int y, int lineHeight, string[] lines)
    {
        var font = DesktopScreen.Fonts.Value.Mono;
        var palette = Palette.Light;
        for (int row = 0; row < lines.Length; row++)
        {
            int width = font.Measure(lines[row]) + 4;
            var canvas = new Canvas(width, lineHeight);
            canvas.Fill(new Rect(0, 0, width, lineHeight), palette.Field);
            font.DrawLine(canvas, lines[row], 0, 0, palette.Text);
            for (int dy = 0; dy < lineHeight; dy++)
                for (int dx = 0; dx < width; dx++)
                    if ((uint)screen[x + dx, y + row * lineHeight + dy] != canvas.Pixels[dy * width + dx])
                        return false;
        }
        return true;
    }

    /// <summary>A dialog's title strip (the accent colour, far more of it than the focused text area's outline) in the window.</summary>
    private static bool DialogShown(PpmImage screen, Rect window)
        => screen.Count(window.X, window.Y, window.Width, window.Height, (int)Palette.Light.Accent) > 4000;
}
