namespace Exo.Testing;

/// <summary>Helpers for serial transcripts (which may use \n, \r\n or stray \r).</summary>
public static class SerialText
{
    /// <summary>
    /// Splits a transcript into lines on \n, dropping a trailing \r from each line. A final line
    /// without a newline is kept (it may be a truncated line).
    /// </summary>
    public static IReadOnlyList<string> SplitLines(string text)
    {
        var lines = new List<string>();
        if (string.IsNullOrEmpty(text))
            return lines;
        int start = 0;
        while (start <= text.Length)
        {
            int nl = text.IndexOf('\n', start);
            if (nl < 0)
            {
                if (start < text.Length)
                    lines.Add(TrimCr(text.Substring(start)));
                break;
            }
            lines.Add(TrimCr(text.Substring(start, nl - start)));
            start = nl + 1;
        }
        return lines;
    }

    /// <summary>The last <paramref name="count"/> lines of <paramref name="text"/>, joined by \n.</summary>
    public static string Tail(string text, int count = 40)
    {
        var lines = SplitLines(text);
        var skip = Math.Max(0, lines.Count - count);
        return string.Join("\n", lines.Skip(skip));
    }

    /// <summary>The tail formatted as a message block, with a header saying how many lines it holds.</summary>
    public static string TailBlock(string text, int count = 40)
    {
        var lines = SplitLines(text);
        if (lines.Count == 0)
            return "--- serial output: (empty) ---";
        var shown = Math.Min(count, lines.Count);
        return $"--- last {shown} of {lines.Count} serial lines ---\n" + Tail(text, count) + "\n--- end of serial output ---";
    }

    private static string TrimCr(string line)
    {
        int end = line.Length;
        while (end > 0 && line[end - 1] == '\r')
            end--;
        return end == line.Length ? line : line.Substring(0, end);
    }
}
