namespace Exo.Services.Input
{
    /// <summary>
    /// Key codes: Linux's input key numbers (linux/input-event-codes.h), so that POSIX-X can hand them on unchanged. For
    /// the keys of scan code set 1 without a prefix (1 to 88) the key code is the scan code itself.
    /// </summary>
    public static class KeyCodes
    {
        public const ushort Escape = 1, Backspace = 14, Tab = 15, Enter = 28, LeftControl = 29, A = 30, LeftShift = 42,
            Z = 44, RightShift = 54, LeftAlt = 56, Space = 57, CapsLock = 58, F1 = 59, F2 = 60, F3 = 61, F4 = 62, NumLock = 69,
            ScrollLock = 70, Iso102nd = 86, KeypadEnter = 96, RightControl = 97, KeypadSlash = 98, RightAlt = 100,
            Home = 102, Up = 103, PageUp = 104, Left = 105, Right = 106, End = 107, Down = 108, PageDown = 109,
            Insert = 110, Delete = 111, LeftMeta = 125, RightMeta = 126, Compose = 127;

        /// <summary>Key codes are below this (the state keeps one bit per code).</summary>
        public const int Limit = 256;

        /// <summary>The key code of an 0xE0-prefixed set-1 code ('code' without the prefix), 0 for one it does not know.</summary>
        public static ushort FromExtended(byte code)
        {
            switch (code)
            {
                case 0x1C: return KeypadEnter;
                case 0x1D: return RightControl;
                case 0x35: return KeypadSlash;
                case 0x38: return RightAlt;
                case 0x47: return Home;
                case 0x48: return Up;
                case 0x49: return PageUp;
                case 0x4B: return Left;
                case 0x4D: return Right;
                case 0x4F: return End;
                case 0x50: return Down;
                case 0x51: return PageDown;
                case 0x52: return Insert;
                case 0x53: return Delete;
                case 0x5B: return LeftMeta;
                case 0x5C: return RightMeta;
                case 0x5D: return Compose;
                default: return 0;
            }
        }
    }
}
