using System.Text;
using Exo.Kernel.Boot;
using Xunit;

namespace Exo.Kernel.HostTests;

public unsafe class KernelCommandLineTests
{
    private static bool Find(string line, string key, out string value)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(line);
        fixed (byte* text = bytes)
        {
            bool found = KernelCommandLine.FindValue(text, bytes.Length, key, out int start, out int length);
            value = found ? line.Substring(start, length) : null;
            return found;
        }
    }

    private static bool Contains(string list, string item)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(list);
        fixed (byte* text = bytes)
            return KernelCommandLine.ListContains(text, bytes.Length, item);
    }

    private static bool HasValue(string line, string key, string value)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(line);
        fixed (byte* text = bytes)
            return KernelCommandLine.HasValue(text, bytes.Length, key, value);
    }

    [Theory]
    [InlineData("bench=posix", true)]
    [InlineData("quiet bench=posix exo.quick", true)]
    [InlineData("bench", false)]           // the word alone is Exo-OS's own benchmarks
    [InlineData("bench=posixx", false)]    // the whole value, not a prefix
    [InlineData("bench=pos", false)]
    [InlineData("workbench=posix", false)]
    [InlineData("", false)]
    public void Has_value_matches_the_whole_value_of_the_key(string line, bool expected)
        => Assert.Equal(expected, HasValue(line, "bench", "posix"));

    [Theory]
    [InlineData("test=runtime", "runtime")]
    [InlineData("quiet  test=runtime,heap  bench", "runtime,heap")]
    [InlineData("test=", "")]
    public void Finds_key_values(string line, string expected)
    {
        Assert.True(Find(line, "test", out string value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("testing=1")]
    [InlineData("contest=runtime")]
    [InlineData("")]
    public void Does_not_match_other_words(string line) => Assert.False(Find(line, "test", out _));

    [Fact]
    public void Lists_match_whole_items_and_all()
    {
        Assert.True(Contains("runtime,heap", "heap"));
        Assert.False(Contains("runtime,heap", "hea"));
        Assert.False(Contains("runtimes", "runtime"));
        Assert.True(Contains("all", "timer"));
    }

    [Fact]
    public void Words_are_found_alone()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("console=ttyS0 bench quick");
        fixed (byte* text = bytes)
        {
            Assert.True(KernelCommandLine.HasWord(text, bytes.Length, "bench"));
            Assert.True(KernelCommandLine.HasWord(text, bytes.Length, "console"));
            Assert.False(KernelCommandLine.HasWord(text, bytes.Length, "ben"));
        }
    }
}
