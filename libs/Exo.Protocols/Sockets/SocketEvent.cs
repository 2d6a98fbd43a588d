namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// A socket's readiness after a change, <see cref="Length"/> bytes, little endian:
    /// 0 socket u32 | 4 readiness u32 (SocketReadiness bits) | 8 pending error u16 (SO_ERROR's value, 0 if none) |
    /// 10 zero u16 | 12 zero u32. The whole state, never a delta: a later event replaces an earlier one.
    /// </summary>
    public unsafe struct SocketEvent
    {
        public const int Length = 16;

        public uint Socket;
        public uint Readiness;
        public ushort PendingError;

        public SocketMessageProblem Check() =>
            Socket == 0 || (Readiness & ~SocketReadiness.All) != 0 || PendingError > SocketCompletion.MaximumStatus
                ? SocketMessageProblem.BadField : SocketMessageProblem.None;

        public bool Encode(byte* buffer)
        {
            if (Check() != SocketMessageProblem.None)
                return false;
            *(uint*)buffer = Socket;
            *(uint*)(buffer + 4) = Readiness;
            *(ushort*)(buffer + 8) = PendingError;
            *(ushort*)(buffer + 10) = 0;
            *(uint*)(buffer + 12) = 0;
            return true;
        }

        public static SocketMessageProblem Decode(byte* buffer, out SocketEvent socketEvent)
        {
            socketEvent = default;
            if (*(ushort*)(buffer + 10) != 0 || *(uint*)(buffer + 12) != 0)
                return SocketMessageProblem.BadField;
            socketEvent.Socket = *(uint*)buffer;
            socketEvent.Readiness = *(uint*)(buffer + 4);
            socketEvent.PendingError = *(ushort*)(buffer + 8);
            return socketEvent.Check();
        }
    }
}
