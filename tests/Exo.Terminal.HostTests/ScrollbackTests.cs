using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    public class ScrollbackTests
    {
        private static TerminalEmulator Numbered(int count, int capacity)
        {
            var terminal = new TerminalEmulator(10, 5, capacity);
            for (int index = 0; index < count; index++) terminal.Feed(index + "\r\n");
            return terminal;
        }

        [Fact]
        public void LinesScrolledOffTheTopAreKeptUpToTheLimit()
        {
            TerminalEmulator terminal = Numbered(150, 100);
            // Rows show 146..149 and the empty cursor row; 0..145 went to the scroll-back, which keeps the last 100.
            Assert.Equal(100, terminal.Scrollback.Count);
            Assert.Equal("46", TerminalTestSupport.LineText(terminal.Line(0)));
            Assert.Equal("145", TerminalTestSupport.LineText(terminal.Line(99)));
            Assert.Equal("146", TerminalTestSupport.LineText(terminal.Line(100)));
            Assert.Equal(105, terminal.TotalLines);
        }

        [Fact]
        public void TheViewScrollsBackAndStaysOnItsTextWhileOutputGoesOn()
        {
            TerminalEmulator terminal = Numbered(30, 100);
            terminal.ScrollView(3);
            Assert.Equal(3, terminal.ViewOffset);
            Assert.Equal("23", TerminalTestSupport.LineText(terminal.Line(terminal.VisibleLineIndex(0))));
            terminal.Feed("30\r\n");
            Assert.Equal("23", TerminalTestSupport.LineText(terminal.Line(terminal.VisibleLineIndex(0))));
            terminal.ScrollView(1000);
            Assert.Equal(terminal.Scrollback.Count, terminal.ViewOffset);
            Assert.Equal("0", TerminalTestSupport.LineText(terminal.Line(terminal.VisibleLineIndex(0))));
            terminal.ScrollView(-1000);
            Assert.Equal(0, terminal.ViewOffset);
            terminal.ScrollView(5);
            terminal.ResetView();
            Assert.Equal(0, terminal.ViewOffset);
        }

        [Fact]
        public void EraseSavedLinesClearsTheScrollback()
        {
            TerminalEmulator terminal = Numbered(30, 100);
            terminal.Feed("\x1b[3J");
            Assert.Equal(0, terminal.Scrollback.Count);
        }

        [Fact]
        public void AZeroLimitKeepsNothing()
        {
            TerminalEmulator terminal = Numbered(30, 0);
            Assert.Equal(0, terminal.Scrollback.Count);
            Assert.Equal("29", terminal.RowText(3));
        }

        [Fact]
        public void ColouredLinesKeepTheirCellsInTheScrollback()
        {
            var terminal = new TerminalEmulator(10, 2, 10);
            terminal.Feed("\x1b[31mred\x1b[m\r\n\r\n\r\n");
            Assert.Equal(2, terminal.Scrollback.Count);
            Assert.Equal(TerminalColor.Indexed(1), terminal.Line(0).CellAt(0).Foreground);
        }
    }
}
