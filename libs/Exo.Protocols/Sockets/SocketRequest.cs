namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// One request, <see cref="Length"/> bytes, little endian:
    /// 0 magic u32 | 4 operation u16 | 6 flags u16 | 8 tag u32 | 12 socket u32 | 16 argument0 u64 |
    /// 24 argument1 u64 | 32 data length u32 (in the tag's data slot) | 36 zero u32 | 40 endpoint (24 bytes).
    /// Socket ids are the service's (Create and Accept give them); a stale or unknown id is the service's to
    /// refuse (BadHandle). Everything else is checked here, on both sides (<see cref="SocketOperation"/> says
    /// which fields each operation uses; the others must be zero).
    /// </summary>
    public unsafe struct SocketRequest
    {
        public const int Length = 64;
        public const uint Magic = 0x6B636F53;   // "Sock"
        /// <summary>MSG_PEEK: a receive leaves the bytes in place.</summary>
        public const ushort FlagPeek = 1;
        /// <summary>MSG_MORE: a send expects more data soon (hold a partial segment).</summary>
        public const ushort FlagMore = 2;
        /// <summary>Connect from a caller that blocks: a handshake with this host itself completes before the answer (None
        /// or the handshake's error, not InProgress), as Linux's blocking connect over loopback returns without sleeping.</summary>
        public const ushort FlagWait = 4;
        /// <summary>The longest socket option value (struct linger, timeval and the integers all fit).</summary>
        public const int MaximumOptionLength = 64;
        public const int MaximumBacklog = 4096;
        /// <summary>Create's socket types (Linux's SOCK_STREAM, SOCK_DGRAM, SOCK_RAW).</summary>
        public const ulong TypeStream = 1, TypeDatagram = 2, TypeRaw = 3;

        public SocketOperation Operation;
        public ushort Flags;
        public uint Tag;
        public uint Socket;
        public ulong Argument0;
        public ulong Argument1;
        public uint DataLength;
        public SocketEndpoint Endpoint;

        public SocketMessageProblem Check()
        {
            bool transfer = Operation == SocketOperation.Send || Operation == SocketOperation.Receive;
            if (Operation == SocketOperation.None || Operation > SocketOperation.Routes)
                return SocketMessageProblem.UnknownOperation;
            if (!Endpoint.IsWellFormed)
                return SocketMessageProblem.BadEndpoint;
            bool connect = Operation == SocketOperation.Connect;
            if ((Flags & ~(FlagPeek | FlagMore | FlagWait)) != 0 || (!transfer && !connect && Flags != 0)
                || (connect && (Flags & ~FlagWait) != 0) || (transfer && (Flags & FlagWait) != 0)
                || (Operation == SocketOperation.Send && (Flags & FlagPeek) != 0) || (Operation == SocketOperation.Receive && (Flags & FlagMore) != 0))
                return SocketMessageProblem.BadField;
            bool needsEndpoint = Operation == SocketOperation.Bind || Operation == SocketOperation.Connect;
            bool mayHaveEndpoint = needsEndpoint || Operation == SocketOperation.Send;
            if (needsEndpoint ? Endpoint.Family == SocketEndpoint.FamilyNone : !mayHaveEndpoint && Endpoint.Family != SocketEndpoint.FamilyNone)
                return SocketMessageProblem.BadEndpoint;
            uint maximumData = Operation == SocketOperation.Send ? SocketChannelLayout.DataSlotSize
                : Operation == SocketOperation.SetOption ? MaximumOptionLength
                : Operation == SocketOperation.ChangeNetwork ? (uint)NetworkChange.Length : 0u;
            if (DataLength > maximumData)
                return SocketMessageProblem.BadLength;
            bool global = Operation == SocketOperation.Create || Operation == SocketOperation.Interfaces
                || Operation == SocketOperation.ChangeNetwork || Operation == SocketOperation.Routes;
            if (global != (Socket == 0) && !connect)   // Connect may make its socket (Socket 0)
                return SocketMessageProblem.BadField;
            return ArgumentsFit() ? SocketMessageProblem.None : SocketMessageProblem.BadField;
        }

        private bool ArgumentsFit()
        {
            switch (Operation)
            {
                case SocketOperation.Create: return CreateArgumentsFit();
                case SocketOperation.Connect: return MakesItsSocket ? CreateArgumentsFit() : Argument0 == 0 && Argument1 == 0;
                case SocketOperation.Listen: return Argument0 <= MaximumBacklog && Argument1 == 0;
                case SocketOperation.Receive: return Argument0 <= SocketChannelLayout.DataSlotSize && Argument1 == 0;
                case SocketOperation.Shutdown: return Argument0 <= 2 && Argument1 == 0;
                case SocketOperation.GetOption:
                case SocketOperation.SetOption: return Argument0 <= int.MaxValue && Argument1 <= int.MaxValue;
                default: return Argument0 == 0 && Argument1 == 0;
            }
        }

        /// <summary>A Connect without a socket: it makes one as Create does, and its completion's Value is the new id even with an error.</summary>
        public bool MakesItsSocket => Operation == SocketOperation.Connect && Socket == 0;

        private bool CreateArgumentsFit() => Argument0 >= TypeStream && Argument0 <= TypeRaw && Argument1 <= 255;

        /// <summary>Writes the request (Length bytes); false, nothing written, if it breaks a rule.</summary>
        public bool Encode(byte* buffer)
        {
            if (Check() != SocketMessageProblem.None)
                return false;
            *(uint*)buffer = Magic;
            *(ushort*)(buffer + 4) = (ushort)Operation;
            *(ushort*)(buffer + 6) = Flags;
            *(uint*)(buffer + 8) = Tag;
            *(uint*)(buffer + 12) = Socket;
            *(ulong*)(buffer + 16) = Argument0;
            *(ulong*)(buffer + 24) = Argument1;
            *(uint*)(buffer + 32) = DataLength;
            *(uint*)(buffer + 36) = 0;
            Endpoint.Encode(buffer + 40);
            return true;
        }

        /// <summary>Reads a request from Length bytes the peer wrote (copy them first: the peer may change them meanwhile).</summary>
        public static SocketMessageProblem Decode(byte* buffer, out SocketRequest request)
        {
            request = default;
            if (*(uint*)buffer != Magic)
                return SocketMessageProblem.BadMagic;
            if (*(uint*)(buffer + 36) != 0)
                return SocketMessageProblem.BadField;
            request.Operation = (SocketOperation)(*(ushort*)(buffer + 4));
            request.Flags = *(ushort*)(buffer + 6);
            request.Tag = *(uint*)(buffer + 8);
            request.Socket = *(uint*)(buffer + 12);
            request.Argument0 = *(ulong*)(buffer + 16);
            request.Argument1 = *(ulong*)(buffer + 24);
            request.DataLength = *(uint*)(buffer + 32);
            if (!SocketEndpoint.Decode(buffer + 40, out request.Endpoint))
                return SocketMessageProblem.BadEndpoint;
            return request.Check();
        }
    }
}
