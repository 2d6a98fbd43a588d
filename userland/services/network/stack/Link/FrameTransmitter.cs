using Exo.Abi;

namespace Exo.Network
{
    /// <summary>Frames leaving on the link: one frame buffer the Ethernet header and a payload are copied into, then handed to the driver.</summary>
    public sealed unsafe class FrameTransmitter
    {
        private readonly INetworkLink _link;
        private readonly NetworkCounters _counters;
        private readonly byte* _frame;

        public FrameTransmitter(INetworkLink link, NetworkCounters counters, ref Workspace workspace)
        {
            _link = link;
            _counters = counters;
            _frame = workspace.Take(EthernetFrame.MaximumLength);
        }

        public INetworkLink Link => _link;

        /// <summary>False while the interface is down (IFF_UP cleared): nothing is sent.</summary>
        public bool Enabled = true;

        public Error Send(MacAddress destination, ushort etherType, byte* payload, int length)
        {
            if (length < 0 || length > EthernetFrame.MaximumPayload)
                return Error.MessageTooLong;
            if (!_link.IsUp || !Enabled)
                return Error.NetworkDown;
            EthernetFrame.WriteHeader(_frame, destination, _link.Address, etherType);
            PacketBytes.Copy(payload, _frame + EthernetFrame.HeaderLength, length);
            Error error = _link.Transmit(_frame, EthernetFrame.HeaderLength + length);
            _counters.Increment(error == Error.None ? NetworkCounter.FramesSent : NetworkCounter.FramesTransmitFailed);
            if (error == Error.None)
                _counters.Add(NetworkCounter.BytesSent, EthernetFrame.HeaderLength + length);
            return error;
        }
    }
}
