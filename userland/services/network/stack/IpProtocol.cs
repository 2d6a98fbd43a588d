namespace Exo.Network
{
    /// <summary>IPv4's protocol field values the stack knows (IANA's assigned numbers).</summary>
    public static class IpProtocol
    {
        public const byte Icmp = 1;
        public const byte Tcp = 6;
        public const byte Udp = 17;
    }
}
