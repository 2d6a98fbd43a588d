namespace Exo.Protocols.NetworkDevice
{
    /// <summary>
    /// One ring slot of the network-device channel, NetworkChannelLayout.SlotSize bytes, little endian:
    /// 0 length u16 (the frame's bytes, MinimumFrameLength to MaximumFrameLength) | 2 flags u16 (none defined yet: 0) |
    /// 4 zero u32 | 8 the Ethernet frame (destination, source, type, payload; no frame check sequence).
    /// </summary>
    public static unsafe class FrameSlot
    {
        public const int HeaderLength = 8;

        public static byte* Frame(byte* slot) => slot + HeaderLength;

        /// <summary>Writes the header of a slot whose frame is already in place; false (nothing written) for a bad length.</summary>
        public static bool SetLength(byte* slot, int length)
        {
            if (length < NetworkChannelLayout.MinimumFrameLength || length > NetworkChannelLayout.MaximumFrameLength)
                return false;
            *(ushort*)slot = (ushort)length;
            *(ushort*)(slot + 2) = 0;
            *(uint*)(slot + 4) = 0;
            return true;
        }

        /// <summary>The frame's length from a slot the peer wrote (read once: the peer may change it meanwhile), or -1
        /// if the header breaks a rule.</summary>
        public static int Length(byte* slot)
        {
            ulong header = *(ulong*)slot;
            int length = (int)(header & 0xFFFF);
            if ((header >> 16) != 0 || length < NetworkChannelLayout.MinimumFrameLength || length > NetworkChannelLayout.MaximumFrameLength)
                return -1;
            return length;
        }
    }
}
