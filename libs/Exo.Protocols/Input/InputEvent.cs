using System.Runtime.InteropServices;

namespace Exo.Protocols.Input
{
    /// <summary>
    /// One input event, a fixed 32-byte record in an input channel's ring (<see cref="InputChannelHeader"/>). Keys carry
    /// the device's scan code (set 1, 0xE0-prefixed codes as 0xE0xx), a key code (Linux's input key numbers: KEY_A = 30),
    /// the modifiers after the event, and the character the active layout gives (a Unicode code point; 0 for none).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct InputEvent
    {
        public const uint Size = 32;
        /// <summary>Absolute positions run from 0 to this on each axis (virtio tablet, QEMU's scale).</summary>
        public const int AbsoluteRange = 32767;
        /// <summary>Flags: a key's make code again while it was down (the keyboard's typematic repeat).</summary>
        public const ushort FlagRepeat = 1;

        [FieldOffset(0)] public InputEventKind Kind;
        [FieldOffset(2)] public ushort Flags;
        [FieldOffset(4)] public ushort Code;
        [FieldOffset(6)] public ushort KeyCode;
        [FieldOffset(8)] public uint Character;
        [FieldOffset(12)] public ushort Modifiers;
        [FieldOffset(14)] public ushort Buttons;
        [FieldOffset(16)] public int X;
        [FieldOffset(20)] public int Y;
        /// <summary>The driver's count of events, to see drops.</summary>
        [FieldOffset(24)] public ulong Sequence;
    }
}
