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
        /// or the handshake's error, not InProgress), as Linux's blocking connect over loopback returns without sleeping.
        /// Accept: parked until a connection is ready (or the listener closes: BadHandle), the one request the service
        /// keeps unanswered; WouldBlock at once when the listener has one parked already.</summary>
        public const ushort FlagWait = 4;
        /// <summary>Close with a reset to the peer (a connection accepted ahead for a listener that closed before its owner
        /// took it: Linux resets the connections nobody accepted).</summary>
        public const ushort FlagAbort = 8;
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

        // Each operation's rules (RuleOf): the flags it allows (bits 0-3), its endpoint (bits 4-5: none, required,
        // optional), its socket field (bits 6-7: zero for the global operations, nonzero, either) and whether it carries
        // data (bit 8). One lookup rather than a chain of comparisons: every request is checked twice (sender and receiver).
        private const uint FlagsMask = 0xF;
        private const uint EndpointRequired = 1 << 4, EndpointOptional = 2 << 4, EndpointMask = 3 << 4;
        private const uint SocketZero = 0, SocketNonzero = 1 << 6, SocketEither = 2 << 6, SocketMask = 3 << 6;
        private const uint CarriesData = 1 << 8;

        private static uint RuleOf(SocketOperation operation) => operation switch
        {
            SocketOperation.Create => SocketZero,
            SocketOperation.Bind => SocketNonzero | EndpointRequired,
            SocketOperation.Connect => SocketEither | EndpointRequired | FlagWait,   // Socket 0: it makes its socket
            SocketOperation.Send => SocketNonzero | EndpointOptional | FlagMore | CarriesData,
            SocketOperation.Receive => SocketNonzero | FlagPeek,
            SocketOperation.SetOption => SocketNonzero | CarriesData,
            SocketOperation.Interfaces => SocketZero,
            SocketOperation.ChangeNetwork => SocketZero | CarriesData,
            SocketOperation.Routes => SocketZero,
            SocketOperation.Accept => SocketNonzero | FlagWait,   // parked until a connection is ready
            SocketOperation.Close => SocketNonzero | FlagAbort,
            _ => SocketNonzero,   // Listen, Shutdown, the options' and names' reads, Readiness
        };

        public SocketMessageProblem Check()
        {
            uint operation = (uint)Operation;
            if (operation - 1 >= (uint)SocketOperation.Routes)   // None wraps around
                return SocketMessageProblem.UnknownOperation;
            uint rule = RuleOf(Operation);
            if (!Endpoint.IsWellFormed)
                return SocketMessageProblem.BadEndpoint;
            if ((Flags & ~(rule & FlagsMask)) != 0)
                return SocketMessageProblem.BadField;
            uint endpoint = rule & EndpointMask;
            if (endpoint != EndpointOptional && (Endpoint.Family != SocketEndpoint.FamilyNone) != (endpoint == EndpointRequired))
                return SocketMessageProblem.BadEndpoint;
            if (DataLength != 0 && ((rule & CarriesData) == 0 || DataLength > MaximumData(Operation)))
                return SocketMessageProblem.BadLength;
            uint socket = rule & SocketMask;
            if (socket != SocketEither && (Socket != 0) != (socket == SocketNonzero))
                return SocketMessageProblem.BadField;
            return ArgumentsFit() ? SocketMessageProblem.None : SocketMessageProblem.BadField;
        }

        private static uint MaximumData(SocketOperation operation)
            => operation == SocketOperation.Send ? SocketChannelLayout.DataSlotSize
               : operation == SocketOperation.SetOption ? MaximumOptionLength : (uint)NetworkChange.Length;

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
            EncodeUnchecked(buffer);
            return true;
        }

        /// <summary>
        /// Writes the request without checking it: for a sender whose requests are checked where it matters, by the
        /// receiver's Decode (the kernel's to the network service, which refuses a malformed one with Invalid, as
        /// a refused Encode would have been answered), rather than twice per request.
        /// </summary>
        public void EncodeUnchecked(byte* buffer)
        {
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
