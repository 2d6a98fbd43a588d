namespace Exo.Testing;

/// <summary>
/// One <c>EXO-PANIC ... EXO-PANIC-END</c> block (docs/serial-protocols.md).
/// </summary>
/// <param name="Reason">Text after <c>EXO-PANIC </c> on the first line.</param>
/// <param name="Body">The lines between the first line and <c>EXO-PANIC-END</c> (or the end of output), joined by \n.</param>
/// <param name="Complete">True if the block ended with <c>EXO-PANIC-END</c>; false if the output was cut off.</param>
/// <param name="Line">1-based line number of the <c>EXO-PANIC</c> line.</param>
public sealed record PanicReport(string Reason, string Body, bool Complete, int Line)
{
    /// <summary>The body split into lines.</summary>
    public IReadOnlyList<string> BodyLines => Body.Length == 0 ? Array.Empty<string>() : Body.Split('\n');

    /// <summary>Reason and body as one text, for searching and messages.</summary>
    public string FullText => Body.Length == 0 ? Reason : Reason + "\n" + Body;

    /// <summary>The report as the kernel printed it (normalised line endings).</summary>
    public override string ToString() =>
        "EXO-PANIC " + Reason + (Body.Length == 0 ? "" : "\n" + Body) + (Complete ? "\nEXO-PANIC-END" : "\n(report cut off: no EXO-PANIC-END)");
}

/// <summary>Extracts panic reports from a serial transcript.</summary>
public static class PanicReportParser
{
    /// <summary>Start marker.</summary>
    public const string StartMarker = "EXO-PANIC";

    /// <summary>End marker.</summary>
    public const string EndMarker = "EXO-PANIC-END";

    /// <summary>The first panic report, or null if there is none.</summary>
    public static PanicReport? Parse(string serial) => ParseAll(serial).FirstOrDefault();

    /// <summary>
    /// Every panic report, in order. A report starts at a line beginning (column 0) with
    /// <c>EXO-PANIC</c> followed by a space or the end of the line, and ends at a line that is
    /// <c>EXO-PANIC-END</c>. A new <c>EXO-PANIC</c> line before the end (a panic while panicking)
    /// closes the open report as incomplete and starts another.
    /// </summary>
    public static IReadOnlyList<PanicReport> ParseAll(string serial) => ParseAll(SerialText.SplitLines(serial));

    /// <summary>Like <see cref="ParseAll(string)"/> on pre-split lines.</summary>
    public static IReadOnlyList<PanicReport> ParseAll(IReadOnlyList<string> lines)
    {
        var reports = new List<PanicReport>();
        string? reason = null;
        int startLine = 0;
        var body = new List<string>();

        void Close(bool complete)
        {
            if (reason is null)
                return;
            reports.Add(new PanicReport(reason, string.Join("\n", body), complete, startLine));
            reason = null;
            body.Clear();
        }

        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (IsEnd(line))
            {
                Close(complete: true);
                continue;
            }
            if (TryStart(line, out var r))
            {
                Close(complete: false);
                reason = r;
                startLine = i + 1;
                continue;
            }
            if (reason is not null)
                body.Add(line);
        }
        Close(complete: false);
        return reports;
    }

    /// <summary>True if <paramref name="line"/> is the end marker (trailing blanks allowed).</summary>
    public static bool IsEnd(string line) => line.TrimEnd() == EndMarker;

    /// <summary>True if <paramref name="line"/> starts a panic report; returns its reason.</summary>
    public static bool TryStart(string line, out string reason)
    {
        reason = "";
        if (!line.StartsWith(StartMarker, StringComparison.Ordinal))
            return false;
        if (line.Length == StartMarker.Length)
            return true;
        char next = line[StartMarker.Length];
        if (next != ' ' && next != '\t')
            return false; // e.g. EXO-PANIC-END or some other EXO-PANIC-xxx token
        reason = line.Substring(StartMarker.Length + 1).Trim();
        return true;
    }
}
