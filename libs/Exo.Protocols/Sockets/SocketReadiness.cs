namespace Exo.Protocols.Sockets
{
    /// <summary>A socket's readiness, the bits poll(2) reports (the same values, so POSIX-X passes them through).</summary>
    public static class SocketReadiness
    {
        public const uint Readable = 0x1;        // POLLIN: data, a connection to accept, or the end of the stream
        public const uint Urgent = 0x2;          // POLLPRI
        public const uint Writable = 0x4;        // POLLOUT: room in the send buffer; a connect finished
        public const uint Error = 0x8;           // POLLERR: a pending error (SO_ERROR)
        public const uint HangUp = 0x10;         // POLLHUP: both directions closed, or the connection reset
        public const uint ReadHangUp = 0x2000;   // POLLRDHUP: the peer will send nothing more
        public const uint All = Readable | Urgent | Writable | Error | HangUp | ReadHangUp;

        /// <summary>
        /// Whether a blocking receive may wait for the socket's next report rather than ask the service: the last
        /// report said writable with nothing to read, no error and no hang-up (a connected stream, a datagram socket).
        /// Reports are never lost, so the bits catch up with the socket; a socket with no report yet, or one not
        /// writable (a listener, a stream not yet connected, a full send buffer), is asked, and may answer WouldBlock.
        /// </summary>
        public static bool NothingToReceive(uint bits) =>
            (bits & Writable) != 0 && (bits & (Readable | Urgent | Error | HangUp | ReadHangUp)) == 0;
    }
}
