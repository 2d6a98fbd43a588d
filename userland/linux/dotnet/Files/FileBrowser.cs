using Exo.Toolkit.Desktop;
using Exo.Toolkit.Widgets;

namespace Files;

/// <summary>
/// The file manager's window content: the location (Up, Home, a path field), the actions (New folder, Rename, Copy,
/// Cut, Paste, Delete), the folder's entries and a status line. Enter or a double click opens the selected entry (a
/// folder in place, a file with the text editor). Shortcuts: Ctrl+L the location, Backspace up, F5 refresh, F2
/// rename, Delete, Ctrl+C/X/V, Ctrl+Shift+N a new folder, Ctrl+H hidden files. Every outcome is shown in the status
/// line and reported ("files: ...").
/// </summary>
internal sealed class FileBrowser : Box
{
    /// <summary>The program that opens files (the desktop's text editor).</summary>
    public const string EditorProgram = "/exo/bin/Editor";
    private const int ReportedNames = 20;

    private readonly Action<string> _report;
    private readonly TextField _location;
    private readonly ListView _list;
    private readonly Label _status;
    private FolderListing? _listing;
    private (string Path, bool Cut)? _clipboard;
    private bool _showHidden;

    public string Folder => _listing?.Path ?? "/";
    public ListView List => _list;

    public FileBrowser(Action<string> report) : base(Direction.Column)
    {
        _report = report;
        var up = new Button("Up");
        up.Clicked += _ => GoUp();
        var home = new Button("Home");
        home.Clicked += _ => Open(HomeFolder);
        _location = new TextField { Stretch = 1 };
        _location.Submitted += field => Open(field.Text);
        Add(new Row(up, home, _location) { Padding = 0 });

        var actions = new Row { Padding = 0 };
        foreach (var (text, action) in new (string, Action)[]
                 {
                     ("New folder", AskNewFolder), ("Rename", AskRename), ("Copy", () => Take(cut: false)),
                     ("Cut", () => Take(cut: true)), ("Paste", Paste), ("Delete", AskDelete),
                 })
            actions.Add(new Button(text)).Clicked += _ => action();
        Add(actions);
        _list = Add(new ListView { Stretch = 1 });
        _list.Activated += _ => OpenSelected();
        _status = Add(new Label(""));
    }

    /// <summary>HOME, or the user's home in /etc/passwd when HOME is not set (the panel starts programs without a login).</summary>
    public static string HomeFolder => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : "/";

    private FolderEntry? Selected
        => _listing != null && _list.SelectedIndex >= 0 && _list.SelectedIndex < _listing.Entries.Count ? _listing.Entries[_list.SelectedIndex] : null;

    private string PathOf(FolderEntry entry) => Path.Combine(Folder, entry.Name);

    /// <summary>Shows the folder; on failure keeps the current one and says why.</summary>
    public bool Open(string folder, string? select = null)
    {
        FolderListing listing;
        try
        {
            listing = FolderListing.Read(folder, _showHidden);
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException)
        {
            Fail($"cannot open {folder}: {problem.Message}");
            _location.Text = Folder;
            return false;
        }
        _listing = listing;
        _location.Text = listing.Path;
        _list.SetItems(listing.Entries.Select(entry => entry.Display));
        int index = select == null ? -1 : listing.Entries.ToList().FindIndex(entry => entry.Name == select);
        if (index > 0)
            _list.Select(index);
        string count = listing.Entries.Count == 1 ? "1 item" : $"{listing.Entries.Count} items";
        Say(listing.Truncated ? $"{count} (the first {FolderListing.MaximumEntries} shown)" : count);
        _report($"folder {listing.Path} {count}: {string.Join(", ", listing.Entries.Take(ReportedNames).Select(entry => entry.Display))}");
        return true;
    }

    /// <summary>Reads the folder again, keeping the selected entry (the window got the focus, F5, after an action).</summary>
    public void Refresh(string? select = null)
    {
        if (_listing != null)
            Open(_listing.Path, select ?? Selected?.Name);
    }

    private void GoUp()
    {
        string name = Path.GetFileName(Folder);
        if (Path.GetDirectoryName(Folder) is { } parent)
            Open(parent, select: name);
    }

    private void OpenSelected()
    {
        if (Selected is not { } entry)
            return;
        string path = PathOf(entry);
        if (entry.Kind == FolderEntryKind.Folder || (entry.Kind == FolderEntryKind.Link && Directory.Exists(path)))
        {
            Open(path);
            return;
        }
        if (!File.Exists(EditorProgram))
        {
            Fail($"no program opens {entry.Name} ({EditorProgram} is missing)");
            return;
        }
        try
        {
            int process = ProgramStarter.Start(EditorProgram, [EditorProgram, path], ProgramStarter.CurrentEnvironment());
            Say($"opened {entry.Name} in the editor");
            _report($"opened {path} with {EditorProgram} (process {process})");
        }
        catch (IOException problem)
        {
            Fail($"cannot open {entry.Name}: {problem.Message}");
        }
    }

