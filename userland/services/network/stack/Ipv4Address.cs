namespace Exo.Network
{
    /// <summary>
    /// An IPv4 address held in host byte order (10.0.2.15 is 0x0A00020F), so that comparisons, masks and
    /// prefixes are plain integer operations; <see cref="NetworkOrder"/> converts at the wire.
    /// </summary>
    public readonly struct Ipv4Address
    {
        public readonly uint Value;

        public Ipv4Address(uint value) { Value = value; }

        public Ipv4Address(byte a, byte b, byte c, byte d) { Value = (uint)a << 24 | (uint)b << 16 | (uint)c << 8 | d; }

        public static Ipv4Address Any => new Ipv4Address(0);
        public static Ipv4Address Broadcast => new Ipv4Address(0xFFFFFFFF);
        public static Ipv4Address Loopback => new Ipv4Address(0x7F000001);

        public bool IsAny => Value == 0;
        public bool IsLimitedBroadcast => Value == 0xFFFFFFFF;
        /// <summary>224.0.0.0/4.</summary>
        public bool IsMulticast => (Value & 0xF0000000) == 0xE0000000;
        /// <summary>127.0.0.0/8.</summary>
        public bool IsLoopback => (Value >> 24) == 127;

        /// <summary>Whether 'other' is on the same network under a prefix of 'prefixLength' bits (0 to 32).</summary>
        public bool SameNetwork(Ipv4Address other, int prefixLength) => ((Value ^ other.Value) & PrefixMask(prefixLength)) == 0;

        /// <summary>The mask of a prefix: 24 gives 255.255.255.0; 0 gives 0 (every address matches).</summary>
        public static uint PrefixMask(int prefixLength) =>
            prefixLength <= 0 ? 0u : prefixLength >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> prefixLength);

        /// <summary>Reads four bytes in network order.</summary>
        public static unsafe Ipv4Address Read(byte* bytes) => new Ipv4Address(NetworkOrder.ReadUInt32(bytes));

        /// <summary>Writes the address as four bytes in network order.</summary>
        public unsafe void Write(byte* bytes) => NetworkOrder.WriteUInt32(bytes, Value);

        public bool Equals(Ipv4Address other) => Value == other.Value;
        public override bool Equals(object obj) => obj is Ipv4Address other && other.Value == Value;
        public override int GetHashCode() => (int)Value;
        public static bool operator ==(Ipv4Address left, Ipv4Address right) => left.Value == right.Value;
        public static bool operator !=(Ipv4Address left, Ipv4Address right) => left.Value != right.Value;
    }
}
