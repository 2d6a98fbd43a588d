namespace Exo.Network
{
    /// <summary>
    /// A transport the IP layer hands datagrams to, by protocol number: a whole (reassembled) payload whose IPv4
    /// header was valid and addressed to this host; and ICMP errors that quote one of this transport's datagrams
    /// (the quoted transport header's first bytes, at least 8, so the transport finds its socket by ports).
    /// </summary>
    public unsafe interface IIpProtocolHandler
    {
        byte Protocol { get; }

        void Receive(Ipv4Address source, Ipv4Address destination, byte* payload, int length);

        void ReceiveError(IcmpErrorKind kind, Ipv4Address quotedSource, Ipv4Address quotedDestination, byte* quotedPayload, int length);
    }
}
