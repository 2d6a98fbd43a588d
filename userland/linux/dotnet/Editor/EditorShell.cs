using Exo.Protocols.Compositor;
using Exo.Toolkit.Client;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Editor;

/// <summary>
/// The editor's window: a File menu (New, Open..., Save, Save As..., Quit), the text (TextArea) and a status line (the
/// caret's line and column, modified or not, the last message). Ctrl+N, Ctrl+O, Ctrl+S, Ctrl+Shift+S and Ctrl+Q do what
/// the menu does. Open and Save As ask for a path (Dialog.Prompt); leaving changed text (New, Open, Quit, the window's
/// close button) asks first: Save, Discard or Cancel. Problems (a folder, a binary or too large file, a failed write)
/// show in a dialog and the status line, and the editor goes on.
/// </summary>
internal sealed class EditorShell
{
    public const int Width = 720, Height = 480;
    private const int TitleNameLength = CompositorLayout.MaximumTitleBytes - 10;   // room for "*" and " - Editor"
    private readonly Application _application;
    private readonly Action<string> _report;
    private readonly TextArea _area;
    private readonly Label _status;
    private readonly CompositorWindow _window;
    private string? _path;
    private string _message = "";
    private Dialog? _dialog;
    private Rect _reportedPlace;
    private int _reportedTopLine;

    public EditorShell(Application application, FontSet fonts, Action<string> report)
    {
        _application = application;
        _report = report;
        _area = new TextArea { Stretch = 1 };
        _area.CaretMoved += _ => Refresh();
        _area.Problem += problem => Tell(problem);
        _status = new Label("");
        var menu = new MenuBar().AddMenu("File",
            new MenuItem("New", () => FromMenu(New)),
            new MenuItem("Open...", () => FromMenu(AskToOpen)),
            new MenuItem("Save", () => FromMenu(() => Save())),
            new MenuItem("Save As...", () => FromMenu(() => SaveAs())),
            new MenuItem("Quit", () => FromMenu(Quit)));
        var root = new CommandColumn(Command, menu, _area, new Row(_status) { Padding = 4 }) { Padding = 0, Spacing = 0 };
        _window = application.CreateWindow(Title, root, Theme.Light(fonts), Width, Height);
        _window.Window.SetFocus(_area);
        application.CloseRequested = _ => CloseRequested();
        application.Idle += ReportPlace;
        Refresh();
    }

    private TextDocument Document => _area.Document;
    private string Name => _path == null ? "Untitled" : Path.GetFileName(_path) is { Length: > 0 } name ? name : _path;

    private string Title
    {
        get
        {
            string name = Name.Length > TitleNameLength ? Name[..(TitleNameLength - 3)] + "..." : Name;
            return $"{(Document.Modified ? "*" : "")}{name} - Editor";
        }
    }

    private bool Command(KeyEvent key)
    {
        if (key.IsShortcut('s') && key.Shift)
            SaveAs();
        else if (key.IsShortcut('s'))
            Save();
        else if (key.IsShortcut('o'))
            AskToOpen();
        else if (key.IsShortcut('n'))
            New();
        else if (key.IsShortcut('q'))
            Quit();
        else
            return false;
        return true;
    }

    /// <summary>The title, the status line: after every key, click and command.</summary>
    private void Refresh()
    {
        _window.SetTitle(Title);
        var caret = Document.Caret;
        string state = Document.Modified ? "modified" : "unchanged";
        _status.Text = $"Line {caret.Line + 1}, column {caret.Column + 1}   {state}   {_message}";
    }

    private void Tell(string message)
    {
        _message = message;
        Refresh();
    }

    /// <summary>Where the first line in view is drawn in the window (the boot tests draw the expected text there), and
    /// which line that is when it changes.</summary>
    private void ReportPlace()
    {
        if (_area.TopLine != _reportedTopLine)
        {
            _reportedTopLine = _area.TopLine;
            _report($"view from line {_area.TopLine + 1}");
        }
        // The top-left corner of the first line in view, unscrolled sideways (the same however far the text scrolled).
        var place = new Rect(_area.TextLeft + _area.ScrollX, _area.LineTop(_area.TopLine), _area.Bounds.Width, _area.Bounds.Height);
        if (place == _reportedPlace)
            return;
        _reportedPlace = place;
        _report($"place text {place.X},{place.Y} {place.Width}x{place.Height} line height {_area.Theme.Fonts.Mono.LineHeight}");
    }

