namespace Exo.Network
{
    /// <summary>What the ARP cache asks of the IP layer: the address it answers for, and what to do with queued datagrams.</summary>
    public unsafe interface IArpOwner
    {
        Ipv4Address LocalAddress { get; }

        /// <summary>A queued datagram whose next hop was resolved: send it to 'mac' now.</summary>
        void TransmitResolved(MacAddress mac, byte* datagram, int length);

        /// <summary>A queued datagram whose next hop never answered: tell its transport (host unreachable).</summary>
        void ResolutionFailed(byte* datagram, int length);
    }
}
