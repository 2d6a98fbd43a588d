using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// What a NIC driver offers the stack: its MAC address, the MTU (the largest IP datagram a frame carries, 1500 on
    /// Ethernet), whether the link is up, and the transmission of one whole Ethernet frame (header included, no FCS).
    /// Transmit copies the frame before it returns (the stack reuses its buffer at once).
    /// </summary>
    public unsafe interface INetworkLink
    {
        MacAddress Address { get; }
        int Mtu { get; }
        bool IsUp { get; }
        Error Transmit(byte* frame, int length);
    }
}