    // Commands.

    /// <summary>A menu's command: the closed popup took the focus with it, so the text gets it back unless a dialog now has it.</summary>
    private void FromMenu(Action command)
    {
        command();
        if (_dialog == null && !_window.Destroyed)
            _window.Window.SetFocus(_area);
    }

    public void New() => AfterSaving(() =>
    {
        Document.Load("");
        _path = null;
        _area.ShowCaret();
        Tell("new document");
        _report("new document");
    });

    private void AskToOpen() => AfterSaving(() => Ask("Open", "The file to open:", _path ?? "", "Open", Open));

    /// <summary>Opens 'path' (a missing file: a new document of that name); a problem leaves the current text as it was.</summary>
    public void Open(string path)
    {
        try
        {
            string text = TextFile.Read(path);
            Document.Load(text);
            _path = path;
            _area.ShowCaret();
            int lines = Document.LineCount - (Document.EndsWithNewline ? 1 : 0);
            Tell($"opened {lines} lines");
            _report($"opened {path} {lines} lines");
        }
        catch (FileNotFoundException)
        {
            Document.Load("");
            _path = path;
            _area.ShowCaret();
            Tell("a new file");
            _report($"new file {path}");
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException or InvalidDataException or TextTooLargeException or ArgumentException or NotSupportedException)
        {
            Fail("Cannot open", path, problem);
        }
    }

    /// <summary>Saves to the file's path (asking for one when there is none yet); 'then' runs after a successful save.</summary>
    private void Save(Action? then = null)
    {
        if (_path == null)
            SaveAs(then);
        else if (Write(_path))
            then?.Invoke();
    }

    private void SaveAs(Action? then = null)
        => Ask("Save As", "Save to (a path):", _path ?? "", "Save", path =>
        {
            if (Write(path))
                then?.Invoke();
        });

    private bool Write(string path)
    {
        try
        {
            byte[] bytes = Document.Encode();
            TextFile.WriteAtomically(path, bytes);
            Document.MarkSaved();
            _path = path;
            Tell($"saved {bytes.Length} bytes");
            _report($"saved {path} {bytes.Length} bytes");
            return true;
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Fail("Cannot save", path, problem);
            return false;
        }
    }

    private void Quit() => AfterSaving(() => _application.Close(_window));

    private bool CloseRequested()
    {
        if (_dialog != null)
            return false;   // a question is open: answer it first
        if (!Document.Modified)
            return true;
        Quit();
        return false;
    }

    // Dialogs.

    /// <summary>Runs 'then' when the text has no unsaved changes, or after asking: Save (then runs once saved), Discard, Cancel.</summary>
    private void AfterSaving(Action then)
    {
        if (_dialog != null)
            return;
        if (!Document.Modified)
        {
            then();
            return;
        }
        _report("asking to save changes");
        Show(new Dialog("Unsaved changes", $"Save the changes to {Name}?", "Save", "Discard", "Cancel"), answer =>
        {
            if (answer == "Save")
                Save(then);
            else if (answer == "Discard")
                then();
        });
    }

    private void Ask(string title, string message, string text, string button, Action<string> answered)
    {
        _report($"asking: {title}");
        var prompt = Dialog.Prompt(title, message, text, button, "Cancel");
        Show(prompt, answer =>
        {
            string path = prompt.Input!.Text.Trim();
            if (answer == button && path.Length > 0)
                answered(path);
        });
    }

    private void Fail(string title, string path, Exception problem)
    {
        string reason = problem.Message;
        _report($"{title.ToLowerInvariant()} {path}: {reason}");
        Tell($"{title.ToLowerInvariant()} {Path.GetFileName(path)}: {reason}");
        Show(new Dialog(title, $"{path}: {reason}", "OK"), _ => { });
    }

    private void Show(Dialog dialog, Action<string> answered)
    {
        _dialog = dialog;
        dialog.Answered += answer =>
        {
            _dialog = null;
            _window.Window.SetFocus(_area);
            answered(answer);
            Refresh();
        };
        _window.Window.ShowOverlay(dialog);
    }
}
