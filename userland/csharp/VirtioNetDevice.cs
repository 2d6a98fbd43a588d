using System.Threading;
using Exo.Abi;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Drivers.Virtio
{
    /// <summary>
    /// A virtio-net device driven from ring 3 (virtio 1.0, 5.1): VERSION_1 required, MAC and STATUS taken when offered;
    /// no checksum or segmentation offload and no mergeable receive buffers are negotiated, so every frame travels whole
    /// in one buffer behind the 12-byte virtio_net_hdr (flags, gso_type, hdr_len, gso_size, csum_start, csum_offset,
    /// num_buffers), all zero on transmit. Queue 0 receives, queue 1 transmits; each descriptor owns one
    /// <see cref="BufferSize"/> buffer of DMA memory for good (descriptor d, buffer d), so buffers are recycled with
    /// their descriptors and nothing is allocated per frame. The receive queue is kept full; transmitted buffers are
    /// reclaimed from the used ring. MSI-X: entry 0 receive, 1 transmit, 2 configuration changes (link status), each a bit
    /// of the caller's notification.
    /// </summary>
    public unsafe struct VirtioNetDevice
    {
        public const ulong FeatureMac = 1UL << 5;
        public const ulong FeatureMergeableBuffers = 1UL << 15;
        public const ulong FeatureStatus = 1UL << 16;
        public const int HeaderLength = 12;
        /// <summary>A buffer: the header and the largest Ethernet frame without offloads (1514 bytes) with room to spare.</summary>
        public const int BufferSize = 2048;
        public const ushort QueueSizeLimit = 128;
        public const ushort ReceiveQueue = 0, TransmitQueue = 1;
        public const ushort ReceiveEntry = 0, TransmitEntry = 1, ConfigurationEntry = 2;
        public const ulong ReceiveInterruptBit = 1UL << 8, TransmitInterruptBit = 1UL << 9, ConfigurationInterruptBit = 1UL << 10;
        /// <summary>The DMA memory Start needs: a page of rings per queue, then the receive buffers and the transmit buffers.</summary>
        public const int RingBytes = 8192, BuffersBytes = 2 * QueueSizeLimit * BufferSize;
        private const int QueueRingBytes = RingBytes / 2;
        private const int TransmitBuffersOffset = QueueSizeLimit * BufferSize;
        private const ushort LinkUpStatus = 1;
        private const int ConfigurationMac = 0, ConfigurationStatus = 6;

        private VirtioPciTransport _transport;
        private SplitVirtqueue _receive, _transmit;
        private ushort* _receiveNotify;
        private ushort* _transmitNotify;
        private byte* _buffers;
        private ulong _buffersPhysical;
        private int _receivePending;

        public ulong Features;
        /// <summary>The MAC address in bytes 0-5 (transmission order).</summary>
        public ulong MacAddress;

        /// <summary>Resets the device, negotiates, sets up both queues in 'rings' and 'buffers' (DMA memory of RingBytes and
        /// BuffersBytes), binds the three MSI-X entries to 'interrupts', fills the receive queue and marks the driver ready.</summary>
        public Error Start(PciDevice pci, byte** mappedBars, MemoryObject rings, MemoryObject buffers, Notification interrupts)
        {
            Error error = VirtioPciTransport.Begin(pci, mappedBars, FeatureMac | FeatureStatus, out _transport, out Features);
            if (error != Error.None)
                return error;
            byte* ringMemory = null;
            ulong ringPhysical = 0;
            error = VirtioPciTransport.MapDma(rings, out ringMemory, out ringPhysical);
            if (error == Error.None)
                error = VirtioPciTransport.MapDma(buffers, out _buffers, out _buffersPhysical);
            if (error == Error.None)
                error = pci.BindInterrupt(ReceiveEntry, interrupts, ReceiveInterruptBit);
            if (error == Error.None)
                error = pci.BindInterrupt(TransmitEntry, interrupts, TransmitInterruptBit);
            if (error == Error.None && (Features & FeatureStatus) != 0)
                error = pci.BindInterrupt(ConfigurationEntry, interrupts, ConfigurationInterruptBit);
            if (error == Error.None)
                error = _transport.StartQueue(ReceiveQueue, QueueSizeLimit, ReceiveEntry, ringMemory, ringPhysical, QueueRingBytes, out _receive, out _receiveNotify);
            if (error == Error.None)
                error = _transport.StartQueue(TransmitQueue, QueueSizeLimit, TransmitEntry, ringMemory + QueueRingBytes, ringPhysical + QueueRingBytes, QueueRingBytes, out _transmit, out _transmitNotify);
            if (error == Error.None && (Features & FeatureStatus) != 0 && !_transport.SetConfigurationInterrupt(ConfigurationEntry))
                error = Error.NoDevice;
            if (error != Error.None)
                return _transport.Fail(error);
            byte* configuration = _transport.DeviceConfiguration;
            MacAddress = 0;
            if ((Features & FeatureMac) != 0)
                for (int i = 0; i < 6; i++)
                    MacAddress |= (ulong)Volatile.Read(ref configuration[ConfigurationMac + i]) << (8 * i);
            while (_receive.NextFree >= 0)
                PostReceiveBuffer();
            _transport.MarkReady();
            NotifyReceive();
            return Error.None;
        }

        /// <summary>Stops the device (a reset ends its DMA) before its memory can go.</summary>
        public void Stop() => _transport.Status = 0;

        /// <summary>The link's state from the configuration's status field (up when the device does not report it).</summary>
        public bool LinkUp => (Features & FeatureStatus) == 0
            || (Volatile.Read(ref *(ushort*)(_transport.DeviceConfiguration + ConfigurationStatus)) & LinkUpStatus) != 0;

        /// <summary>The next frame the device received, in its buffer (valid until RecycleReceive); false if none.
        /// 'length' is -1 for a buffer too short to hold the header.</summary>
        public bool TryReceive(out byte* frame, out int length, out int descriptor)
        {
            frame = null;
            length = -1;
            if (!_receive.TryTakeUsed(out descriptor, out uint written))
                return false;
            if ((uint)descriptor < _receive.Size)
            {
                frame = _buffers + descriptor * BufferSize + HeaderLength;
                if (written >= HeaderLength && written <= BufferSize)
                    length = (int)written - HeaderLength;
            }
            return true;
        }

        /// <summary>Gives a received frame's buffer back to the device (told at the next NotifyReceive).</summary>
        public void RecycleReceive(int descriptor)
        {
            if (_receive.FreeChain(descriptor))
                PostReceiveBuffer();
        }

        /// <summary>Tells the device about the receive buffers given back since the last call.</summary>
        public void NotifyReceive()
        {
            if (_receivePending == 0)
                return;
            _receivePending = 0;
            Volatile.Write(ref *_receiveNotify, ReceiveQueue);
        }

        /// <summary>Takes back the buffers of frames the device has sent; how many.</summary>
        public int ReclaimTransmitted()
        {
            int count = 0;
            while (_transmit.TryTakeUsed(out int descriptor, out _))
                if (_transmit.FreeChain(descriptor))
                    count++;
            return count;
        }

        /// <summary>Where the next frame to send goes (up to 1514 bytes), or null while every transmit buffer is in flight.</summary>
        public byte* TransmitBuffer()
        {
            int descriptor = _transmit.NextFree;
            return descriptor < 0 ? null : _buffers + TransmitBuffersOffset + descriptor * BufferSize + HeaderLength;
        }

        /// <summary>Queues the frame of 'length' bytes written at TransmitBuffer (told at the next NotifyTransmit).</summary>
        public bool Transmit(int length)
        {
            int descriptor = _transmit.NextFree;
            if (descriptor < 0 || length <= 0 || length > BufferSize - HeaderLength)
                return false;
            int offset = TransmitBuffersOffset + descriptor * BufferSize;
            *(ulong*)(_buffers + offset) = 0;      // virtio_net_hdr: no offload asked (flags, gso_type NONE, ...)
            *(uint*)(_buffers + offset + 8) = 0;   // csum_offset, num_buffers
            ulong address = _buffersPhysical + (ulong)offset;
            uint total = (uint)(HeaderLength + length);
            bool deviceWrites = false;
            int head = _transmit.AddChain(&address, &total, &deviceWrites, 1);
            if (head < 0)
                return false;
            _transmit.Publish(head);
            return true;
        }

        public void NotifyTransmit() => Volatile.Write(ref *_transmitNotify, TransmitQueue);

        private void PostReceiveBuffer()
        {
            int descriptor = _receive.NextFree;
            if (_receive.PostBuffer(_buffersPhysical + (ulong)(descriptor * BufferSize), BufferSize, true))
                _receivePending++;
        }
    }
}
