using System.Runtime.InteropServices;

namespace Exo.Protocols.NetworkDevice
{
    /// <summary>
    /// The first page of a network-device channel: what the driver says about its card, written before it serves the
    /// rings (<see cref="Magic"/> last), and counters it keeps up to date; the client only reads it, except
    /// <see cref="DriverGone"/>, which the device manager sets when the driver ended. Fields are naturally aligned
    /// words, read and written whole (Volatile).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public unsafe struct NetworkDeviceFacts
    {
        public const uint ExpectedMagic = 0x74654E45;   // "ENet"
        /// <summary>Features: the device computes transmit checksums (not offered yet: the driver does not negotiate it).</summary>
        public const uint FeatureTransmitChecksum = 1;
        /// <summary>Features: received frames' checksums were checked by the device (not offered yet).</summary>
        public const uint FeatureReceiveChecksum = 2;

        /// <summary>ExpectedMagic once the driver has written the facts and attached to the rings.</summary>
        [FieldOffset(0)] public uint Magic;
        [FieldOffset(4)] public uint Features;
        /// <summary>The MAC address in bytes 0-5 (transmission order), bytes 6-7 zero.</summary>
        [FieldOffset(8)] public ulong MacAddress;
        [FieldOffset(16)] public uint Mtu;
        /// <summary>1 while the link is up (the driver updates it on the device's configuration-change interrupt).</summary>
        [FieldOffset(20)] public uint LinkUp;
        /// <summary>Set to 1 by the device manager when the driver ended: the rings will never move again.</summary>
        [FieldOffset(24)] public uint DriverGone;
        [FieldOffset(28)] public uint LinkChanges;

        // Counters, each written by the driver only.
        [FieldOffset(64)] public ulong ReceivedFrames;
        [FieldOffset(72)] public ulong ReceivedBytes;
        /// <summary>Frames the device delivered while the receive ring was full (the client did not keep up).</summary>
        [FieldOffset(80)] public ulong ReceiveDropped;
        /// <summary>Frames the device delivered too short or too long to be Ethernet frames.</summary>
        [FieldOffset(88)] public ulong ReceiveErrors;
        [FieldOffset(96)] public ulong TransmittedFrames;
        [FieldOffset(104)] public ulong TransmittedBytes;
        /// <summary>Transmit slots with a malformed header (not sent).</summary>
        [FieldOffset(112)] public ulong TransmitErrors;
        /// <summary>Times the driver woke from its notification (interrupts and the client's doorbells together).</summary>
        [FieldOffset(120)] public ulong WakeUps;
    }
}
