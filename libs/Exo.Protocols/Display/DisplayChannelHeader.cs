using System.Runtime.InteropServices;

namespace Exo.Protocols.Display
{
    /// <summary>
    /// The one page of a display channel between a display driver and its client (the compositor later; the test client
    /// display_demo now). The client draws straight into the framebuffer, a physical range the device manager hands it;
    /// the page only carries the mode: the client writes a request (<see cref="RequestedWidth"/>,
    /// <see cref="RequestedHeight"/>, then <see cref="RequestSequence"/> one higher) and rings the driver; the driver sets
    /// the mode (or refuses it), writes the current mode and <see cref="AnsweredSequence"/> = the request's, and rings the
    /// client. Damage is reported with <see cref="DamageSequence"/> (a flush: nothing to copy on a linear framebuffer the
    /// device scans out, so the driver only counts it). Words are read and written whole (Volatile).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    public struct DisplayChannelHeader
    {
        public const uint ExpectedMagic = 0x70734445;   // "EDsp"
        public const ulong PageBytes = 4096;
        /// <summary>The driver's and the client's bits on the one notification each side waits on.</summary>
        public const ulong DriverBit = 1, ClientBit = 1;

        /// <summary>ExpectedMagic once the driver has set its first mode and written it here.</summary>
        [FieldOffset(0)] public uint Magic;
        /// <summary>The current mode: pixels, bytes per line, bits per pixel (32: bytes B, G, R, unused).</summary>
        [FieldOffset(4)] public uint Width;
        [FieldOffset(8)] public uint Height;
        [FieldOffset(12)] public uint Pitch;
        [FieldOffset(16)] public uint BitsPerPixel;
        /// <summary>How many modes the driver has set (the first included).</summary>
        [FieldOffset(20)] public uint ModeChanges;
        /// <summary>The framebuffer's size in bytes (the physical range the client has).</summary>
        [FieldOffset(24)] public ulong FramebufferBytes;

        // The client's request.
        [FieldOffset(32)] public uint RequestedWidth;
        [FieldOffset(36)] public uint RequestedHeight;
        [FieldOffset(40)] public uint RequestSequence;
        // The driver's answer: the request it last handled, and whether it set the mode (0) or refused it (an Error).
        [FieldOffset(44)] public uint AnsweredSequence;
        [FieldOffset(48)] public int AnswerError;
        /// <summary>The client's flushes (damage reported), counted by the driver.</summary>
        [FieldOffset(52)] public uint DamageSequence;
        [FieldOffset(56)] public uint FlushesSeen;
        /// <summary>The damaged rectangle of the last flush.</summary>
        [FieldOffset(64)] public uint DamageX;
        [FieldOffset(68)] public uint DamageY;
        [FieldOffset(72)] public uint DamageWidth;
        [FieldOffset(76)] public uint DamageHeight;
    }
}
