namespace Exo.Network
{
    /// <summary>What poll/epoll would report for a socket (the service maps these to POLLIN, POLLOUT, POLLHUP, POLLERR, POLLRDHUP).</summary>
    [System.Flags]
    public enum TcpReadiness
    {
        None = 0,
        /// <summary>Data, end of stream, a connection to accept, or an error to read.</summary>
        Readable = 1,
        /// <summary>Room in the send buffer on a connected socket (or an error or a write shutdown, so a writer wakes to see it).</summary>
        Writable = 2,
        /// <summary>Both directions are closed (or the connection is gone): POLLHUP.</summary>
        HangUp = 4,
        /// <summary>An error is pending (SO_ERROR): POLLERR.</summary>
        Error = 8,
        /// <summary>The peer will send nothing more (its FIN arrived): POLLRDHUP.</summary>
        ReadHangUp = 16,
    }
}
