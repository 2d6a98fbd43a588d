using System;
using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    /// <summary>
    /// Random bytes, biased towards escape-sequence material, and random resizes: nothing may throw, and after every
    /// step the cursor, the region, the view and every row must be inside the screen. Fixed seeds, so a failure repeats.
    /// </summary>
    public class FuzzTests
    {
        private const int Seeds = 24;
        private const int StepsPerSeed = 400;
        private static readonly byte[] Interesting = System.Text.Encoding.ASCII.GetBytes("\x1b[];?0123456789;;:mHJKABCDrhlsu78M@PLXSTbgdfnc()#\r\n\t\b\a ~>=P_\\");

        [Fact]
        public void RandomInputAndResizesNeverBreakTheScreen()
        {
            for (int seed = 1; seed <= Seeds; seed++)
            {
                var random = new Random(seed);
                var terminal = new TerminalEmulator(random.Next(1, 120), random.Next(1, 50), random.Next(0, 200));
                byte[] chunk = new byte[256];
                for (int step = 0; step < StepsPerSeed; step++)
                {
                    int length = random.Next(1, chunk.Length);
                    for (int index = 0; index < length; index++)
                    {
                        int kind = random.Next(10);
                        chunk[index] = kind < 5 ? Interesting[random.Next(Interesting.Length)]
                            : kind < 7 ? (byte)random.Next(0x20, 0x7F)
                            : (byte)random.Next(256);
                    }
                    terminal.Feed(chunk.AsSpan(0, length));
                    if (random.Next(20) == 0)
                        terminal.Resize(random.Next(-5, 300), random.Next(-5, 120));
                    if (random.Next(10) == 0)
                        terminal.ScrollView(random.Next(-50, 50));
                    if (random.Next(30) == 0)
                    {
                        var selection = new TextSelection(new TextPosition(random.Next(-10, terminal.TotalLines + 10), random.Next(-10, 400)))
                        {
                            Head = new TextPosition(random.Next(-10, terminal.TotalLines + 10), random.Next(-10, 400)),
                        };
                        Assert.NotNull(selection.Text(terminal));
                    }
                    terminal.TakeResponses();
                    CheckInvariants(terminal, seed, step);
                }
            }
        }

        [Fact]
        public void EveryTruncationOfRealOutputIsSafe()
        {
            // Every prefix of the vim capture, then the rest: the parser's state at every cut point is valid.
            byte[] capture = TerminalTestSupport.Capture("vim.typescript");
            for (int cut = 0; cut <= capture.Length; cut += 7)
            {
                var terminal = new TerminalEmulator(80, 24);
                terminal.Feed(capture.AsSpan(0, cut));
                CheckInvariants(terminal, 0, cut);
                terminal.Resize(40, 10);
                terminal.Feed(capture.AsSpan(cut));
                CheckInvariants(terminal, 0, cut);
            }
        }

        private static void CheckInvariants(TerminalEmulator terminal, int seed, int step)
        {
            string where = "seed " + seed + " step " + step;
            Assert.True(terminal.Columns >= 1 && terminal.Columns <= TerminalEmulator.MaxColumns, where);
            Assert.True(terminal.Rows >= 1 && terminal.Rows <= TerminalEmulator.MaxRows, where);
            Assert.True(terminal.CursorRow >= 0 && terminal.CursorRow < terminal.Rows, where);
            Assert.True(terminal.CursorColumn >= 0 && terminal.CursorColumn < terminal.Columns, where);
            Assert.True(terminal.ScrollTop >= 0 && terminal.ScrollTop < terminal.ScrollBottom || terminal.Rows == 1, where);
            Assert.True(terminal.ScrollBottom < terminal.Rows, where);
            Assert.True(terminal.ViewOffset >= 0 && terminal.ViewOffset <= terminal.Scrollback.Count, where);
            Assert.True(terminal.Scrollback.Count <= terminal.Scrollback.Capacity, where);
            for (int row = 0; row < terminal.Rows; row++)
                Assert.Equal(terminal.Columns, terminal.ScreenLine(row).Length);
            int first = terminal.VisibleLineIndex(0);
            Assert.True(first >= 0 && terminal.VisibleLineIndex(terminal.Rows - 1) < terminal.TotalLines, where);
        }
    }
}
