using Exo.Toolkit.Client;
using Exo.Protocols.Compositor;
using Exo.Terminal;
using Exo.Toolkit.Text;
using Terminal;

// The desktop's terminal (docs/desktop.md, "The terminal"): `Terminal [COLUMNS ROWS [SIZE]]` (80 x 24 cells of the
// toolkit's DejaVu Sans Mono atlas at SIZE pixels, 16 by default: mono-SIZE.atlas in /usr/share/exo/fonts) opens a
// pseudo-terminal, starts the login shell (/bin/sh -l) on it and shows it in a compositor window. Keys go to the shell
// encoded as xterm does; Shift+PageUp/PageDown scroll through the scroll-back; a left drag selects (copied on release),
// the middle button or Shift+Insert pastes; a maximise resizes the terminal (TIOCSWINSZ, SIGWINCH to the shell's
// foreground job). Ends when the shell does or the window is closed.
// `Terminal --headless COMMAND` runs the same pseudo-terminal and emulator without a window: types COMMAND and Enter,
// then prints the screen's rows (a check of the shell side from a console).
const int ReadBytes = 4096, ReadsPerTurn = 16, IdleWaitMilliseconds = 20;
const uint LeftButton = 1, MiddleButton = 4;

if (args.Length == 2 && args[0] == "--headless")
    return Headless(args[1]);

int columns = args.Length >= 2 && int.TryParse(args[0], out int c) ? c : 80;
int rows = args.Length >= 2 && int.TryParse(args[1], out int r) ? r : 24;
int fontSize = args.Length >= 3 && int.TryParse(args[2], out int s) ? s : AtlasGlyphPainter.DefaultSize;

AtlasGlyphPainter painter;
try
{
    painter = AtlasGlyphPainter.Load(fontSize);
}
catch (Exception problem) when (problem is IOException or UnauthorizedAccessException or GlyphAtlasException)
{
    Console.WriteLine($"terminal: no font: {problem.Message}");
    return 2;
}
var emulator = new TerminalEmulator(columns, rows);
var connection = CompositorConnection.Connect(TimeSpan.FromSeconds(60));   // replaced when the compositor restarts
var environment = new List<string> { "TERM=xterm-256color", "HOME=/root", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "USER=root", "SHELL=/bin/sh" };
using var shell = PseudoTerminal.Start(emulator.Columns, emulator.Rows, "/bin/sh", ["/bin/sh", "-l"], environment.ToArray());
Console.WriteLine($"terminal: shell {shell.ShellProcess} on {shell.SlavePath}, {emulator.Columns}x{emulator.Rows} cells of {painter.CellWidth}x{painter.CellHeight} ({AtlasGlyphPainter.AtlasPath(painter.PixelSize)})");

var window = new TerminalWindow(connection, emulator, painter);
window.Create("Terminal");
long drawnGeneration = -1;
string shownTitle = "";
string clipboard = "";
uint buttonsHeld = 0;
byte[] buffer = new byte[ReadBytes];
bool reportedFirstOutput = false;

while (true)
{
    bool output = false;
    for (int turn = 0; turn < ReadsPerTurn; turn++)
    {
        int count = shell.Read(buffer);
        if (count == 0) break;
        emulator.Feed(buffer.AsSpan(0, count));
        output = true;
    }
    byte[] responses = emulator.TakeResponses();
    if (responses.Length > 0)
        shell.Write(responses);
    if (output && !reportedFirstOutput)
    {
        reportedFirstOutput = true;
        Console.WriteLine("terminal: the shell wrote its first output");
    }
    if (emulator.Generation != drawnGeneration)
    {
        drawnGeneration = emulator.Generation;
        window.Draw();
    }
    if (emulator.Title != shownTitle)
    {
        shownTitle = emulator.Title;
        window.SetTitle(shownTitle.Length > 0 ? shownTitle : "Terminal");
    }
    if (shell.Ended)
    {
        Console.WriteLine("terminal: the shell ended");
        break;
    }
    if (connection.Problem != 0)
    {
        Console.WriteLine($"terminal: disconnected: {CompositorProblem.Describe(connection.Problem)}");
        return 3;
    }

    // Nothing to do: sleep until the shell writes or the compositor rings (the limit only bounds a missed wake-up).
    if (!output)
        shell.WaitForEither(connection.Descriptor, IdleWaitMilliseconds);
    while (connection.TryNext(out CompositorEvent record, 0))
    {
        if (!Handle(record))
        {
            Console.WriteLine("terminal: window closed");
            return 0;
        }
    }
    if (connection.Ended)
    {
        // The compositor crashed or was killed: the device manager starts it again; the window is made anew there.
        connection.Dispose();
        connection = CompositorConnection.Connect(Application.ReconnectPatience);
        window.Reconnect(connection, shownTitle.Length > 0 ? shownTitle : "Terminal");
        Console.WriteLine("terminal: reconnected to the compositor");
    }
}
connection.Send(CompositorConnection.Request(CompositorOperation.Destroy, 1));
connection.Flush();
return 0;

