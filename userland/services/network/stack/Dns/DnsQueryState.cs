namespace Exo.Network
{
    /// <summary>Where one of the resolver's queries stands.</summary>
    public enum DnsQueryState : byte
    {
        Free,
        Pending,
        Resolved,
        Failed,
    }
}
