namespace Exo.Toolkit.Widgets;

/// <summary>A pointer event in the receiving widget's coordinates; Buttons the ones held now (bit 0 left, 1 right, 2 middle).</summary>
public readonly record struct PointerEvent(int X, int Y, uint Buttons);

/// <summary>A key press (Linux's key code, the character in the active layout or 0, Input.KeyModifiers, a repeat or not).</summary>
public readonly record struct KeyEvent(uint Code, char Character, ushort Modifiers, bool Repeat)
{
    public bool IsText => Character >= 0x20 && Character != 0x7F && (Modifiers & (KeyModifierBits.Control | KeyModifierBits.Alt)) == 0;
    public bool Shift => (Modifiers & KeyModifierBits.Shift) != 0;
    public bool Control => (Modifiers & KeyModifierBits.Control) != 0;

    /// <summary>Control with the key that types 'letter' in the active layout (Shift or not): Ctrl+Z is where the layout has Z.</summary>
    public bool IsShortcut(char letter) => Control && (Modifiers & KeyModifierBits.Alt) == 0 && char.ToLowerInvariant(Character) == letter;
}

/// <summary>The modifier bits of libs/Exo.Protocols/Input/KeyModifiers (not compiled into applications).</summary>
public static class KeyModifierBits
{
    public const ushort Shift = 1, Control = 2, Alt = 4;
}

/// <summary>Linux's input key numbers (input-event-codes.h) the widgets act on.</summary>
public static class KeyCodes
{
    public const uint Escape = 1, Backspace = 14, Tab = 15, Enter = 28, Space = 57, Home = 102, Up = 103, PageUp = 104,
        Left = 105, Right = 106, End = 107, Down = 108, PageDown = 109, Delete = 111;
    /// <summary>Function keys and the letters of the file manager's shortcuts (their places on a US keyboard).</summary>
    public const uint F2 = 60, F5 = 63, LetterC = 46, LetterH = 35, LetterL = 38, LetterN = 49, LetterV = 47, LetterX = 45;
}
