using Exo.Protocols.Input;

namespace Exo.Services.Input
{
    /// <summary>
    /// virtio-input events (virtio 1.2, 5.8: struct virtio_input_event, Linux's evdev types and codes) from a tablet to
    /// pointer events: EV_ABS X and Y (QEMU's range 0..32767) and EV_KEY buttons are gathered until EV_SYN's report,
    /// which gives a position (when it moved) and the buttons (when they changed); EV_REL's wheel gives steps at once.
    /// Pure logic, also compiled into the host tests.
    /// </summary>
    public struct TabletEvents
    {
        public const ushort TypeSynchronize = 0, TypeKey = 1, TypeRelative = 2, TypeAbsolute = 3;
        public const ushort AbsoluteX = 0, AbsoluteY = 1, RelativeWheel = 8;
        public const ushort ButtonLeft = 0x110, ButtonRight = 0x111, ButtonMiddle = 0x112;

        private int _x, _y, _reportedX, _reportedY;
        private ushort _buttons, _reportedButtons;
        private bool _positioned;

        /// <summary>
        /// Takes one event; true when 'first' (and maybe 'second') holds an event to pass on (Kind None when not):
        /// a report gives the position then the buttons, a wheel event its steps (positive towards the user, as
        /// MousePackets gives them: Linux's REL_WHEEL is positive away from the user).
        /// </summary>
        public bool Feed(ushort type, ushort code, int value, out InputEvent first, out InputEvent second)
        {
            first = second = default;
            switch (type)
            {
                case TypeAbsolute:
                    if (code == AbsoluteX)
                        _x = Clamp(value);
                    else if (code == AbsoluteY)
                        _y = Clamp(value);
                    _positioned = true;
                    return false;
                case TypeKey:
                    ushort bit = code == ButtonLeft ? (ushort)1 : code == ButtonRight ? (ushort)2 : code == ButtonMiddle ? (ushort)4 : (ushort)0;
                    _buttons = value != 0 ? (ushort)(_buttons | bit) : (ushort)(_buttons & ~bit);
                    return false;
                case TypeRelative:
                    if (code != RelativeWheel || value == 0)
                        return false;
                    first.Kind = InputEventKind.Wheel;
                    first.Y = -value;
                    first.Buttons = _buttons;
                    return true;
                case TypeSynchronize:
                    if (_positioned && (_x != _reportedX || _y != _reportedY))
                    {
                        first.Kind = InputEventKind.PointerPosition;
                        first.X = _reportedX = _x;
                        first.Y = _reportedY = _y;
                        first.Buttons = _buttons;
                    }
                    if (_buttons != _reportedButtons)
                    {
                        second.Kind = InputEventKind.Buttons;
                        second.Buttons = _reportedButtons = _buttons;
                    }
                    return first.Kind != InputEventKind.None || second.Kind != InputEventKind.None;
                default:
                    return false;
            }
        }

        private static int Clamp(int value) => value < 0 ? 0 : value > InputEvent.AbsoluteRange ? InputEvent.AbsoluteRange : value;
    }
}
