using System;
using System.Text;

namespace Exo.Terminal
{
    /// <summary>
    /// Keys to the bytes xterm sends for them (its default, "PC-style" function keys): arrows and Home/End as CSI or,
    /// with application cursor keys (DECCKM), SS3; with modifiers as CSI 1 ; m X where m is 1 + Shift 1 + Alt 2 +
    /// Control 4; PgUp/PgDn/Insert/Delete/F5..F12 as CSI n ~ (CSI n ; m ~ modified); F1..F4 as SS3 P..S; Control with a
    /// letter or @[\]^_ as the C0 control; Alt as an ESC prefix; text as UTF-8.
    /// </summary>
    public static class KeyEncoder
    {
        // xterm's numbers for F5..F12: 15, 17..21, 23, 24 (16 and 22 are skipped, after the VT220).
        private static ReadOnlySpan<byte> FunctionKeyNumbers => new byte[] { 15, 17, 18, 19, 20, 21, 23, 24 };

        /// <summary>The bytes for 'key' (not <see cref="TerminalKey.None"/>), or an empty array for nothing to send.</summary>
        public static byte[] Encode(TerminalKey key, TerminalModifiers modifiers, bool applicationCursorKeys)
        {
            int modifierCode = 1 + ((modifiers & TerminalModifiers.Shift) != 0 ? 1 : 0)
                + ((modifiers & TerminalModifiers.Alt) != 0 ? 2 : 0) + ((modifiers & TerminalModifiers.Control) != 0 ? 4 : 0);
            bool modified = modifierCode != 1;
            switch (key)
            {
                case TerminalKey.Enter: return AltPrefixed("\r", modifiers);
                case TerminalKey.Tab: return (modifiers & TerminalModifiers.Shift) != 0 ? Ascii("\x1b[Z") : AltPrefixed("\t", modifiers);
                case TerminalKey.Escape: return AltPrefixed("\x1b", modifiers);
                case TerminalKey.Backspace:
                    return AltPrefixed((modifiers & TerminalModifiers.Control) != 0 ? "\x08" : "\x7f", modifiers);
                case TerminalKey.Up: return Cursor('A', modifierCode, applicationCursorKeys);
                case TerminalKey.Down: return Cursor('B', modifierCode, applicationCursorKeys);
                case TerminalKey.Right: return Cursor('C', modifierCode, applicationCursorKeys);
                case TerminalKey.Left: return Cursor('D', modifierCode, applicationCursorKeys);
                case TerminalKey.Home: return Cursor('H', modifierCode, applicationCursorKeys);
                case TerminalKey.End: return Cursor('F', modifierCode, applicationCursorKeys);
                case TerminalKey.Insert: return Tilde(2, modifierCode);
                case TerminalKey.Delete: return Tilde(3, modifierCode);
                case TerminalKey.PageUp: return Tilde(5, modifierCode);
                case TerminalKey.PageDown: return Tilde(6, modifierCode);
                case >= TerminalKey.F1 and <= TerminalKey.F4:
                    char final = (char)('P' + (key - TerminalKey.F1));
                    return modified ? Ascii("\x1b[1;" + modifierCode + final) : Ascii("\x1bO" + final);
                case >= TerminalKey.F5 and <= TerminalKey.F12:
                    return Tilde(FunctionKeyNumbers[key - TerminalKey.F5], modifierCode);
                default: return Array.Empty<byte>();
            }
        }

        /// <summary>The bytes for a typed character (a Unicode code point) with 'modifiers' (Shift is already in the character).</summary>
        public static byte[] EncodeCharacter(int codePoint, TerminalModifiers modifiers)
        {
            if (codePoint <= 0 || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
                return Array.Empty<byte>();
            bool alt = (modifiers & TerminalModifiers.Alt) != 0;
            if ((modifiers & TerminalModifiers.Control) != 0)
            {
                int control = ControlCode(codePoint);
                if (control >= 0)
                    return alt ? new byte[] { 0x1B, (byte)control } : new byte[] { (byte)control };
            }
            byte[] text = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint));
            if (!alt)
                return text;
            byte[] prefixed = new byte[text.Length + 1];
            prefixed[0] = 0x1B;
            text.CopyTo(prefixed, 1);
            return prefixed;
        }

        /// <summary>Control with a character: its C0 code, or -1 when Control does nothing to it.</summary>
        private static int ControlCode(int codePoint)
        {
            if (codePoint >= 'a' && codePoint <= 'z') return codePoint - 'a' + 1;
            if (codePoint >= '@' && codePoint <= '_') return codePoint - '@';
            if (codePoint == ' ' || codePoint == '2') return 0;
            if (codePoint >= '3' && codePoint <= '7') return 0x1B + (codePoint - '3');
            if (codePoint == '8' || codePoint == '?') return 0x7F;
            if (codePoint == '/') return 0x1F;
            return -1;
        }

        private static byte[] Cursor(char final, int modifierCode, bool application)
        {
            if (modifierCode != 1) return Ascii("\x1b[1;" + modifierCode + final);
            return Ascii((application ? "\x1bO" : "\x1b[") + final);
        }

        private static byte[] Tilde(int number, int modifierCode) =>
            Ascii(modifierCode != 1 ? "\x1b[" + number + ";" + modifierCode + "~" : "\x1b[" + number + "~");

        private static byte[] AltPrefixed(string text, TerminalModifiers modifiers) =>
            Ascii((modifiers & TerminalModifiers.Alt) != 0 ? "\x1b" + text : text);

        private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
    }
}
