using System;
using System.Text;
using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    /// <summary>Real programs' output (Captures/README.md says how it was recorded) and a full-screen redraw in busybox top's style.</summary>
    public class CapturedOutputTests
    {
        [Fact]
        public void LsColorsEachNameAsDircolorsSays()
        {
            var terminal = new TerminalEmulator(80, 24);
            terminal.Feed(TerminalTestSupport.Capture("ls.typescript"));
            Assert.Equal("link  plain.txt  run.sh  subdir", terminal.RowText(0));
            Assert.Equal((1, 0), (terminal.CursorRow, terminal.CursorColumn));
            AssertCell(terminal, 0, "link", TerminalColor.Indexed(6), CellFlags.Bold);        // 01;36 symbolic link
            AssertCell(terminal, 0 + 6, "plain.txt", TerminalColor.Default, CellFlags.None);
            AssertCell(terminal, 6 + 11, "run.sh", TerminalColor.Indexed(2), CellFlags.Bold); // 01;32 executable
            AssertCell(terminal, 17 + 8, "subdir", TerminalColor.Indexed(4), CellFlags.Bold); // 01;34 directory
            Assert.Equal(CellFlags.None, terminal.CellAt(0, 4).Flags); // the gap after "link" is reset
        }

        [Fact]
        public void VimDrawsOnTheAlternateScreenAndLeavesTheShellAsItWas()
        {
            byte[] capture = TerminalTestSupport.Capture("vim.typescript");
            int showCursor = IndexOf(capture, "\x1b[?25h");
            var terminal = new TerminalEmulator(80, 24);
            terminal.Feed(capture.AsSpan(0, showCursor));

            Assert.True(terminal.AlternateScreenActive);
            Assert.False(terminal.CursorVisible);
            Assert.True(terminal.ApplicationCursorKeys);
            Assert.True(terminal.BracketedPaste);
            Assert.Equal("first line of the file", terminal.RowText(0));
            Assert.Equal("second line", terminal.RowText(1));
            Assert.Equal("        indented third", terminal.RowText(2));
            for (int row = 3; row < 23; row++)
            {
                Assert.Equal("~", terminal.RowText(row));
                Assert.Equal(TerminalColor.Indexed(12), terminal.CellAt(row, 0).Foreground); // SGR 94: bright blue
            }
            Assert.Equal("", terminal.RowText(23)); // the message line was cleared by the redraw
            Assert.Equal(0, terminal.Scrollback.Count);

            terminal.Feed(capture.AsSpan(showCursor));
            Assert.False(terminal.AlternateScreenActive);
            Assert.True(terminal.CursorVisible);
            Assert.False(terminal.ApplicationCursorKeys);
            Assert.False(terminal.BracketedPaste);
            Assert.Equal("before-vim", terminal.RowText(0));
            Assert.Equal("after-vim", terminal.RowText(1));
            Assert.Equal("", terminal.RowText(2));
            Assert.Equal((2, 0), (terminal.CursorRow, terminal.CursorColumn));
            Assert.Empty(terminal.TakeResponses());
        }

        [Fact]
        public void TopStyleRedrawsReplaceTheWholeScreen()
        {
            // busybox top's frame: home, erase below, the summary, the header in inverse video, one line per process
            // cut to the width; the second frame has fewer processes, and the rows they left must be blank.
            string Frame(string load, params string[] processes)
            {
                var frame = new StringBuilder("\x1b[H\x1b[J");
                frame.Append("Mem: 100K used, 900K free, 0K shrd, 0K buff, 10K cached\r\n");
                frame.Append("CPU:   5% usr   1% sys   0% nic  94% idle   0% io\r\n");
                frame.Append("Load average: " + load + "\r\n");
                frame.Append("\x1b[7m  PID  PPID USER     STAT   VSZ %VSZ %CPU COMMAND\x1b[m");
                foreach (string process in processes) frame.Append("\r\n").Append(process);
                return frame.ToString();
            }
            var terminal = new TerminalEmulator(60, 10);
            terminal.Feed(Frame("0.10 0.05 0.01 1/30 99", "    1     0 root     S     1000   1%   0% init", "   42     1 root     R     2000   2%   5% top",
                "   43     1 root     S     3000   3%   0% /bin/sh -c a-very-long-command-line-that-goes-past-the-width"));
            Assert.Equal("    1     0 root     S     1000   1%   0% init", terminal.RowText(4));
            Assert.True(terminal.CellAt(3, 0).Flags.HasFlag(CellFlags.Inverse));
            Assert.True(terminal.CellAt(3, 48).Flags.HasFlag(CellFlags.Inverse)); // the header's 49 characters, no further
            Assert.False(terminal.CellAt(3, 49).Flags.HasFlag(CellFlags.Inverse));
            Assert.False(terminal.CellAt(4, 0).Flags.HasFlag(CellFlags.Inverse));
            Assert.Equal("long-command-line-that-goes-past-the-width", terminal.RowText(7)); // wrapped past 60 columns
            terminal.Feed(Frame("0.20 0.06 0.01 1/29 98", "    1     0 root     S     1000   1%   0% init"));
            Assert.Equal("Load average: 0.20 0.06 0.01 1/29 98", terminal.RowText(2));
            Assert.Equal("    1     0 root     S     1000   1%   0% init", terminal.RowText(4));
            for (int row = 5; row < 10; row++) Assert.Equal("", terminal.RowText(row));
            Assert.Equal(0, terminal.Scrollback.Count);
        }

        [Fact]
        public void ShellLineEditingRedraws()
        {
            // What a line editor sends: text, backspaces, erase to end of line, and cursor moves back over the line.
            var terminal = new TerminalEmulator(40, 3);
            terminal.Feed("~ # ech\b \bo hello\x1b[5D\x1b[Kworld\r\x1b[K~ # ls\r\n");
            Assert.Equal("~ # ls", terminal.RowText(0));
            Assert.Equal((1, 0), (terminal.CursorRow, terminal.CursorColumn));
        }

        private static void AssertCell(TerminalEmulator terminal, int column, string text, TerminalColor foreground, CellFlags flags)
        {
            for (int index = 0; index < text.Length; index++)
            {
                Cell cell = terminal.CellAt(0, column + index);
                Assert.Equal(text[index], cell.CodePoint);
                Assert.Equal(foreground, cell.Foreground);
                Assert.Equal(flags, cell.Flags);
            }
        }

        private static int IndexOf(byte[] data, string text)
        {
            int index = data.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text));
            Assert.True(index > 0, text + " not in the capture");
            return index;
        }
    }
}
