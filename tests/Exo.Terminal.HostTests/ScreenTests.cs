using System.Text;
using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    public class ScreenTests
    {
        private static TerminalEmulator Terminal(int columns = 20, int rows = 5) => new TerminalEmulator(columns, rows, 100);

        [Fact]
        public void TextAdvancesTheCursorAndNewlinesMoveDown()
        {
            TerminalEmulator terminal = Terminal().Feed("hello\r\nworld");
            Assert.Equal("hello", terminal.RowText(0));
            Assert.Equal("world", terminal.RowText(1));
            Assert.Equal((1, 5), (terminal.CursorRow, terminal.CursorColumn));
        }

        [Fact]
        public void CursorMovementsAreClampedToTheScreen()
        {
            TerminalEmulator terminal = Terminal();
            terminal.Feed("\x1b[3;4H");
            Assert.Equal((2, 3), (terminal.CursorRow, terminal.CursorColumn));
            terminal.Feed("\x1b[2A\x1b[5C");
            Assert.Equal((0, 8), (terminal.CursorRow, terminal.CursorColumn));
            terminal.Feed("\x1b[99B\x1b[99D");
            Assert.Equal((4, 0), (terminal.CursorRow, terminal.CursorColumn));
            terminal.Feed("\x1b[999;999f");
            Assert.Equal((4, 19), (terminal.CursorRow, terminal.CursorColumn));
            terminal.Feed("\x1b[7G\x1b[2d");
            Assert.Equal((1, 6), (terminal.CursorRow, terminal.CursorColumn));
            terminal.Feed("\x1b[H");
            Assert.Equal((0, 0), (terminal.CursorRow, terminal.CursorColumn));
            terminal.Feed("\x1b[0;0H\x1b[0A");
            Assert.Equal((0, 0), (terminal.CursorRow, terminal.CursorColumn));
        }

        [Fact]
        public void EraseInDisplayAndLine()
        {
            TerminalEmulator terminal = Terminal(10, 3).Feed("aaaaaaaaaa\r\nbbbbbbbbbb\r\ncccccccccc");
            terminal.Feed("\x1b[2;5H\x1b[K");
            Assert.Equal("bbbb", terminal.RowText(1));
            terminal.Feed("\x1b[1K");
            Assert.Equal("", terminal.RowText(1));
            terminal.Feed("\x1b[1;3H\x1b[J");
            Assert.Equal("aa", terminal.RowText(0));
            Assert.Equal("", terminal.RowText(2));
            terminal.Feed("xyz\x1b[1;2H\x1b[X");
            Assert.Equal("a xyz", terminal.RowText(0));
            terminal.Feed("\x1b[2J");
            Assert.Equal("", terminal.RowText(0));
            Assert.Equal((0, 1), (terminal.CursorRow, terminal.CursorColumn)); // ED leaves the cursor
        }

        [Fact]
        public void ErasedCellsTakeTheCurrentBackground()
        {
            TerminalEmulator terminal = Terminal(10, 2).Feed("\x1b[44m\x1b[2J\x1b[m");
            Assert.Equal(TerminalColor.Indexed(4), terminal.CellAt(1, 9).Background);
        }

        [Fact]
        public void InsertAndDeleteCharacters()
        {
            TerminalEmulator terminal = Terminal(10, 2).Feed("abcdefghij\x1b[1;3H\x1b[2@");
            Assert.Equal("ab  cdefgh", terminal.RowText(0));
            terminal.Feed("\x1b[3P");
            Assert.Equal("abdefgh", terminal.RowText(0));
            terminal.Feed("\x1b[99P");
            Assert.Equal("ab", terminal.RowText(0));
            terminal.Feed("\x1b[4hXY\x1b[4l");
            Assert.Equal("abXY", terminal.RowText(0));
        }

        [Fact]
        public void InsertAndDeleteLinesStayInsideTheScrollRegion()
        {
            TerminalEmulator terminal = Terminal(5, 5).Feed("0\r\n1\r\n2\r\n3\r\n4");
            terminal.Feed("\x1b[2;4r"); // rows 1..3
            terminal.Feed("\x1b[2;1H\x1b[L");
            Assert.Equal(new[] { "0", "", "1", "2", "4" }, Rows(terminal));
            terminal.Feed("\x1b[2M");
            Assert.Equal(new[] { "0", "2", "", "", "4" }, Rows(terminal));
            terminal.Feed("\x1b[5;1H\x1b[L"); // outside the region: nothing
            Assert.Equal(new[] { "0", "2", "", "", "4" }, Rows(terminal));
        }

        [Fact]
        public void LineFeedAtTheRegionBottomScrollsOnlyTheRegion()
        {
            TerminalEmulator terminal = Terminal(5, 5).Feed("0\r\n1\r\n2\r\n3\r\n4\x1b[2;4r\x1b[4;1H\nX");
            Assert.Equal(new[] { "0", "2", "3", "X", "4" }, Rows(terminal));
            Assert.Equal(0, terminal.Scrollback.Count); // a region not at the top keeps no history
            terminal.Feed("\x1b[2;1H\x1bMY"); // reverse index at the region's top scrolls it down
            Assert.Equal(new[] { "0", "Y", "2", "3", "4" }, Rows(terminal));
        }

        [Fact]
        public void ScrollUpAndDownSequences()
        {
            TerminalEmulator terminal = Terminal(5, 3).Feed("a\r\nb\r\nc\x1b[S");
            Assert.Equal(new[] { "b", "c", "" }, Rows(terminal));
            terminal.Feed("\x1b[2T");
            Assert.Equal(new[] { "", "", "b" }, Rows(terminal));
        }

        [Fact]
        public void AutoWrapWaitsForTheNextCharacter()
        {
            TerminalEmulator terminal = Terminal(5, 3).Feed("abcde");
            Assert.Equal((0, 4), (terminal.CursorRow, terminal.CursorColumn));
            Assert.False(terminal.ScreenLine(0).Wrapped);
            terminal.Feed("f");
            Assert.Equal(new[] { "abcde", "f", "" }, Rows(terminal));
            Assert.True(terminal.ScreenLine(0).Wrapped);
            terminal.Feed("\x1b[?7l\x1b[2;1H123456789");
            Assert.Equal("12349", terminal.RowText(1));
            Assert.Equal((1, 4), (terminal.CursorRow, terminal.CursorColumn));
        }

        [Fact]
        public void CarriageReturnAfterAFullLineDoesNotWrap()
        {
            TerminalEmulator terminal = Terminal(5, 3).Feed("abcde\r\nx");
            Assert.Equal(new[] { "abcde", "x", "" }, Rows(terminal));
        }

        [Fact]
        public void TabStops()
        {
            TerminalEmulator terminal = Terminal(30, 2).Feed("a\tb\tc");
            Assert.Equal("a       b       c", terminal.RowText(0));
            terminal.Feed("\x1b[2;4H\x1bH\r\tX"); // a stop at column 3
            Assert.Equal("   X", terminal.RowText(1));
            terminal.Feed("\x1b[3g\r\tY"); // all cleared: to the last column
            Assert.Equal(29, terminal.CursorColumn);
            terminal.Feed("\x1b[2;20H\x1b[Z");
            Assert.Equal(0, terminal.CursorColumn);
        }

        [Fact]
        public void SaveAndRestoreCursorWithRendition()
        {
            TerminalEmulator terminal = Terminal().Feed("\x1b[2;3H\x1b[1;31m\x1b" + "7\x1b[H\x1b[m\x1b" + "8x");
            Assert.Equal((1, 3), (terminal.CursorRow, terminal.CursorColumn));
            Cell cell = terminal.CellAt(1, 2);
            Assert.Equal('x', cell.CodePoint);
            Assert.Equal(TerminalColor.Indexed(1), cell.Foreground);
            Assert.True(cell.Flags.HasFlag(CellFlags.Bold));
            terminal.Feed("\x1b[4;4H\x1b[s\x1b[H\x1b[u");
            Assert.Equal((3, 3), (terminal.CursorRow, terminal.CursorColumn));
        }

        [Fact]
        public void GraphicRendition()
        {
            TerminalEmulator terminal = Terminal(40, 2).Feed(
                "\x1b[1;4;7;32;45mA\x1b[22;24;27mB\x1b[38;5;208;48;5;21mC\x1b[38;2;10;20;30;48;2;200;100;50mD\x1b[0mE\x1b[93;104mF\x1b[39;49mG"
                + "\x1b[38;5;999mH\x1b[38;2;1mI");
            Cell a = terminal.CellAt(0, 0);
            Assert.Equal(CellFlags.Bold | CellFlags.Underline | CellFlags.Inverse, a.Flags);
            Assert.Equal(TerminalColor.Indexed(2), a.Foreground);
            Assert.Equal(TerminalColor.Indexed(5), a.Background);
            Assert.Equal(CellFlags.None, terminal.CellAt(0, 1).Flags);
            Assert.Equal(TerminalColor.Indexed(208), terminal.CellAt(0, 2).Foreground);
            Assert.Equal(TerminalColor.Indexed(21), terminal.CellAt(0, 2).Background);
            Assert.Equal(TerminalColor.Rgb(10, 20, 30), terminal.CellAt(0, 3).Foreground);
            Assert.Equal(TerminalColor.Rgb(200, 100, 50), terminal.CellAt(0, 3).Background);
            Assert.Equal(default(Cell).Foreground, terminal.CellAt(0, 4).Foreground);
            Assert.Equal(CellFlags.None, terminal.CellAt(0, 4).Flags);
            Assert.Equal(TerminalColor.Indexed(11), terminal.CellAt(0, 5).Foreground);
            Assert.Equal(TerminalColor.Indexed(12), terminal.CellAt(0, 5).Background);
            Assert.Equal(TerminalColor.Default, terminal.CellAt(0, 6).Foreground);
            Assert.Equal(TerminalColor.Default, terminal.CellAt(0, 7).Foreground); // 999 is no palette entry: unchanged
            Assert.Equal(TerminalColor.Default, terminal.CellAt(0, 8).Foreground); // 38;2 cut short: unchanged
            Assert.Equal('I', terminal.CellAt(0, 8).CodePoint);
        }

        [Fact]
        public void PaletteMatchesXterm()
        {
            Assert.Equal(0xCD0000, TerminalPalette.Indexed(1));
            Assert.Equal(0x5C5CFF, TerminalPalette.Indexed(12));
            Assert.Equal(0xFF8700, TerminalPalette.Indexed(208));
            Assert.Equal(0x0000FF, TerminalPalette.Indexed(21));
            Assert.Equal(0x080808, TerminalPalette.Indexed(232));
            Assert.Equal(0xEEEEEE, TerminalPalette.Indexed(255));
            Assert.Equal(0x0A141E, TerminalPalette.Resolve(TerminalColor.Rgb(10, 20, 30), 0));
            Assert.Equal(0x123456, TerminalPalette.Resolve(TerminalColor.Default, 0x123456));
        }

        [Fact]
        public void AlternateScreenKeepsTheMainScreenAndCursor()
        {
            TerminalEmulator terminal = Terminal(10, 3).Feed("shell$ \x1b[?1049h");
            Assert.True(terminal.AlternateScreenActive);
            Assert.Equal("", terminal.RowText(0));
            terminal.Feed("\x1b[2;2Hfull\r\n\n\n\n\n"); // scrolling on the alternate screen keeps no history
            Assert.Equal(0, terminal.Scrollback.Count);
            terminal.Feed("\x1b[?1049l");
            Assert.False(terminal.AlternateScreenActive);
            Assert.Equal("shell$", terminal.RowText(0));
            Assert.Equal((0, 7), (terminal.CursorRow, terminal.CursorColumn));
        }

        [Fact]
        public void ModesAreTracked()
        {
            TerminalEmulator terminal = Terminal().Feed("\x1b[?25l\x1b[?1h\x1b[?2004h");
            Assert.False(terminal.CursorVisible);
            Assert.True(terminal.ApplicationCursorKeys);
            Assert.True(terminal.BracketedPaste);
            terminal.Feed("\x1b[?25h\x1b[?1;2004l");
            Assert.True(terminal.CursorVisible);
            Assert.False(terminal.ApplicationCursorKeys);
            Assert.False(terminal.BracketedPaste);
        }

        [Fact]
        public void StatusReportsAreAnswered()
        {
            TerminalEmulator terminal = Terminal().Feed("\x1b[3;7H\x1b[6n\x1b[5n\x1b[c");
            Assert.Equal("\x1b[3;7R\x1b[0n\x1b[?1;2c", Encoding.ASCII.GetString(terminal.TakeResponses()));
            Assert.Empty(terminal.TakeResponses());
            terminal.Feed("\x1b[2;4r\x1b[?6h\x1b[2;2H\x1b[6n"); // origin mode: relative to the region
            Assert.Equal("\x1b[2;2R", Encoding.ASCII.GetString(terminal.TakeResponses()));
            Assert.Equal(2, terminal.CursorRow);
        }

        [Fact]
        public void ResponsesAreBounded()
        {
            TerminalEmulator terminal = Terminal();
            for (int index = 0; index < 5000; index++) terminal.Feed("\x1b[6n");
            Assert.True(terminal.TakeResponses().Length <= TerminalEmulator.MaxResponseBytes);
        }

        [Fact]
        public void TitleAndBell()
        {
            TerminalEmulator terminal = Terminal().Feed("\x1b]0;user@exo: ~\x07\a\a");
            Assert.Equal("user@exo: ~", terminal.Title);
            Assert.Equal(2, terminal.BellCount);
            terminal.Feed("\x1b]2;\u00e9t\u00e9\x1b\\");
            Assert.Equal("\u00e9t\u00e9", terminal.Title);
            terminal.Feed("\x1b]1;icon\x07\x1b]52;c;AAAA\x07");
            Assert.Equal("\u00e9t\u00e9", terminal.Title);
        }

        [Fact]
        public void LineDrawingCharacterSet()
        {
            TerminalEmulator terminal = Terminal().Feed("\x1b(0lqk\x1b(Bq");
            Assert.Equal("\u250C\u2500\u2510q", terminal.RowText(0));
        }

        [Fact]
        public void RepeatAndAlignmentTest()
        {
            TerminalEmulator terminal = Terminal(10, 2).Feed("-\x1b[4b");
            Assert.Equal("-----", terminal.RowText(0));
            terminal.Feed("\x1b#8");
            Assert.Equal("EEEEEEEEEE", terminal.RowText(1));
        }

        [Fact]
        public void FullResetClearsEverything()
        {
            TerminalEmulator terminal = Terminal().Feed("text\x1b[31m\x1b[?25l\x1b[2;3r\x1b" + "c");
            Assert.Equal("", terminal.RowText(0));
            Assert.True(terminal.CursorVisible);
            Assert.Equal((0, 4), (terminal.ScrollTop, terminal.ScrollBottom));
            Assert.Equal(TerminalColor.Default, terminal.Pen.Foreground);
        }

        [Fact]
        public void Utf8TextFillsOneCellPerCodePoint()
        {
            TerminalEmulator terminal = Terminal().Feed("gr\u00fc\u00df \u20ac");
            Assert.Equal("gr\u00fc\u00df \u20ac", terminal.RowText(0));
            Assert.Equal(6, terminal.CursorColumn);
        }

        internal static string[] Rows(TerminalEmulator terminal)
        {
            var rows = new string[terminal.Rows];
            for (int row = 0; row < rows.Length; row++) rows[row] = terminal.RowText(row);
            return rows;
        }
    }
}
