namespace Exo.Network
{
    /// <summary>An Ethernet (MAC) address: six bytes held in the low 48 bits, the first byte on the wire highest.</summary>
    public readonly struct MacAddress
    {
        public readonly ulong Value;

        public MacAddress(ulong value) { Value = value & 0xFFFF_FFFF_FFFF; }

        public static MacAddress Broadcast => new MacAddress(0xFFFF_FFFF_FFFF);
        public static MacAddress Zero => new MacAddress(0);

        public bool IsBroadcast => Value == 0xFFFF_FFFF_FFFF;
        /// <summary>The group bit: the first byte's lowest bit (broadcast included).</summary>
        public bool IsMulticast => (Value & 0x0100_0000_0000) != 0;

        public static unsafe MacAddress Read(byte* bytes)
        {
            ulong value = 0;
            for (int i = 0; i < 6; i++)
                value = value << 8 | bytes[i];
            return new MacAddress(value);
        }

        public unsafe void Write(byte* bytes)
        {
            for (int i = 0; i < 6; i++)
                bytes[i] = (byte)(Value >> (40 - 8 * i));
        }

        public bool Equals(MacAddress other) => Value == other.Value;
        public override bool Equals(object obj) => obj is MacAddress other && other.Value == Value;
        public override int GetHashCode() => (int)(Value ^ Value >> 32);
        public static bool operator ==(MacAddress left, MacAddress right) => left.Value == right.Value;
        public static bool operator !=(MacAddress left, MacAddress right) => left.Value != right.Value;
    }
}
