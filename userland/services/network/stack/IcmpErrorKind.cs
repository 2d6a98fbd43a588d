namespace Exo.Network
{
    /// <summary>What an ICMP error said about a datagram this host sent, as transports act on it (RFC 1122 4.2.3.9).</summary>
    public enum IcmpErrorKind
    {
        /// <summary>Destination unreachable, port (code 3): a UDP socket gets ECONNREFUSED.</summary>
        PortUnreachable,
        /// <summary>Protocol unreachable (code 2): a hard error for TCP.</summary>
        ProtocolUnreachable,
        /// <summary>Network or host unreachable and the other soft codes: reported, not fatal to a TCP connection.</summary>
        HostUnreachable,
        /// <summary>Fragmentation needed and DF set (code 4): the path MTU is smaller.</summary>
        FragmentationNeeded,
        /// <summary>Time exceeded in transit or reassembly.</summary>
        TimeExceeded,
        /// <summary>Parameter problem.</summary>
        ParameterProblem,
    }
}
