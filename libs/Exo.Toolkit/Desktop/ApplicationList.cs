namespace Exo.Toolkit.Desktop;

/// <summary>An application the launcher offers: its name and the program with its arguments.</summary>
public sealed record ApplicationEntry(string Name, string Program, IReadOnlyList<string> Arguments);

/// <summary>
/// The launcher's applications (/etc/desktop-applications: a name, a tab, the program and its arguments split at spaces;
/// '#' lines and empty lines skipped) and its filter: the names containing every word typed, in any case, those that
/// start with the text first.
/// </summary>
public static class ApplicationList
{
    public const string DefaultPath = "/etc/desktop-applications";

    /// <summary>The entries of the file's text; a line without a tab or without a program is reported and skipped.</summary>
    public static List<ApplicationEntry> Parse(string text, Action<string>? problem = null)
    {
        var entries = new List<ApplicationEntry>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
                continue;
            int tab = line.IndexOf('\t');
            string[] command = tab < 0 ? [] : line[(tab + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string name = tab < 0 ? "" : line[..tab].Trim();
            if (name.Length == 0 || command.Length == 0 || !command[0].StartsWith('/'))
            {
                problem?.Invoke($"line {number}: expected a name, a tab and a program's absolute path");
                continue;
            }
            entries.Add(new ApplicationEntry(name, command[0], command));
        }
        return entries;
    }

    public static List<ApplicationEntry> Filter(IEnumerable<ApplicationEntry> entries, string typed)
    {
        string[] words = typed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string trimmed = typed.Trim();
        return entries
            .Where(entry => words.All(word => entry.Name.Contains(word, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(entry => entry.Name.StartsWith(trimmed, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ToList();
    }
}
