using Exo.Protocols.Input;

namespace Exo.Services.Input
{
    /// <summary>
    /// PS/2 mouse packets to pointer events: 3 bytes, or 4 with the IntelliMouse wheel (the driver's device ID 3 after
    /// the sample-rate knock 200, 100, 80). Byte 0: buttons (bits 0-2), always-one bit 3, X and Y sign bits 4 and 5,
    /// overflow bits 6 and 7; bytes 1 and 2: X and Y (9-bit two's complement with the sign bits; PS/2's Y grows
    /// upwards, the events' downwards); byte 3: the wheel (4-bit two's complement). A first byte without bit 3 is out of
    /// step and dropped until one comes. Pure logic, also compiled into the host tests.
    /// </summary>
    public unsafe struct MousePackets
    {
        private const byte AlwaysOne = 0x08, XSign = 0x10, YSign = 0x20, Overflow = 0xC0, ButtonMask = 0x07;

        private fixed byte _packet[4];
        private int _received;
        private ushort _buttons;

        /// <summary>3, or 4 once the mouse said it has a wheel.</summary>
        public int PacketBytes;

        public ushort Buttons => _buttons;

        /// <summary>
        /// Takes one byte; true when it ended a packet, with what changed: 'motion' (X, Y; zero when none), 'buttons'
        /// (Kind None when unchanged), 'wheel' (Kind None when no steps).
        /// </summary>
        public bool Feed(byte value, out InputEvent motion, out InputEvent buttons, out InputEvent wheel)
        {
            motion = buttons = wheel = default;
            if (PacketBytes != 4)
                PacketBytes = 3;
            if (_received == 0 && (value & AlwaysOne) == 0)
                return false;
            _packet[_received++] = value;
            if (_received < PacketBytes)
                return false;
            _received = 0;
            byte flags = _packet[0];
            int x = (flags & Overflow) != 0 ? 0 : _packet[1] - ((flags & XSign) != 0 ? 256 : 0);
            int y = (flags & Overflow) != 0 ? 0 : _packet[2] - ((flags & YSign) != 0 ? 256 : 0);
            if (x != 0 || y != 0)
            {
                motion.Kind = InputEventKind.PointerMotion;
                motion.X = x;
                motion.Y = -y;
            }
            ushort now = (ushort)(flags & ButtonMask);
            if (now != _buttons)
            {
                _buttons = now;
                buttons.Kind = InputEventKind.Buttons;
            }
            buttons.Buttons = motion.Buttons = wheel.Buttons = now;
            if (PacketBytes == 4)
            {
                int steps = _packet[3] & 0x0F;
                if (steps >= 8)
                    steps -= 16;
                if (steps != 0)
                {
                    wheel.Kind = InputEventKind.Wheel;
                    wheel.Y = steps;
                }
            }
            return true;
        }
    }
}
