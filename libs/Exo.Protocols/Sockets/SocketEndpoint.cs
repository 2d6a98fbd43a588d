namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// An address and port as the protocol carries them, <see cref="Length"/> bytes, little endian, host order:
    /// 0 family u16 (0 none, 2 IPv4; 10 IPv6 later) | 2 port u16 | 4 zero u32 | 8 address 16 bytes (IPv4: the
    /// first four, most significant first; the rest zero). Translating sockaddr_in is the client's business.
    /// </summary>
    public unsafe struct SocketEndpoint
    {
        public const int Length = 24;
        public const ushort FamilyNone = 0, FamilyInternet = 2;

        public ushort Family;
        public ushort Port;
        /// <summary>An IPv4 address in host order (10.0.2.15 is 0x0A00020F).</summary>
        public uint Address;

        public static SocketEndpoint Internet(uint address, ushort port) => new SocketEndpoint { Family = FamilyInternet, Port = port, Address = address };

        public bool IsWellFormed => Family == FamilyNone ? Port == 0 && Address == 0 : Family == FamilyInternet;

        // Every request and completion carries one: whole words rather than byte loops (about 150 instructions a request).
        public void Encode(byte* buffer)
        {
            *(ushort*)buffer = Family;
            *(ushort*)(buffer + 2) = Port;
            *(uint*)(buffer + 4) = 0;
            *(ulong*)(buffer + 8) = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Address);   // most significant first, then zeros
            *(ulong*)(buffer + 16) = 0;
        }

        /// <summary>False for a family this protocol does not know or nonzero reserved bytes.</summary>
        public static bool Decode(byte* buffer, out SocketEndpoint endpoint)
        {
            endpoint = default;
            endpoint.Family = *(ushort*)buffer;
            endpoint.Port = *(ushort*)(buffer + 2);
            ulong address = *(ulong*)(buffer + 8);
            endpoint.Address = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)address);
            if (*(uint*)(buffer + 4) != 0 || address >> 32 != 0 || *(ulong*)(buffer + 16) != 0)
                return false;
            return endpoint.IsWellFormed;
        }
    }
}
