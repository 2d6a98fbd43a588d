namespace Exo.Network
{
    /// <summary>What came back for an echo request the stack sent: a reply, or an error that quoted the request.</summary>
    public enum IcmpEchoOutcome : byte
    {
        Reply,
        /// <summary>The destination or its network did not answer (ARP gave up, or an ICMP unreachable came back).</summary>
        Unreachable,
        /// <summary>The request's TTL ran out on the way.</summary>
        TimeExceeded,
    }

    /// <summary>One answer to an echo request (<see cref="IcmpProtocol.TryReceiveEcho"/>).</summary>
    public struct IcmpEchoReply
    {
        public IcmpEchoOutcome Outcome;
        /// <summary>Who answered (the destination, or the router that sent the error).</summary>
        public Ipv4Address Source;
        public ushort Identifier;
        public ushort Sequence;
        /// <summary>The reply's data length (the request's, for an echo reply).</summary>
        public int DataLength;
        public long ReceivedAt;
    }
}
