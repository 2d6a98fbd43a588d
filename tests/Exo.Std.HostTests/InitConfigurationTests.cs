using System.Linq;
using Xunit;
using System.Text;
using Init;

namespace Exo.Std.HostTests;

/// <summary>init's configuration parser (userland/csharp/init/InitConfiguration.cs).</summary>
public sealed unsafe class InitConfigurationTests
{
    private static (InitConfiguration Configuration, string Text) Parse(string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);   // one byte per character, non-ASCII kept
        fixed (byte* start = bytes)
            return (InitConfiguration.Parse(start, bytes.Length), text);
    }

    private static string Command(string text, in ConfigurationEntry entry) => text.Substring(entry.CommandStart, entry.CommandLength);

    [Fact]
    public void Services_tasks_and_options_are_read_in_order()
    {
        var (configuration, text) = Parse("# comment\nrestart-limit 5\nservice echo echo_service --verbose  \n\ntask client a b # trailing comment\nexit-after-tasks\n");
        Assert.Equal(0, configuration.ProblemCount);
        Assert.Equal(5, configuration.RestartLimit);
        Assert.True(configuration.ExitAfterTasks);
        Assert.Equal(2, configuration.Count);
        Assert.Equal(EntryKind.Service, configuration.Entries[0].Kind);
        Assert.True(Exo.Std.Services.ServiceName.TryCreate("echo", out var echo) && configuration.Entries[0].Name.Equals(echo));
        Assert.Equal("echo_service --verbose", Command(text, configuration.Entries[0]));
        Assert.Equal(3, configuration.Entries[0].Line);
        Assert.Equal(EntryKind.Task, configuration.Entries[1].Kind);
        Assert.Equal("client a b", Command(text, configuration.Entries[1]));
        Assert.Equal(5, configuration.Entries[1].Line);
    }

    [Fact]
    public void Only_a_driver_service_gets_the_root_resource()
    {
        var (configuration, text) = Parse("service echo echo_service\ndriver-service devices device_manager\ntask t\ndriver-service\ndriver-service x\n");
        Assert.Equal(3, configuration.Count);
        Assert.False(configuration.Entries[0].GetsRootResource);
        Assert.Equal(EntryKind.Service, configuration.Entries[1].Kind);
        Assert.True(configuration.Entries[1].GetsRootResource);
        Assert.Equal("device_manager", Command(text, configuration.Entries[1]));
        Assert.False(configuration.Entries[2].GetsRootResource);
        Assert.Equal(2, configuration.ProblemCount);   // no name; a name without a program
    }

    [Fact]
    public void Defaults_without_options()
    {
        var (configuration, _) = Parse("service echo echo_service");   // no final newline
        Assert.Equal(3, configuration.RestartLimit);
        Assert.False(configuration.ExitAfterTasks);
        Assert.Equal(1, configuration.Count);
    }

    [Fact]
    public void Bad_lines_are_reported_with_their_number_and_skipped()
    {
        var (configuration, text) = Parse("frobnicate\nservice\nservice bad\u00ffname prog\nservice echo\ntask\nrestart-limit many\ntask ok\n");
        Assert.Equal(1, configuration.Count);
        Assert.Equal("ok", Command(text, configuration.Entries[0]));
        Assert.Equal(
            new[] { ConfigurationProblem.UnknownDirective, ConfigurationProblem.BadServiceName, ConfigurationProblem.BadServiceName,
                    ConfigurationProblem.MissingProgram, ConfigurationProblem.MissingProgram, ConfigurationProblem.BadNumber },
            configuration.Problems.Take(configuration.ProblemCount));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, configuration.ProblemLines.Take(configuration.ProblemCount));
        Assert.Equal(3, configuration.RestartLimit);
    }

    [Fact]
    public void Limits_are_explicit()
    {
        var many = new StringBuilder();
        for (int i = 0; i < InitConfiguration.MaximumEntries + 2; i++)
            many.Append("task t").Append(i).Append('\n');
        many.Append("task ").Append('x', InitConfiguration.MaximumCommandLength + 1).Append('\n');
        var (configuration, _) = Parse(many.ToString());
        Assert.Equal(InitConfiguration.MaximumEntries, configuration.Count);
        Assert.Equal(ConfigurationProblem.TooManyEntries, configuration.Problems[0]);
        Assert.Equal(ConfigurationProblem.CommandTooLong, configuration.Problems[2]);
    }
}
