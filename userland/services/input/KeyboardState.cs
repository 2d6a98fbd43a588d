using Exo.Protocols.Input;

namespace Exo.Services.Input
{
    /// <summary>
    /// Scan code set 1 (what the i8042 gives with translation on) to key events: the 0xE0 prefix, the Pause key's 0xE1
    /// sequence (dropped), the keys down (a make code for a key already down is the keyboard's repeat), the modifiers,
    /// and Caps Lock and Num Lock toggled on their make codes (<see cref="Leds"/> changes; the driver tells the keyboard).
    /// Pure logic, also compiled into the host tests.
    /// </summary>
    public unsafe struct KeyboardState
    {
        private const byte ExtendedPrefix = 0xE0, PausePrefix = 0xE1, ReleaseBit = 0x80;
        private const int PauseSequenceBytes = 5;   // E1 1D 45 E1 9D C5: the bytes after the first
        private const byte FakeShift = 0x2A;        // E0 2A / E0 AA around some extended keys: not a key

        private fixed ulong _down[KeyCodes.Limit / 64];
        private bool _extended;
        private int _pauseBytesLeft;
        private ushort _modifiers;
        private ulong _sequence;

        public uint Layout;

        public ushort Modifiers => _modifiers;

        /// <summary>The keyboard LEDs as the Set LEDs command (0xED) takes them: bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock.</summary>
        public byte Leds => (byte)(((_modifiers & KeyModifiers.NumLock) != 0 ? 2 : 0) | ((_modifiers & KeyModifiers.CapsLock) != 0 ? 4 : 0));

        /// <summary>Takes one byte from the keyboard; true with 'key' filled when the byte ended a key's code.</summary>
        public bool Feed(byte value, out InputEvent key)
        {
            key = default;
            if (_pauseBytesLeft > 0)
            {
                _pauseBytesLeft--;
                return false;
            }
            if (value == PausePrefix)
            {
                _pauseBytesLeft = PauseSequenceBytes;
                return false;
            }
            if (value == ExtendedPrefix)
            {
                _extended = true;
                return false;
            }
            bool extended = _extended;
            _extended = false;
            bool released = (value & ReleaseBit) != 0;
            byte code = (byte)(value & ~ReleaseBit);
            if (extended && code == FakeShift)
                return false;
            ushort keyCode = extended ? KeyCodes.FromExtended(code) : code;
            if (keyCode == 0 || keyCode >= KeyCodes.Limit)
                return false;
            bool wasDown = IsDown(keyCode);
            SetDown(keyCode, !released);
            if (!released && !wasDown)
                Toggle(keyCode);
            UpdateHeldModifiers();
            key.Kind = released ? InputEventKind.KeyUp : InputEventKind.KeyDown;
            key.Flags = !released && wasDown ? InputEvent.FlagRepeat : (ushort)0;
            key.Code = (ushort)(extended ? ExtendedPrefix << 8 | code : code);
            key.KeyCode = keyCode;
            key.Modifiers = _modifiers;
            key.Character = released ? 0 : KeyboardLayouts.Character(Layout, keyCode, _modifiers);
            key.Sequence = ++_sequence;
            return true;
        }

        public bool IsDown(ushort keyCode) => (_down[keyCode >> 6] & (1UL << (keyCode & 63))) != 0;

        private void SetDown(ushort keyCode, bool down)
        {
            if (down)
                _down[keyCode >> 6] |= 1UL << (keyCode & 63);
            else
                _down[keyCode >> 6] &= ~(1UL << (keyCode & 63));
        }

        private void Toggle(ushort keyCode)
        {
            if (keyCode == KeyCodes.CapsLock)
                _modifiers ^= KeyModifiers.CapsLock;
            else if (keyCode == KeyCodes.NumLock)
                _modifiers ^= KeyModifiers.NumLock;
        }

        private void UpdateHeldModifiers()
        {
            ushort held = 0;
            if (IsDown(KeyCodes.LeftShift) || IsDown(KeyCodes.RightShift))
                held |= KeyModifiers.Shift;
            if (IsDown(KeyCodes.LeftControl) || IsDown(KeyCodes.RightControl))
                held |= KeyModifiers.Control;
            if (IsDown(KeyCodes.LeftAlt))
                held |= KeyModifiers.Alt;
            // The right Alt is AltGr in the German layout, a second Alt in the US one.
            if (IsDown(KeyCodes.RightAlt))
                held |= Layout == InputChannelHeader.LayoutGerman ? KeyModifiers.AltGraph : KeyModifiers.Alt;
            if (IsDown(KeyCodes.LeftMeta) || IsDown(KeyCodes.RightMeta))
                held |= KeyModifiers.Meta;
            const ushort toggled = KeyModifiers.CapsLock | KeyModifiers.NumLock;
            _modifiers = (ushort)((_modifiers & toggled) | held);
        }
    }
}
