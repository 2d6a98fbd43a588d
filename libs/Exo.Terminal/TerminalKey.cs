namespace Exo.Terminal
{
    /// <summary>The keys <see cref="KeyEncoder"/> encodes other than text (which comes as characters).</summary>
    public enum TerminalKey : byte
    {
        None,
        Enter,
        Backspace,
        Tab,
        Escape,
        Up,
        Down,
        Right,
        Left,
        Home,
        End,
        Insert,
        Delete,
        PageUp,
        PageDown,
        F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12,
    }

    /// <summary>The modifiers a key is encoded with.</summary>
    [System.Flags]
    public enum TerminalModifiers : byte
    {
        None = 0,
        Shift = 1,
        Alt = 2,
        Control = 4,
    }
}
