using System;
using System.IO;
using System.Text;
using Exo.Terminal;

namespace Exo.Terminal.HostTests
{
    internal static class TerminalTestSupport
    {
        public static TerminalEmulator Feed(this TerminalEmulator terminal, string text)
        {
            terminal.Feed(Encoding.UTF8.GetBytes(text));
            return terminal;
        }

        /// <summary>Screen row 'row' as text, trailing blanks dropped.</summary>
        public static string RowText(this TerminalEmulator terminal, int row) => LineText(terminal.ScreenLine(row));

        public static string LineText(TerminalLine line)
        {
            var text = new StringBuilder();
            for (int column = 0; column < line.Length; column++)
                text.Append(char.ConvertFromUtf32(line.CellAt(column).Character));
            return text.ToString().TrimEnd(' ');
        }

        public static byte[] Capture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Captures", name));
    }
}
