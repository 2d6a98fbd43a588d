namespace Exo.Network
{
    /// <summary>shutdown(2)'s 'how': SHUT_RD, SHUT_WR, SHUT_RDWR (the same numbers).</summary>
    public enum TcpShutdown
    {
        Read = 0,
        Write = 1,
        Both = 2,
    }
}
