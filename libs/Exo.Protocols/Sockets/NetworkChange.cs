namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// A change to an interface or a route (<see cref="SocketOperation.ChangeNetwork"/>'s data), <see cref="Length"/>
    /// bytes, little endian, addresses in host order: 0 kind u32 | 4 interface index u32 | 8 address u32 (a route's
    /// destination) | 12 prefix length u8 | 13 zero (3) | 16 gateway u32 (0: none) | 20 zero u32. The one layout POSIX-X's
    /// ioctls and netlink and the service share.
    /// </summary>
    public unsafe struct NetworkChange
    {
        public const int Length = 24;
        /// <summary>SetAddress: address and prefix length (address 0 removes it); Up, Down: the interface's IFF_UP;
        /// AddRoute, DeleteRoute: destination/prefix length through the gateway (0: on the link).</summary>
        public const uint SetAddress = 1, Up = 2, Down = 3, AddRoute = 4, DeleteRoute = 5;

        public uint Kind;
        public uint Index;
        public uint Address;
        public byte PrefixLength;
        public uint Gateway;

        public SocketMessageProblem Check() =>
            Kind < SetAddress || Kind > DeleteRoute || Index == 0 || PrefixLength > 32 ? SocketMessageProblem.BadField : SocketMessageProblem.None;

        public bool Encode(byte* buffer)
        {
            if (Check() != SocketMessageProblem.None)
                return false;
            *(uint*)buffer = Kind;
            *(uint*)(buffer + 4) = Index;
            *(uint*)(buffer + 8) = Address;
            *(uint*)(buffer + 12) = PrefixLength;
            *(uint*)(buffer + 16) = Gateway;
            *(uint*)(buffer + 20) = 0;
            return true;
        }

        /// <summary>Reads a change the peer wrote (copy it first: the peer may change it meanwhile).</summary>
        public static SocketMessageProblem Decode(byte* buffer, out NetworkChange change)
        {
            change = default;
            if (*(uint*)(buffer + 12) > 32 || *(uint*)(buffer + 20) != 0)
                return SocketMessageProblem.BadField;
            change.Kind = *(uint*)buffer;
            change.Index = *(uint*)(buffer + 4);
            change.Address = *(uint*)(buffer + 8);
            change.PrefixLength = buffer[12];
            change.Gateway = *(uint*)(buffer + 16);
            return change.Check();
        }
    }
}
