namespace Exo.Network
{
    /// <summary>The socket options the TCP library knows (the service maps SOL_SOCKET and IPPROTO_TCP names to these).</summary>
    public enum TcpSocketOption
    {
        /// <summary>TCP_NODELAY: 1 turns Nagle's algorithm off.</summary>
        NoDelay,
        /// <summary>SO_KEEPALIVE: 1 probes an idle connection.</summary>
        KeepAlive,
        /// <summary>TCP_KEEPIDLE: seconds of idleness before the first probe.</summary>
        KeepAliveIdleSeconds,
        /// <summary>TCP_KEEPINTVL: seconds between probes.</summary>
        KeepAliveIntervalSeconds,
        /// <summary>TCP_KEEPCNT: unanswered probes before the connection is dropped (ETIMEDOUT).</summary>
        KeepAliveCount,
        /// <summary>SO_SNDBUF: bytes (applied when the connection's buffers are taken: before connect or listen).</summary>
        SendBufferSize,
        /// <summary>SO_RCVBUF: bytes (the same; it also fixes the window scale the SYN offers).</summary>
        ReceiveBufferSize,
        /// <summary>SO_REUSEADDR: 1 lets bind share a port with sockets that do not listen (TIME-WAIT ones included).</summary>
        ReuseAddress,
        /// <summary>SO_ERROR (read only): the pending error, cleared by reading it.</summary>
        PendingError,
        /// <summary>TCP_MAXSEG (read only here): the segment size this connection sends.</summary>
        MaximumSegmentSize,
    }
}
