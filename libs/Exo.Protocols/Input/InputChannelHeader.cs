using System.Runtime.InteropServices;
using Exo.Protocols.Rings;

namespace Exo.Protocols.Input
{
    /// <summary>
    /// The page of an input channel between an input driver and its client: this header, then at
    /// <see cref="RingOffset"/> an SPSC ring (libs/Exo.Protocols/Rings) of <see cref="RingSlots"/> <see cref="InputEvent"/>
    /// records the driver fills and the client reads. The driver rings the client after each batch; a full ring drops
    /// events (counted in <see cref="Dropped"/>), so a client that stalls never stalls the keyboard. The client picks the
    /// keyboard layout (<see cref="RequestedLayout"/>); the driver applies it from the next key on and says so in
    /// <see cref="ActiveLayout"/>.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct InputChannelHeader
    {
        public const uint ExpectedMagic = 0x706E4945;   // "EInp"
        public const ulong PageBytes = 4096;
        public const uint RingOffset = 256;
        public const uint RingSlots = 64;
        public const ulong DriverBit = 1, ClientBit = 2;
        /// <summary>Layouts: the US one and the German one (QWERTZ).</summary>
        public const uint LayoutUnitedStates = 0, LayoutGerman = 1, LayoutCount = 2;

        [FieldOffset(0)] public uint Magic;
        [FieldOffset(4)] public uint RequestedLayout;
        [FieldOffset(8)] public uint ActiveLayout;
        /// <summary>Devices the driver found: bit 0 keyboard, bit 1 mouse, bit 2 a wheel on the mouse, bit 3 a tablet.</summary>
        [FieldOffset(12)] public uint Devices;
        [FieldOffset(16)] public ulong Dropped;
        /// <summary>The time-stamp counter when the driver took the byte of the last key pressed (gui.key_to_pixel's start).</summary>
        [FieldOffset(24)] public ulong LastKeyTimestamp;
        /// <summary>make bench's desktop boot only (a driver started with "bench"): keys the client asked the driver to
        /// press; the driver feeds one 'a' (make and break) through its keyboard decoder for each it has not pressed yet.</summary>
        [FieldOffset(32)] public uint BenchKeysRequested;

        public const uint DeviceKeyboard = 1, DeviceMouse = 2, DeviceWheel = 4, DeviceTablet = 8;

        /// <summary>The ring's bytes after the header (within the page).</summary>
        public static ulong RingBytes => SpscRing.RequiredBytes(RingSlots, InputEvent.Size);
    }
}
