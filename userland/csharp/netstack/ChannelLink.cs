using System.Threading;
using Exo.Abi;
using Exo.Network;
using Exo.Protocols.NetworkDevice;
using Exo.Std.Services;

namespace Netstack
{
    /// <summary>
    /// The stack's link over the network card's channel (libs/Exo.Protocols/NetworkDevice): a frame to send is copied
    /// into the next transmit slot in place and published with the others at the end of the service's turn
    /// (<see cref="Flush"/>); received frames are handed to the stack where they lie in the receive ring.
    /// </summary>
    internal sealed unsafe class ChannelLink : INetworkLink
    {
        /// <summary>Frames taken from the receive ring per turn before the service looks at its other work.</summary>
        public const int MaximumFramesPerTurn = 64;

        private NetworkChannel _channel;
        private readonly MacAddress _address;
        private long _transmitDropped;

        public ChannelLink(NetworkChannel channel)
        {
            _channel = channel;
            _address = MacAddress.Read((byte*)&channel.Facts->MacAddress);   // bytes in transmission order
        }

        public MacAddress Address => _address;
        public int Mtu => NetworkChannelLayout.Mtu;
        public bool IsUp => Volatile.Read(ref _channel.Facts->LinkUp) != 0 && !_channel.DriverGone;
        public bool DriverGone => _channel.DriverGone;
        public bool DriverReady => _channel.DriverReady;

        /// <summary>After DriverGone: empties and re-attaches both rings for the driver the device manager starts again
        /// (NetworkChannel.Reset); frames in flight are lost, as on a link that went down.</summary>
        public bool Reset() => _channel.Reset();
        public long TransmitDropped => _transmitDropped;

        public Error Transmit(byte* frame, int length)
        {
            if (_channel.DriverGone)
                return Error.NetworkDown;
            byte* slot = _channel.Outgoing.TryReserve();
            if (slot == null)
            {
                // The driver is behind: publish what waits so it drains, and drop this frame (TCP retransmits; a
                // datagram may be lost on any link).
                _channel.Publish();
                _transmitDropped++;
                return Error.NoBufferSpace;
            }
            PacketBytes.Copy(frame, FrameSlot.Frame(slot), length);
            if (!FrameSlot.SetLength(slot, length))
                return Error.Invalid;
            _channel.Outgoing.Commit();
            return Error.None;
        }

        /// <summary>Hands up to MaximumFramesPerTurn received frames to 'stack' as one batch of 'tcp''s (its
        /// every-second-segment ACKs go at the batch's end); true if more may wait.</summary>
        public bool Receive(NetworkStack stack, TcpStack tcp)
        {
            int taken = 0;
            tcp.BeginReceiveBatch();
            while (taken < MaximumFramesPerTurn)
            {
                byte* slot = _channel.Incoming.TryPeek();
                if (slot == null)
                    break;
                int length = FrameSlot.Length(slot);
                if (length > 0)
                    stack.ReceiveFrame(FrameSlot.Frame(slot), length);
                _channel.Incoming.Advance();
                taken++;
            }
            tcp.EndReceiveBatch();
            _channel.Release();
            return taken == MaximumFramesPerTurn;
        }

        /// <summary>Publishes the frames sent this turn (the driver is woken if it sleeps).</summary>
        public void Flush() => _channel.Publish();

        /// <summary>Announces the service will sleep: false if frames arrived meanwhile.</summary>
        public bool PrepareToSleep() => _channel.Incoming.PrepareToSleep();

        public void FinishSleep() => _channel.Incoming.FinishSleep();
    }
}
