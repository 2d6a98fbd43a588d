using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    public class ResizeTests
    {
        [Fact]
        public void ColumnsAreCroppedNotReflowed()
        {
            var terminal = new TerminalEmulator(10, 3).Feed("abcdefghij");
            terminal.Resize(5, 3);
            Assert.Equal("abcde", terminal.RowText(0));
            Assert.Equal(4, terminal.CursorColumn);
            terminal.Resize(10, 3);
            Assert.Equal("abcde", terminal.RowText(0));
            Assert.Equal(10, terminal.ScreenLine(0).Length);
        }

        [Fact]
        public void ShorterScreenDropsBlankRowsThenMovesTopRowsToTheScrollback()
        {
            var terminal = new TerminalEmulator(10, 5).Feed("0\r\n1\r\n2");
            terminal.Resize(10, 3);
            Assert.Equal(new[] { "0", "1", "2" }, ScreenTests.Rows(terminal));
            Assert.Equal(0, terminal.Scrollback.Count);
            terminal.Resize(10, 2);
            Assert.Equal(new[] { "1", "2" }, ScreenTests.Rows(terminal));
            Assert.Equal((1, 1), (terminal.CursorRow, terminal.CursorColumn));
            Assert.Equal("0", TerminalTestSupport.LineText(terminal.Line(0)));
            terminal.Resize(10, 4); // taller: the line comes back from the scroll-back
            Assert.Equal(new[] { "0", "1", "2", "" }, ScreenTests.Rows(terminal));
            Assert.Equal((2, 1), (terminal.CursorRow, terminal.CursorColumn));
            Assert.Equal(0, terminal.Scrollback.Count);
            terminal.Feed("x");
            Assert.Equal("2x", terminal.RowText(2));
        }

        [Fact]
        public void AlternateScreenIsCroppedAtTheBottom()
        {
            var terminal = new TerminalEmulator(10, 5).Feed("main\x1b[?1049h\x1b[1;1Htop\x1b[5;1Hbottom");
            terminal.Resize(8, 3);
            Assert.Equal(new[] { "top", "", "" }, ScreenTests.Rows(terminal));
            Assert.Equal((2, 6), (terminal.CursorRow, terminal.CursorColumn));
            Assert.Equal(0, terminal.Scrollback.Count);
            terminal.Feed("\x1b[?1049l");
            Assert.Equal("main", terminal.RowText(0));
            Assert.Equal((0, 4), (terminal.CursorRow, terminal.CursorColumn));
        }

        [Fact]
        public void RegionTabsAndSavedCursorFollowTheNewSize()
        {
            var terminal = new TerminalEmulator(10, 10).Feed("\x1b[2;5r\x1b[10;10H\x1b" + "7");
            terminal.Resize(30, 4);
            Assert.Equal((0, 3), (terminal.ScrollTop, terminal.ScrollBottom));
            terminal.Feed("\x1b[1;1H\x1b" + "8");
            Assert.True(terminal.CursorRow < 4 && terminal.CursorColumn < 30);
            terminal.Feed("\r\t\t\t");
            Assert.Equal(24, terminal.CursorColumn); // stops past the old width, every 8
        }

        [Fact]
        public void SizesAreClamped()
        {
            var terminal = new TerminalEmulator(0, -3);
            Assert.Equal((1, 1), (terminal.Columns, terminal.Rows));
            terminal.Feed("abc\r\ndef");
            terminal.Resize(100000, 100000);
            Assert.Equal((TerminalEmulator.MaxColumns, TerminalEmulator.MaxRows), (terminal.Columns, terminal.Rows));
        }
    }
}
