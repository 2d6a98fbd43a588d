using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    public class SelectionTests
    {
        [Fact]
        public void WrappedLinesAreCopiedAsOneLine()
        {
            var terminal = new TerminalEmulator(10, 3).Feed("hello world wraps");
            var selection = new TextSelection(new TextPosition(0, 6)) { Head = new TextPosition(1, 6) };
            Assert.Equal("world wraps", selection.Text(terminal));
        }

        [Fact]
        public void SeparateLinesGetNewlinesAndLoseTrailingBlanks()
        {
            var terminal = new TerminalEmulator(10, 3).Feed("ab   \r\ncd\r\n\r\nef");
            var selection = new TextSelection(new TextPosition(0, 0)) { Head = new TextPosition(1, 9) };
            Assert.Equal("ab\ncd", selection.Text(terminal));
            var backwards = new TextSelection(new TextPosition(1, 9)) { Head = new TextPosition(0, 0) };
            Assert.Equal("ab\ncd", backwards.Text(terminal));
            Assert.True(backwards.Contains(0, 5));
            Assert.False(backwards.Contains(2, 0));
        }

        [Fact]
        public void SelectionReachesIntoTheScrollback()
        {
            var terminal = new TerminalEmulator(10, 2, 10);
            terminal.Feed("one\r\ntwo\r\nthree\r\nfour");
            // Lines: scroll-back "one", "two"; screen "three", "four".
            var selection = new TextSelection(new TextPosition(1, 1)) { Head = new TextPosition(3, 1) };
            Assert.Equal("wo\nthree\nfo", selection.Text(terminal));
        }

        [Fact]
        public void OutOfRangePositionsAreClamped()
        {
            var terminal = new TerminalEmulator(5, 2).Feed("abc");
            var selection = new TextSelection(new TextPosition(-5, -5)) { Head = new TextPosition(99, 99) };
            Assert.Equal("abc\n", selection.Text(terminal));
        }
    }
}
