using System;

namespace Exo.Terminal
{
    /// <summary>SGR (CSI ... m): the pen's colours and attributes.</summary>
    public sealed partial class TerminalEmulator
    {
        private void SelectGraphicRendition(ReadOnlySpan<int> parameters)
        {
            if (parameters.Length == 0)
            {
                pen = default;
                return;
            }
            for (int index = 0; index < parameters.Length; index++)
            {
                int code = parameters[index];
                switch (code)
                {
                    case 0: pen = default; break;
                    case 1: pen.Flags |= CellFlags.Bold; break;
                    case 2: pen.Flags |= CellFlags.Faint; break;
                    case 3: pen.Flags |= CellFlags.Italic; break;
                    case 4: pen.Flags |= CellFlags.Underline; break;
                    case 5: case 6: pen.Flags |= CellFlags.Blink; break;
                    case 7: pen.Flags |= CellFlags.Inverse; break;
                    case 8: pen.Flags |= CellFlags.Hidden; break;
                    case 9: pen.Flags |= CellFlags.Strikethrough; break;
                    case 21: pen.Flags |= CellFlags.Underline; break; // doubly underlined, drawn as underlined
                    case 22: pen.Flags &= ~(CellFlags.Bold | CellFlags.Faint); break;
                    case 23: pen.Flags &= ~CellFlags.Italic; break;
                    case 24: pen.Flags &= ~CellFlags.Underline; break;
                    case 25: pen.Flags &= ~CellFlags.Blink; break;
                    case 27: pen.Flags &= ~CellFlags.Inverse; break;
                    case 28: pen.Flags &= ~CellFlags.Hidden; break;
                    case 29: pen.Flags &= ~CellFlags.Strikethrough; break;
                    case >= 30 and <= 37: pen.Foreground = TerminalColor.Indexed(code - 30); break;
                    case 38: pen.Foreground = ExtendedColor(parameters, ref index, pen.Foreground); break;
                    case 39: pen.Foreground = TerminalColor.Default; break;
                    case >= 40 and <= 47: pen.Background = TerminalColor.Indexed(code - 40); break;
                    case 48: pen.Background = ExtendedColor(parameters, ref index, pen.Background); break;
                    case 49: pen.Background = TerminalColor.Default; break;
                    case >= 90 and <= 97: pen.Foreground = TerminalColor.Indexed(code - 90 + 8); break;
                    case >= 100 and <= 107: pen.Background = TerminalColor.Indexed(code - 100 + 8); break;
                }
            }
        }

        /// <summary>
        /// 38/48 ; 5 ; n (palette) or 38/48 ; 2 ; r ; g ; b (24-bit), 'index' left on the last parameter used. A form
        /// cut short or out of range keeps 'current' and consumes the rest of the sequence (xterm ignores it too).
        /// </summary>
        private static TerminalColor ExtendedColor(ReadOnlySpan<int> parameters, ref int index, TerminalColor current)
        {
            int remaining = parameters.Length - index - 1;
            if (remaining >= 2 && parameters[index + 1] == 5)
            {
                int entry = parameters[index + 2];
                index += 2;
                return entry <= 255 ? TerminalColor.Indexed(entry) : current;
            }
            if (remaining >= 4 && parameters[index + 1] == 2)
            {
                int red = parameters[index + 2], green = parameters[index + 3], blue = parameters[index + 4];
                index += 4;
                return red <= 255 && green <= 255 && blue <= 255 ? TerminalColor.Rgb(red, green, blue) : current;
            }
            index = parameters.Length;
            return current;
        }
    }
}