bool Handle(in CompositorEvent record)
{
    switch (record.Kind)
    {
        case CompositorEventKind.Configure:
            if (record.Width > 0 && record.Height > 0 && (record.Width != window.Width || record.Height != window.Height))
            {
                (int newColumns, int newRows) = window.Resize(record.Width, record.Height);
                emulator.Resize(newColumns, newRows);
                shell.Resize(emulator.Columns, emulator.Rows);
                Console.WriteLine($"terminal: resized to {emulator.Columns}x{emulator.Rows} ({record.Width}x{record.Height} pixels)");
                window.Draw();
            }
            return true;
        case CompositorEventKind.Close:
            return false;
        case CompositorEventKind.Focus:
            window.Focused = record.State == 1;
            return true;
        case CompositorEventKind.KeyDown:
            Key(record);
            return true;
        case CompositorEventKind.PointerButton:
        {
            uint pressed = record.Code & ~buttonsHeld;
            uint released = buttonsHeld & ~record.Code;
            buttonsHeld = record.Code;
            if ((pressed & LeftButton) != 0)
                window.Selection = new TextSelection(window.CellAt(record.X, record.Y));
            if ((released & LeftButton) != 0 && window.Selection != null)
            {
                if (window.Selection.Anchor == window.Selection.Head)
                    window.Selection = null;
                else
                    clipboard = window.Selection.Text(emulator);
            }
            if ((pressed & MiddleButton) != 0)
                Paste();
            window.Draw();
            return true;
        }
        case CompositorEventKind.PointerMotion:
            if ((buttonsHeld & LeftButton) != 0 && window.Selection != null)
            {
                window.Selection.Head = window.CellAt(record.X, record.Y);
                window.Draw();
            }
            return true;
        default:
            return true;
    }
}

void Key(in CompositorEvent record)
{
    TerminalModifiers modifiers = KeyTranslation.Modifiers(record.Modifiers);
    TerminalKey key = KeyTranslation.Key(record.Code);
    if (modifiers == TerminalModifiers.Shift && (key == TerminalKey.PageUp || key == TerminalKey.PageDown))
    {
        emulator.ScrollView(key == TerminalKey.PageUp ? emulator.Rows / 2 : -emulator.Rows / 2);
        window.Draw();
        return;
    }
    if (modifiers == TerminalModifiers.Shift && key == TerminalKey.Insert)
    {
        Paste();
        return;
    }
    byte[] bytes = key != TerminalKey.None
        ? KeyEncoder.Encode(key, modifiers, emulator.ApplicationCursorKeys)
        : KeyEncoder.EncodeCharacter((int)record.Character, modifiers);
    if (bytes.Length == 0)
        return;
    emulator.ResetView();
    if (window.Selection != null)
    {
        window.Selection = null;
        window.Draw();
    }
    shell.Write(bytes);
}

void Paste()
{
    if (clipboard.Length == 0)
        return;
    emulator.ResetView();
    shell.Write(PasteEncoder.Encode(clipboard, emulator.BracketedPaste));
}

int Headless(string command)
{
    var terminal = new TerminalEmulator(80, 24);
    using var pty = PseudoTerminal.Start(80, 24, "/bin/sh", ["/bin/sh", "-l"], ["TERM=xterm-256color", "HOME=/root", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]);
    byte[] input = new byte[ReadBytes];
    void Pump(int milliseconds)
    {
        for (int waited = 0; waited < milliseconds; waited += 10)
        {
            int count;
            while ((count = pty.Read(input)) > 0)
                terminal.Feed(input.AsSpan(0, count));
            byte[] answers = terminal.TakeResponses();
            if (answers.Length > 0) pty.Write(answers);
            Thread.Sleep(10);
        }
    }
    Pump(1500);
    pty.Write(System.Text.Encoding.UTF8.GetBytes(command + "\r"));
    Pump(2000);
    for (int row = 0; row <= terminal.CursorRow; row++)
    {
        var text = new System.Text.StringBuilder();
        for (int column = 0; column < terminal.Columns; column++)
            text.Append(terminal.CellAt(row, column).Character is int character and >= 0x20 and < 0x7F ? (char)character : '?');
        Console.WriteLine($"terminal: row {row}: {text.ToString().TrimEnd()}");
    }
    pty.Write("exit\r"u8);
    Pump(500);
    return 0;
}
