namespace Exo.Network
{
    /// <summary>The connection states of RFC 9293 3.3.2 (Closed also stands for a socket not yet connected or listening).</summary>
    public enum TcpState : byte
    {
        Closed,
        Listen,
        SynSent,
        SynReceived,
        Established,
        FinWait1,
        FinWait2,
        CloseWait,
        Closing,
        LastAck,
        TimeWait,
    }
}
