namespace Exo.Network
{
    /// <summary>The DHCP client's states (RFC 2131 4.4, figure 5; INIT is Selecting's first transmission).</summary>
    public enum DhcpState : byte
    {
        Stopped,
        Selecting,
        Requesting,
        Bound,
        Renewing,
        Rebinding,
    }
}
