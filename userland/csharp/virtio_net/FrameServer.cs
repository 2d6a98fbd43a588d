using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Drivers.Virtio;
using Exo.Protocols.NetworkDevice;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace VirtioNet
{
    /// <summary>
    /// Serves the network-device protocol to one client over a <see cref="NetworkChannel"/>: frames the device received
    /// are copied from their DMA buffers into the channel's receive ring (dropped and counted when the client has let it
    /// fill) and the buffers go straight back to the device; frames the client put in the transmit ring are copied into
    /// free transmit buffers and sent, and the buffers come back with the device's completions. One notification wakes
    /// the driver for everything: the client's doorbell and the three MSI-X entries. It sleeps only when the device has
    /// nothing for it and the transmit ring is empty (announced on the ring, so the client rings), or when every
    /// transmit buffer is in flight (a completion will wake it).
    /// </summary>
    public unsafe struct FrameServer
    {
        private VirtioNetDevice* _device;
        private NetworkChannel _channel;
        private byte* _name;
        private int _nameLength;

        public FrameServer(VirtioNetDevice* device, NetworkChannel channel, byte* name, int nameLength)
        {
            _device = device;
            _channel = channel;
            _name = name;
            _nameLength = nameLength;
        }

        /// <summary>Serves for ever; returns only if a notification fails.</summary>
        public void Run()
        {
            NetworkDeviceFacts* facts = _channel.Facts;
            while (true)
            {
                int received = Receive(facts);
                if (received > 0 && !_channel.Publish())
                    return;
                _device->ReclaimTransmitted();
                int sent = Transmit(facts);
                if (sent > 0 && !_channel.Release())
                    return;
                if (received > 0 || sent > 0)
                    continue;
                bool buffersFree = _device->TransmitBuffer() != null;
                if (buffersFree && !_channel.Incoming.PrepareToSleep())
                    continue;   // a frame to send arrived meanwhile
                Error error = _channel.Own.Notification.Wait(out ulong bits);
                if (buffersFree)
                    _channel.Incoming.FinishSleep();
                if (error != Error.None)
                    return;
                Volatile.Write(ref facts->WakeUps, facts->WakeUps + 1);
                if ((bits & VirtioNetDevice.ConfigurationInterruptBit) != 0)
                    UpdateLink(facts);
            }
        }

        private int Receive(NetworkDeviceFacts* facts)
        {
            int count = 0;
            while (_device->TryReceive(out byte* frame, out int length, out int descriptor))
            {
                count++;
                byte* slot = null;
                if (length < NetworkChannelLayout.MinimumFrameLength || length > NetworkChannelLayout.MaximumFrameLength)
                    Volatile.Write(ref facts->ReceiveErrors, facts->ReceiveErrors + 1);
                else if ((slot = _channel.Outgoing.TryReserve()) != null)
                {
                    System.Buffer.MemoryCopy(frame, FrameSlot.Frame(slot), length, length);
                    FrameSlot.SetLength(slot, length);
                    _channel.Outgoing.Commit();
                    Volatile.Write(ref facts->ReceivedFrames, facts->ReceivedFrames + 1);
                    Volatile.Write(ref facts->ReceivedBytes, facts->ReceivedBytes + (ulong)length);
                }
                else
                    Volatile.Write(ref facts->ReceiveDropped, facts->ReceiveDropped + 1);
                _device->RecycleReceive(descriptor);
            }
            _device->NotifyReceive();
            return count;
        }

        private int Transmit(NetworkDeviceFacts* facts)
        {
            int count = 0;
            byte* buffer, slot;
            while ((buffer = _device->TransmitBuffer()) != null && (slot = _channel.Incoming.TryPeek()) != null)
            {
                int length = FrameSlot.Length(slot);
                if (length < 0)
                    Volatile.Write(ref facts->TransmitErrors, facts->TransmitErrors + 1);
                else
                {
                    System.Buffer.MemoryCopy(FrameSlot.Frame(slot), buffer, length, length);
                    _device->Transmit(length);
                    Volatile.Write(ref facts->TransmittedFrames, facts->TransmittedFrames + 1);
                    Volatile.Write(ref facts->TransmittedBytes, facts->TransmittedBytes + (ulong)length);
                }
                _channel.Incoming.Advance();
                count++;
            }
            if (count > 0)
                _device->NotifyTransmit();
            return count;
        }

        private void UpdateLink(NetworkDeviceFacts* facts)
        {
            uint up = _device->LinkUp ? 1u : 0u;
            if (Volatile.Read(ref facts->LinkUp) == up)
                return;
            Volatile.Write(ref facts->LinkUp, up);
            Volatile.Write(ref facts->LinkChanges, facts->LinkChanges + 1);
            _channel.Peer.Ring();   // a client asleep sees the change now, not at its next frame
            Console.Write("virtio_net: ");
            Console.WriteBytes(_name, _nameLength);
            Console.WriteLine(up != 0 ? " link up" : " link down");
        }
    }
}
