using Exo.Toolkit.Desktop;
using Xunit;

namespace Exo.Toolkit.HostTests;

public sealed class ApplicationListTests
{
    private const string File = "# comment\n\nTerminal\t/exo/bin/Terminal\nWidget Gallery\t/exo/bin/WidgetGallery\r\n"
        + "Widget Gallery (dark)\t/exo/bin/WidgetGallery  dark\nno tab here\nRelative\tbin/thing\nNo program\t   \n";

    [Fact]
    public void Lines_give_a_name_a_program_and_its_arguments_and_bad_lines_are_reported()
    {
        var problems = new List<string>();
        var entries = ApplicationList.Parse(File, problems.Add);
        Assert.Equal(["Terminal", "Widget Gallery", "Widget Gallery (dark)"], entries.Select(e => e.Name));
        Assert.Equal("/exo/bin/WidgetGallery", entries[2].Program);
        Assert.Equal(["/exo/bin/WidgetGallery", "dark"], entries[2].Arguments);
        Assert.Equal(["line 6: expected a name, a tab and a program's absolute path",
            "line 7: expected a name, a tab and a program's absolute path",
            "line 8: expected a name, a tab and a program's absolute path"], problems);
    }

    [Fact]
    public void The_filter_keeps_names_with_every_word_in_any_case_those_starting_with_it_first()
    {
        var entries = ApplicationList.Parse(File);
        Assert.Equal(["Terminal"], ApplicationList.Filter(entries, "TERM").Select(e => e.Name));
        Assert.Equal(["Widget Gallery (dark)"], ApplicationList.Filter(entries, "gal dark").Select(e => e.Name));
        Assert.Equal(3, ApplicationList.Filter(entries, "").Count);
        Assert.Empty(ApplicationList.Filter(entries, "editor"));
        var reordered = new[] { new ApplicationEntry("My Terminal", "/a", ["/a"]), new ApplicationEntry("Terminal", "/b", ["/b"]) };
        Assert.Equal(["Terminal", "My Terminal"], ApplicationList.Filter(reordered, "term").Select(e => e.Name));
    }
}
