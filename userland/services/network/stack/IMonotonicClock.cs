namespace Exo.Network
{
    /// <summary>
    /// The stack's time: milliseconds since an arbitrary start, never going back. Every timer (ARP entries,
    /// reassembly, retransmission, delayed ACK, keepalive, TIME_WAIT, DHCP leases) is a deadline on this clock,
    /// checked when the service calls the stack's timer entry; host tests drive a manual clock.
    /// </summary>
    public interface IMonotonicClock
    {
        long NowMilliseconds { get; }
    }
}
