namespace Exo.Protocols.Input
{
    /// <summary>What an <see cref="InputEvent"/> says.</summary>
    public enum InputEventKind : ushort
    {
        None = 0,
        /// <summary>A key went down (or repeats: <see cref="InputEvent.FlagRepeat"/>); Code, KeyCode, Character, Modifiers.</summary>
        KeyDown = 1,
        KeyUp = 2,
        /// <summary>Relative pointer motion: X, Y (screen direction: Y grows downwards).</summary>
        PointerMotion = 3,
        /// <summary>Absolute pointer position: X, Y scaled to 0..<see cref="InputEvent.AbsoluteRange"/>.</summary>
        PointerPosition = 4,
        /// <summary>The buttons now down changed: Buttons (bit 0 left, 1 right, 2 middle).</summary>
        Buttons = 5,
        /// <summary>Wheel steps: Y (positive: towards the user, as the PS/2 IntelliMouse reports down).</summary>
        Wheel = 6,
    }
}
