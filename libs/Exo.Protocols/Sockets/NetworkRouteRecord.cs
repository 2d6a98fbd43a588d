namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// One route of the main table as the service describes it (<see cref="SocketOperation.Routes"/>), <see cref="Length"/>
    /// bytes, little endian, addresses in host order: 0 destination u32 | 4 prefix length u8 | 5 zero (3) | 8 gateway u32
    /// (0: on the link) | 12 interface index u32.
    /// </summary>
    public unsafe struct NetworkRouteRecord
    {
        public const int Length = 16;
        /// <summary>Routes one answer lists (each interface's subnet, the default route and the static routes).</summary>
        public const int MaximumRoutes = 16;

        public uint Destination;
        public byte PrefixLength;
        public uint Gateway;
        public uint Index;

        public SocketMessageProblem Check() =>
            PrefixLength > 32 || Index == 0 || (PrefixLength < 32 && (Destination & ~(PrefixLength == 0 ? 0 : 0xFFFFFFFFu << (32 - PrefixLength))) != 0)
                ? SocketMessageProblem.BadField : SocketMessageProblem.None;

        public bool Encode(byte* buffer)
        {
            if (Check() != SocketMessageProblem.None)
                return false;
            *(uint*)buffer = Destination;
            *(uint*)(buffer + 4) = PrefixLength;
            *(uint*)(buffer + 8) = Gateway;
            *(uint*)(buffer + 12) = Index;
            return true;
        }

        public static SocketMessageProblem Decode(byte* buffer, out NetworkRouteRecord record)
        {
            record = default;
            if (*(uint*)(buffer + 4) > 32)
                return SocketMessageProblem.BadField;
            record.Destination = *(uint*)buffer;
            record.PrefixLength = buffer[4];
            record.Gateway = *(uint*)(buffer + 8);
            record.Index = *(uint*)(buffer + 12);
            return record.Check();
        }
    }
}
