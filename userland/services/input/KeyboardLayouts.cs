using Exo.Protocols.Input;

namespace Exo.Services.Input
{
    /// <summary>
    /// What character a key gives in a layout (InputChannelHeader.LayoutUnitedStates, LayoutGerman): tables indexed by key
    /// code for the main block (codes 0 to 57, plus 86, the ISO key left of Z), without and with Shift, and the German
    /// layout's AltGr characters. Caps Lock shifts letters only (in German: ä, ö and ü too). 0: no character.
    /// </summary>
    public static class KeyboardLayouts
    {
        private const int TableLength = 58;

        // Index = key code: 0 none, 1 Escape, 2-13 the number row, 14 Backspace, 15 Tab, 16-27 the top letter row,
        // 28 Enter, 29 Control, 30-41 the middle row, 42 Shift, 43 the key left of Enter, 44-53 the bottom row,
        // 54 Shift, 55 keypad *, 56 Alt, 57 Space.
        private const string UnitedStates = "\0\u001b1234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
        private const string UnitedStatesShifted = "\0\u001b!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
        private const string German = "\0\u001b1234567890\u00df\u00b4\b\tqwertzuiop\u00fc+\n\0asdfghjkl\u00f6\u00e4^\0#yxcvbnm,.-\0*\0 ";
        private const string GermanShifted = "\0\u001b!\"\u00a7$%&/()=?`\b\tQWERTZUIOP\u00dc*\n\0ASDFGHJKL\u00d6\u00c4\u00b0\0'YXCVBNM;:_\0*\0 ";

        public static bool IsKnown(uint layout) => layout < InputChannelHeader.LayoutCount;

        /// <summary>The character of 'keyCode' in 'layout' with 'modifiers' (KeyModifiers), 0 for none.</summary>
        public static uint Character(uint layout, ushort keyCode, ushort modifiers)
        {
            bool german = layout == InputChannelHeader.LayoutGerman;
            if ((modifiers & KeyModifiers.AltGraph) != 0)
                return german ? GermanAltGraph(keyCode) : 0;
            bool shift = (modifiers & KeyModifiers.Shift) != 0;
            if (keyCode == KeyCodes.Iso102nd)
                return german ? (shift ? '>' : '<') : (shift ? '|' : '\\');
            if (keyCode >= TableLength)
                return 0;
            string plain = german ? German : UnitedStates;
            if ((modifiers & KeyModifiers.CapsLock) != 0 && IsLetter(plain[keyCode]))
                shift = !shift;
            return shift ? (german ? GermanShifted : UnitedStatesShifted)[keyCode] : plain[keyCode];
        }

        private static bool IsLetter(char c) => (c >= 'a' && c <= 'z') || c == '\u00e4' || c == '\u00f6' || c == '\u00fc';

        private static uint GermanAltGraph(ushort keyCode)
        {
            switch (keyCode)
            {
                case 3: return '\u00b2';
                case 4: return '\u00b3';
                case 8: return '{';
                case 9: return '[';
                case 10: return ']';
                case 11: return '}';
                case 12: return '\\';
                case 16: return '@';
                case 18: return '\u20ac';
                case 27: return '~';
                case 50: return '\u00b5';
                case KeyCodes.Iso102nd: return '|';
                default: return 0;
            }
        }
    }
}
