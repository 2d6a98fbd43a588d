namespace Exo.Network
{
    /// <summary>The control bits of a TCP header's 13th byte (RFC 9293 3.1; ECE and CWR from RFC 3168, ignored here).</summary>
    public static class TcpFlags
    {
        public const byte Finish = 0x01;
        public const byte Synchronize = 0x02;
        public const byte Reset = 0x04;
        public const byte Push = 0x08;
        public const byte Acknowledgment = 0x10;
        public const byte Urgent = 0x20;
        public const byte EcnEcho = 0x40;
        public const byte CongestionWindowReduced = 0x80;
    }
}
