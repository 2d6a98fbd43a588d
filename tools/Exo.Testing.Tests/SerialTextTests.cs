using Exo.Testing;

namespace Exo.Testing.Tests;

public class SerialTextTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("a\n", new[] { "a" })]
    [InlineData("a\r\nb\r\n", new[] { "a", "b" })]
    [InlineData("a\n\nb", new[] { "a", "", "b" })]
    [InlineData("a\r\r\nb", new[] { "a", "b" })]
    [InlineData("\rprogress\n", new[] { "\rprogress" })]
    [InlineData("x\ny", new[] { "x", "y" })]
    public void SplitLines_handles_line_endings(string text, string[] expected)
    {
        Assert.Equal(expected, SerialText.SplitLines(text));
    }

    [Fact]
    public void Tail_keeps_the_last_lines()
    {
        var text = string.Join("\n", Enumerable.Range(1, 10)) + "\n";

        Assert.Equal("8\n9\n10", SerialText.Tail(text, 3));
        Assert.Equal(string.Join("\n", Enumerable.Range(1, 10)), SerialText.Tail(text, 40));
    }

    [Fact]
    public void TailBlock_says_how_much_it_shows()
    {
        Assert.Equal("--- last 2 of 3 serial lines ---\nb\nc\n--- end of serial output ---", SerialText.TailBlock("a\nb\nc\n", 2));
        Assert.Equal("--- serial output: (empty) ---", SerialText.TailBlock(""));
    }
}
