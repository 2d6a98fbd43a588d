namespace Exo.Protocols.NetworkDevice
{
    /// <summary>
    /// The network-device protocol's channel: one memory object shared by a network card's driver and its one client
    /// (the network service; for now a test program). It holds the device's facts and counters
    /// (<see cref="NetworkDeviceFacts"/>, written by the driver), a transmit ring (client to driver) and a receive ring
    /// (driver to client). Each ring is a single-producer single-consumer ring (Exo.Protocols.Rings' SpscRing) of
    /// <see cref="SlotCount"/> fixed-size slots, each one Ethernet frame in place (<see cref="FrameSlot"/>): a sender
    /// fills the next free slot where it lies and publishes, the receiver reads it where it lies and releases it, so
    /// the slots are the buffers, recycled by the rings, and neither side allocates per frame.
    /// Notifications: the client signals <see cref="DriverBit"/> on the driver's notification after publishing frames
    /// to transmit (or freeing receive slots the driver waits for); the driver signals <see cref="ClientBit"/> on the
    /// client's after publishing received frames or freeing transmit slots; each only when the peer said it sleeps (the
    /// rings' flags). The device manager signals <see cref="DriverGoneBit"/> on the client's when the driver ended (and
    /// sets NetworkDeviceFacts.DriverGone first): the channel is dead, the client waits for a new one.
    /// </summary>
    public static class NetworkChannelLayout
    {
        /// <summary>Frames each way: a power of two (the rings index with a mask).</summary>
        public const int SlotCount = 256;
        /// <summary>An Ethernet frame without its frame check sequence: 14 bytes of header and up to 1500 of payload.</summary>
        public const int MaximumFrameLength = 1514;
        public const int MinimumFrameLength = 14;
        public const int Mtu = 1500;
        /// <summary>A slot: its 8-byte header, the frame, rounded up to whole words (SpscRing's rule).</summary>
        public const int SlotSize = (FrameSlot.HeaderLength + MaximumFrameLength + 7) & ~7;
        /// <summary>SpscRingHeader's 320 bytes and the slots, rounded up to pages.</summary>
        public const int RingBytes = (320 + SlotCount * SlotSize + 4095) & ~4095;
        public const int FactsOffset = 0;
        public const int FactsBytes = 4096;
        public const int TransmitRingOffset = FactsBytes;
        public const int ReceiveRingOffset = TransmitRingOffset + RingBytes;
        public const int Size = ReceiveRingOffset + RingBytes;
        public const ulong DriverBit = 1, ClientBit = 1, DriverGoneBit = 2;
    }
}
