using Exo.Toolkit.Desktop;

namespace Exo.Toolkit.HostTests;

/// <summary>The desktop settings file: its lines, its round trip, bad lines skipped with a reason, atomic saving.</summary>
public sealed class DesktopSettingsTests
{
    [Fact]
    public void Settings_round_trip_through_their_file_text()
    {
        var settings = new DesktopSettings { Dark = true, Background = 0x1A2B3C, DisplayWidth = 1280, DisplayHeight = 800, KeyboardLayout = 1 };
        string text = settings.Format();
        Assert.Contains("background 1A2B3C\n", text, StringComparison.Ordinal);
        Assert.Contains("keyboard de\n", text, StringComparison.Ordinal);
        Assert.Equal(settings, DesktopSettings.Parse(text, problem => Assert.Fail(problem)));
        Assert.Equal(new DesktopSettings(), DesktopSettings.Parse(""));
    }

    [Fact]
    public void Bad_lines_are_skipped_with_their_reason_and_the_rest_still_counts()
    {
        var problems = new List<string>();
        var settings = DesktopSettings.Parse("theme purple\ntheme dark\ndisplay 100x100\ndisplay 1281x800\nbackground GGGGGG\nkeyboard fr\nvolume 3\ndisplay 1600x900\n", problems.Add);
        Assert.True(settings.Dark);
        Assert.Equal((1600, 900), (settings.DisplayWidth, settings.DisplayHeight));
        Assert.Equal(DesktopSettings.DefaultBackground, settings.Background);
        Assert.Equal(6, problems.Count);
        Assert.StartsWith("line 1: 'theme purple'", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("line 4: 'display 1281x800'", problems[2], StringComparison.Ordinal);   // widths are multiples of 8
    }

    [Fact]
    public void Saving_replaces_the_file_whole_and_loading_a_missing_file_gives_the_defaults()
    {
        string folder = Directory.CreateTempSubdirectory("exo-settings-").FullName;
        try
        {
            string path = Path.Combine(folder, "exo", "desktop.conf");
            Assert.Equal(new DesktopSettings(), DesktopSettings.Load(path));
            var settings = new DesktopSettings { Background = 0x102030 };
            settings.Save(path);
            Assert.Equal(settings, DesktopSettings.Load(path));
            Assert.False(File.Exists(path + ".new"));
            File.WriteAllText(path, new string('#', 70_000));
            string? problem = null;
            Assert.Equal(new DesktopSettings(), DesktopSettings.Load(path, p => problem = p));
            Assert.Contains("larger than", problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>The About page's reading of /proc as Linux (and POSIX-X) write it.</summary>
public sealed class SystemSummaryTests
{
    private const string Cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: QEMU Virtual CPU version 2.5+\n\nprocessor\t: 1\nmodel name\t: QEMU Virtual CPU version 2.5+\n";
    private const string Meminfo = "MemTotal:         201728 kB\nMemFree:          150000 kB\n";

    [Fact]
    public void The_summary_reads_processors_memory_kernel_and_uptime()
    {
        var summary = SystemSummary.Parse(Cpuinfo, Meminfo, "Linux version 6.1.0 (Exo-OS POSIX-X) #1\n", "3725.42 7000.00\n");
        Assert.Equal("QEMU Virtual CPU version 2.5+ x 2", summary.ProcessorText);
        Assert.Equal("197 MiB", summary.MemoryText);
        Assert.Equal("Linux version 6.1.0 (Exo-OS POSIX-X) #1", summary.Kernel);
        Assert.Equal("1 h 2 min", summary.UptimeText);
        Assert.Equal("5 s", (summary with { Uptime = TimeSpan.FromSeconds(5) }).UptimeText);
        Assert.Equal("2 d 0 h 0 min", (summary with { Uptime = TimeSpan.FromDays(2) }).UptimeText);
    }

    [Fact]
    public void Missing_or_broken_files_give_unknown_parts()
    {
        var summary = SystemSummary.Parse("", "MemTotal: lots\n", "", "-5 x");
        Assert.Equal(SystemSummary.Unknown, summary.ProcessorText);
        Assert.Equal(SystemSummary.Unknown, summary.MemoryText);
        Assert.Equal(SystemSummary.Unknown, summary.Kernel);
        Assert.Equal(TimeSpan.Zero, summary.Uptime);
        Assert.Equal(SystemSummary.Unknown, SystemSummary.Read("/no-such-proc").Kernel);
    }
}
