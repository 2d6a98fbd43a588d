namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// A request's completion, <see cref="Length"/> bytes, little endian:
    /// 0 tag u32 | 4 status u16 (0, or an Exo.Abi error number: WouldBlock, InProgress, ConnectionRefused...) |
    /// 6 zero u16 | 8 value u64 (see SocketOperation) | 16 data length u32 (in the tag's data slot) | 20 zero u32 |
    /// 24 endpoint (24 bytes) | 48 zero (16 bytes).
    /// </summary>
    public unsafe struct SocketCompletion
    {
        public const int Length = 64;
        public const ushort MaximumStatus = 4095;

        public uint Tag;
        public ushort Status;
        public ulong Value;
        public uint DataLength;
        public SocketEndpoint Endpoint;

        public SocketMessageProblem Check()
        {
            if (Status > MaximumStatus)
                return SocketMessageProblem.BadField;
            if (!Endpoint.IsWellFormed)
                return SocketMessageProblem.BadEndpoint;
            if (DataLength > SocketChannelLayout.DataSlotSize)
                return SocketMessageProblem.BadLength;
            // An error carries no data and no endpoint; its Value is only a socket the request made (SocketOperation.Connect).
            if (Status != 0 && (DataLength != 0 || Endpoint.Family != SocketEndpoint.FamilyNone))
                return SocketMessageProblem.BadField;
            return SocketMessageProblem.None;
        }

        public bool Encode(byte* buffer)
        {
            if (Check() != SocketMessageProblem.None)
                return false;
            *(uint*)buffer = Tag;
            *(ushort*)(buffer + 4) = Status;
            *(ushort*)(buffer + 6) = 0;
            *(ulong*)(buffer + 8) = Value;
            *(uint*)(buffer + 16) = DataLength;
            *(uint*)(buffer + 20) = 0;
            Endpoint.Encode(buffer + 24);
            *(ulong*)(buffer + 48) = 0;
            *(ulong*)(buffer + 56) = 0;
            return true;
        }

        public static SocketMessageProblem Decode(byte* buffer, out SocketCompletion completion)
        {
            completion = default;
            if (*(ushort*)(buffer + 6) != 0 || *(uint*)(buffer + 20) != 0 || *(ulong*)(buffer + 48) != 0 || *(ulong*)(buffer + 56) != 0)
                return SocketMessageProblem.BadField;
            completion.Tag = *(uint*)buffer;
            completion.Status = *(ushort*)(buffer + 4);
            completion.Value = *(ulong*)(buffer + 8);
            completion.DataLength = *(uint*)(buffer + 16);
            if (!SocketEndpoint.Decode(buffer + 24, out completion.Endpoint))
                return SocketMessageProblem.BadEndpoint;
            return completion.Check();
        }
    }
}
