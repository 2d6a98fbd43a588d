using System;

namespace Exo.Terminal
{
    /// <summary>The control sequences (CSI ... final) the terminal carries out; the rest are ignored.</summary>
    public sealed partial class TerminalEmulator
    {
        void IParserHandler.CsiDispatch(ReadOnlySpan<int> parameters, byte privateMarker, byte intermediate, byte final)
        {
            if (privateMarker == '?')
            {
                if (intermediate == 0 && (final == 'h' || final == 'l'))
                    foreach (int mode in parameters) SetPrivateMode(mode, final == 'h');
                return;
            }
            if (privateMarker == '>')
            {
                if (final == 'c' && intermediate == 0 && Parameter(parameters, 0, 0) == 0)
                    Respond("\x1b[>0;10;1c"); // secondary DA: a VT100-class terminal
                return;
            }
            if (privateMarker != 0)
                return;
            if (intermediate != 0)
            {
                // DECSCUSR (CSI n SP q, cursor shape) and the rest: nothing to do.
                return;
            }

            int count = Parameter(parameters, 0, 1);
            switch (final)
            {
                case (byte)'A': MoveVertically(-count); break;
                case (byte)'B': case (byte)'e': MoveVertically(count); break;
                case (byte)'C': case (byte)'a': MoveHorizontally(count); break;
                case (byte)'D': MoveHorizontally(-count); break;
                case (byte)'E': MoveVertically(count); CursorColumn = 0; break;
                case (byte)'F': MoveVertically(-count); CursorColumn = 0; break;
                case (byte)'G': case (byte)'`': pendingWrap = false; CursorColumn = Math.Clamp(count - 1, 0, Columns - 1); break;
                case (byte)'H': case (byte)'f': MoveTo(Parameter(parameters, 0, 1) - 1, Parameter(parameters, 1, 1) - 1); break;
                case (byte)'d': MoveTo(count - 1, CursorColumn); break;
                case (byte)'J': EraseInDisplay(Parameter(parameters, 0, 0)); break;
                case (byte)'K': EraseInLine(Parameter(parameters, 0, 0)); break;
                case (byte)'X':
                    screen.Lines[CursorRow].Erase(CursorColumn, CursorColumn + Math.Min(count, Columns), pen.Background);
                    pendingWrap = false;
                    break;
                case (byte)'@': InsertCharacters(count); break;
                case (byte)'P': DeleteCharacters(count); break;
                case (byte)'L': InsertLines(count); break;
                case (byte)'M': DeleteLines(count); break;
                case (byte)'S': ScrollUp(Math.Min(count, Rows)); break;
                case (byte)'T': screen.ScrollDown(scrollTop, scrollBottom, Math.Min(count, Rows), Columns, pen.Background); break;
                case (byte)'I': TabForward(Math.Min(count, Columns)); break;
                case (byte)'Z': TabBackward(Math.Min(count, Columns)); break;
                case (byte)'b':
                    for (int repeat = Math.Min(count, Columns * Rows); repeat > 0; repeat--) PrintCharacter(lastPrinted);
                    break;
                case (byte)'g':
                    int clear = Parameter(parameters, 0, 0);
                    if (clear == 0) tabStops[CursorColumn] = false;
                    else if (clear == 3) Array.Clear(tabStops);
                    break;
                case (byte)'m': SelectGraphicRendition(parameters); break;
                case (byte)'r': SetScrollRegion(Parameter(parameters, 0, 1), Parameter(parameters, 1, Rows)); break;
                case (byte)'s': SaveCursor(); break;
                case (byte)'u': RestoreCursor(); break;
                case (byte)'h': case (byte)'l':
                    foreach (int mode in parameters)
                    {
                        if (mode == 4) InsertMode = final == 'h';
                        else if (mode == 20) NewLineMode = final == 'h';
                    }
                    break;
                case (byte)'n': DeviceStatusReport(Parameter(parameters, 0, 0)); break;
                case (byte)'c':
                    if (Parameter(parameters, 0, 0) == 0) Respond("\x1b[?1;2c"); // primary DA: VT100 with advanced video
                    break;
            }
        }

        /// <summary>Parameter 'index', or 'missing' when absent or 0 (a 0 means the default for these sequences).</summary>
        private static int Parameter(ReadOnlySpan<int> parameters, int index, int missing) =>
            index < parameters.Length && parameters[index] != 0 ? parameters[index] : missing;

        private void SetScrollRegion(int top, int bottom)
        {
            top = Math.Clamp(top, 1, Rows);
            bottom = Math.Clamp(bottom, 1, Rows);
            if (top >= bottom)
                return;
            scrollTop = top - 1;
            scrollBottom = bottom - 1;
            MoveTo(0, 0);
        }

        private void DeviceStatusReport(int request)
        {
            if (request == 5)
                Respond("\x1b[0n");
            else if (request == 6)
            {
                int row = OriginMode ? CursorRow - scrollTop : CursorRow;
                Respond("\x1b[" + (row + 1) + ";" + (CursorColumn + 1) + "R");
            }
        }

        private void SetPrivateMode(int mode, bool set)
        {
            switch (mode)
            {
                case 1: ApplicationCursorKeys = set; break;
                case 6: OriginMode = set; MoveTo(0, 0); break;
                case 7: AutoWrap = set; if (!set) pendingWrap = false; break;
                case 25: CursorVisible = set; break;
                case 47: SwitchScreen(set, false); break;
                case 1047:
                    if (!set && AlternateScreenActive) alternate.Clear(pen.Background);
                    SwitchScreen(set, false);
                    break;
                case 1048: if (set) SaveCursor(); else RestoreCursor(); break;
                case 1049: SwitchScreen(set, true); break;
                case 1004: FocusReporting = set; break;
                case 2004: BracketedPaste = set; break;
            }
        }
    }
}
