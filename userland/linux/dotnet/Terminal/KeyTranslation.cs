using Exo.Protocols.Input;
using Exo.Terminal;

namespace Terminal;

/// <summary>The compositor's key events (Linux key numbers, the layout's character, Input.KeyModifiers) to the emulator's keys.</summary>
public static class KeyTranslation
{
    // Linux's input-event-codes.h.
    private const uint KeyEscape = 1, KeyBackspace = 14, KeyTab = 15, KeyEnter = 28, KeyF1 = 59, KeyF10 = 68, KeyF11 = 87,
        KeyF12 = 88, KeyKeypadEnter = 96, KeyHome = 102, KeyUp = 103, KeyPageUp = 104, KeyLeft = 105, KeyRight = 106,
        KeyEnd = 107, KeyDown = 108, KeyPageDown = 109, KeyInsert = 110, KeyDelete = 111;

    public static TerminalKey Key(uint code) => code switch
    {
        KeyEscape => TerminalKey.Escape,
        KeyBackspace => TerminalKey.Backspace,
        KeyTab => TerminalKey.Tab,
        KeyEnter or KeyKeypadEnter => TerminalKey.Enter,
        >= KeyF1 and <= KeyF10 => (TerminalKey)((int)TerminalKey.F1 + (int)(code - KeyF1)),
        KeyF11 => TerminalKey.F11,
        KeyF12 => TerminalKey.F12,
        KeyHome => TerminalKey.Home,
        KeyUp => TerminalKey.Up,
        KeyPageUp => TerminalKey.PageUp,
        KeyLeft => TerminalKey.Left,
        KeyRight => TerminalKey.Right,
        KeyEnd => TerminalKey.End,
        KeyDown => TerminalKey.Down,
        KeyPageDown => TerminalKey.PageDown,
        KeyInsert => TerminalKey.Insert,
        KeyDelete => TerminalKey.Delete,
        _ => TerminalKey.None,
    };

    public static TerminalModifiers Modifiers(uint modifiers)
    {
        TerminalModifiers result = TerminalModifiers.None;
        if ((modifiers & KeyModifiers.Shift) != 0) result |= TerminalModifiers.Shift;
        if ((modifiers & KeyModifiers.Control) != 0) result |= TerminalModifiers.Control;
        // AltGr makes characters (the layout already applied it); only the left Alt is Meta-as-ESC.
        if ((modifiers & KeyModifiers.Alt) != 0) result |= TerminalModifiers.Alt;
        return result;
    }
}