    private void AskNewFolder()
        => Ask(Dialog.Prompt("New folder", $"A new folder in {Folder}:", "New folder", "Create", "Cancel"), "Create",
            name => Act($"created {{0}}", () => FileOperations.CreateFolder(Folder, name), Path.GetFileName));

    private void AskRename()
    {
        if (Selected is not { } entry)
            return;
        Ask(Dialog.Prompt("Rename", $"A new name for {entry.Name}:", entry.Name, "Rename", "Cancel"), "Rename",
            name => Act($"renamed {entry.Name} to {{0}}", () => FileOperations.Rename(PathOf(entry), name), Path.GetFileName));
    }

    private void AskDelete()
    {
        if (Selected is not { } entry)
            return;
        string what = entry.Kind == FolderEntryKind.Folder ? $"the folder {entry.Name} and all it holds" : entry.Name;
        var dialog = new Dialog("Delete", $"Delete {what}? This cannot be undone.", "Delete", "Cancel");
        dialog.Answered += answer =>
        {
            if (answer == "Delete")
                Act($"deleted {entry.Name}", () => { FileOperations.Delete(PathOf(entry)); return null; }, _ => null);
            Window?.SetFocus(_list);
        };
        Window?.ShowOverlay(dialog);
    }

    private void Take(bool cut)
    {
        if (Selected is not { } entry)
            return;
        _clipboard = (PathOf(entry), cut);
        Say($"{(cut ? "cut" : "copied")} {entry.Name}: paste it into a folder");
        _report($"{(cut ? "cut" : "copied")} {PathOf(entry)}");
    }

    private void Paste()
    {
        if (_clipboard is not { } taken)
        {
            Say("nothing to paste: copy or cut an entry first");
            return;
        }
        if (taken.Cut)
        {
            if (Act("moved {0}", () => FileOperations.MoveInto(taken.Path, Folder), Path.GetFileName))
                _clipboard = null;
        }
        else
            Act("pasted {0}", () => FileOperations.CopyInto(taken.Path, Folder), Path.GetFileName);
    }

    private void Ask(Dialog prompt, string yes, Action<string> answered)
    {
        prompt.Answered += answer =>
        {
            if (answer == yes)
                answered(prompt.Input!.Text);
            Window?.SetFocus(_list);
        };
        Window?.ShowOverlay(prompt);
    }

    /// <summary>Runs an operation; success: the folder read again with its result selected ('done' formats the
    /// result's name), failure: the reason shown.</summary>
    private bool Act(string done, Func<string?> operation, Func<string, string?> name)
    {
        try
        {
            string? result = operation();
            string? selected = result == null ? null : name(result);
            Refresh(selected);
            Say(string.Format(System.Globalization.CultureInfo.InvariantCulture, done, selected));
            _report(string.Format(System.Globalization.CultureInfo.InvariantCulture, done, result));
            return true;
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException)
        {
            Fail(problem.Message);
            return false;
        }
    }

    private void Say(string text) => _status.Text = text;

    private void Fail(string text)
    {
        Say(text);
        _report($"error: {text}");
    }

    public override bool OnKey(KeyEvent key)
    {
        bool control = (key.Modifiers & KeyModifierBits.Control) != 0, shift = (key.Modifiers & KeyModifierBits.Shift) != 0;
        switch (key.Code)
        {
            case KeyCodes.LetterL when control:
                Window?.SetFocus(_location);
                _location.SelectAll();
                return true;
            case KeyCodes.LetterN when control && shift:
                AskNewFolder();
                return true;
            case KeyCodes.LetterH when control:
                _showHidden = !_showHidden;
                Refresh();
                return true;
            case KeyCodes.LetterC when control:
                Take(cut: false);
                return true;
            case KeyCodes.LetterX when control:
                Take(cut: true);
                return true;
            case KeyCodes.LetterV when control:
                Paste();
                return true;
            case KeyCodes.F5:
                Refresh();
                return true;
            case KeyCodes.F2:
                AskRename();
                return true;
            case KeyCodes.Delete:
                AskDelete();
                return true;
            case KeyCodes.Backspace:
                GoUp();
                return true;
            case KeyCodes.Escape when Window?.Focused == _location:
                _location.Text = Folder;
                Window?.SetFocus(_list);
                return true;
        }
        return false;
    }
}
