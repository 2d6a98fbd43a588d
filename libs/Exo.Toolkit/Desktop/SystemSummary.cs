using System.Globalization;

namespace Exo.Toolkit.Desktop;

/// <summary>
/// What the Settings application's About page says about the machine, read from /proc as Linux writes it (POSIX-X
/// writes the same files): the processor's model and count (/proc/cpuinfo), the memory (/proc/meminfo's MemTotal), the
/// kernel (/proc/version's first line) and the time since boot (/proc/uptime). A file that is missing or unreadable
/// gives "unknown" for its part.
/// </summary>
public sealed record SystemSummary(string Processor, int Processors, long MemoryKibibytes, string Kernel, TimeSpan Uptime)
{
    public const string Unknown = "unknown";

    public static SystemSummary Read(string proc = "/proc")
        => Parse(ReadOrEmpty(Path.Combine(proc, "cpuinfo")), ReadOrEmpty(Path.Combine(proc, "meminfo")),
            ReadOrEmpty(Path.Combine(proc, "version")), ReadOrEmpty(Path.Combine(proc, "uptime")));

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static SystemSummary Parse(string cpuinfo, string meminfo, string version, string uptime)
    {
        string model = Unknown;
        int processors = 0;
        foreach (string line in cpuinfo.Split('\n'))
        {
            if (Field(line, "processor") != null)
                processors++;
            else if (model == Unknown && Field(line, "model name") is { Length: > 0 } name)
                model = name;
        }
        long memory = 0;
        foreach (string line in meminfo.Split('\n'))
            if (Field(line, "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kibibytes))
                memory = kibibytes;
        string kernel = version.Split('\n')[0].Trim();
        string[] times = uptime.Trim().Split(' ');
        var since = double.TryParse(times[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && seconds < 1e9
            ? TimeSpan.FromSeconds(Math.Floor(seconds)) : TimeSpan.Zero;
        return new SystemSummary(model, processors, memory, kernel.Length > 0 ? kernel : Unknown, since);
    }

    /// <summary>The value of "name<tabs>: value", or null when the line is another field.</summary>
    private static string? Field(string line, string name)
    {
        int colon = line.IndexOf(':');
        return colon > 0 && line[..colon].Trim() == name ? line[(colon + 1)..].Trim() : null;
    }

    public string ProcessorText => Processors <= 1 ? Processor : $"{Processor} x {Processors}";
    public string MemoryText => MemoryKibibytes > 0 ? $"{MemoryKibibytes / 1024} MiB" : Unknown;

    public string UptimeText
    {
        get
        {
            if (Uptime.TotalMinutes < 1)
                return $"{Uptime.Seconds} s";
            string minutes = $"{Uptime.Minutes} min";
            return Uptime.TotalHours < 1 ? minutes : Uptime.TotalDays < 1 ? $"{(int)Uptime.TotalHours} h {minutes}" : $"{(int)Uptime.TotalDays} d {Uptime.Hours} h {minutes}";
        }
    }
}
