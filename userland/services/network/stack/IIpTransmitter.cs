using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// What a transport (ICMP, UDP, TCP) asks of the IP layer: send one transport payload to 'destination'. The IP
    /// layer chooses the route and the source address when 'source' is Any, builds the IPv4 header, resolves the next
    /// hop's MAC address (queuing a few datagrams while ARP answers) and fragments past the link's MTU. Errors are
    /// Linux's: NetworkUnreachable (no route), MessageTooLong, NoBufferSpace (ARP's wait queue full), NetworkDown. A
    /// queued datagram whose next hop never answers ARP is reported later, as the transport's
    /// IIpProtocolHandler.ReceiveError(HostUnreachable) quoting the datagram's payload. Datagrams to this host (127/8,
    /// its own address) are received on the stack's next Poll, never inside Send.
    /// </summary>
    public unsafe interface IIpTransmitter
    {
        Error Send(byte protocol, Ipv4Address source, Ipv4Address destination, byte* payload, int length);

        /// <summary>The source address the IP layer would use toward 'destination' (Any when there is no route).</summary>
        Ipv4Address SourceFor(Ipv4Address destination);

        /// <summary>The largest transport payload that leaves without fragmentation toward 'destination' (MTU - 20).</summary>
        int MaximumPayload(Ipv4Address destination);
        /// <summary>Whether datagrams to 'destination' stay in this host (127/8, its own address): a transport may leave
        /// their checksum out, as Linux does over loopback (nothing between sender and receiver can corrupt them).</summary>
        bool IsLocal(Ipv4Address destination);
        /// <summary>Whether the datagram being delivered now came from this host (the loopback queue): its transport
        /// checksum may have been left out (see IsLocal). Nothing from a link ever claims this.</summary>
        bool ReceivingLocal { get; }
    }
}
