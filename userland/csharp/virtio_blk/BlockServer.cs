using Exo.Abi;
using Exo.Drivers.Virtio;
using Exo.Protocols.BlockDevice;
using Exo.Std.Services;

namespace VirtioBlock
{
    /// <summary>
    /// Serves the block-device protocol to one client over a <see cref="BlockChannel"/>: takes up to
    /// BlockChannelLayout.MaximumInFlight requests at a time and keeps up to VirtioBlockDevice.MaximumInFlight device
    /// requests in flight on the virtqueue. When the channel's memory is DMA memory (the device manager makes it so:
    /// physically contiguous, given for this purpose), the device reads and writes the data area itself, a request in
    /// one device request; otherwise the server splits transfers into the device's slots
    /// (VirtioBlockDevice.MaximumSectors each) and copies between the data area and them. Either way the device reaches only memory given to the driver for DMA, and a
    /// request's buffer is checked to lie inside the data area (BlockRequest.Decode).
    /// Each request completes with its own status. A flush waits for the transfers before it (virtio does not order
    /// requests in flight), and so does every request after it.
    /// </summary>
    public unsafe struct BlockServer
    {
        private const int Batch = BlockChannelLayout.MaximumInFlight;

        private VirtioBlockDevice* _disk;
        private BlockChannel _channel;
        private ulong _dataPhysical;   // the data area's physical address when the device may reach it; 0: copy through the slots
        // Per device slot in flight: which request of the batch, where in the data area, read or write.
        private fixed int _slotRequest[VirtioBlockDevice.MaximumInFlight];
        private fixed uint _slotOffset[VirtioBlockDevice.MaximumInFlight];
        private fixed int _slotSectors[VirtioBlockDevice.MaximumInFlight];
        private fixed bool _slotRead[VirtioBlockDevice.MaximumInFlight];
        private int _used;

        /// <summary>'channelPhysical': the channel memory's physical address if it is DMA memory, else 0.</summary>
        public BlockServer(VirtioBlockDevice* disk, BlockChannel channel, ulong channelPhysical)
        {
            _disk = disk;
            _channel = channel;
            _used = 0;
            _dataPhysical = channelPhysical != 0 ? channelPhysical + BlockChannelLayout.DataOffset : 0;
        }

        /// <summary>Serves for ever; returns only if the channel's notifications fail.</summary>
        public void Run()
        {
            byte* messages = stackalloc byte[Batch * BlockRequest.Length];
            BlockRequest* requests = stackalloc BlockRequest[Batch];
            BlockCompletion* completions = stackalloc BlockCompletion[Batch];
            while (true)
            {
                int count = _channel.Receive(messages, Batch);
                if (count < 0)
                    return;
                for (int i = 0; i < count; i++)
                {
                    BlockMessageProblem problem = BlockRequest.Decode(messages + i * BlockRequest.Length, out requests[i]);
                    completions[i] = new BlockCompletion
                    {
                        Tag = problem == BlockMessageProblem.BadMagic ? 0 : *(uint*)(messages + i * BlockRequest.Length + 8),
                        Flags = _disk->IsReadOnly ? BlockCompletion.FlagReadOnly : (ushort)0,
                        Status = problem == BlockMessageProblem.None ? (ushort)0 : (ushort)Error.Invalid,
                    };
                    if (problem == BlockMessageProblem.None)
                        Start(requests, completions, i);
                }
                Drain(completions);
                for (int i = 0; i < count; i++)
                    if (!_channel.Send(completions + i))
                        return;
                if (!_channel.Publish())
                    return;
            }
        }

        private void Start(BlockRequest* requests, BlockCompletion* completions, int index)
        {
            BlockRequest request = requests[index];
            BlockCompletion* completion = completions + index;
            switch (request.Operation)
            {
                case BlockOperation.Capacity:
                    completion->Value = _disk->Capacity;
                    return;
                case BlockOperation.Flush:
                    Drain(completions);
                    if ((_disk->Features & VirtioBlockDevice.FeatureFlush) == 0)
                        return;   // without the flush feature the device writes through
                    if (_disk->Submit(0, VirtioBlockDevice.RequestFlush, 0, 0) != Error.None)
                    {
                        completion->Status = (ushort)Error.InputOutput;
                        return;
                    }
                    _disk->Notify();
                    if (_disk->Wait(0) != VirtioBlockDevice.StatusOk)
                        completion->Status = (ushort)Error.InputOutput;
                    return;
            }
            bool read = request.Operation == BlockOperation.Read;
            if (!read && _disk->IsReadOnly)
            {
                completion->Status = (ushort)Error.ReadOnlyFileSystem;
                return;
            }
            if (request.Sector > _disk->Capacity || request.SectorCount > _disk->Capacity - request.Sector)
            {
                completion->Status = (ushort)Error.InputOutput;
                return;
            }
            completion->Value = request.SectorCount;
            // With the data area in DMA memory a request is one device request; else it goes in slot-sized pieces.
            uint most = (uint)(_dataPhysical != 0 ? VirtioBlockDevice.MaximumDirectSectors : VirtioBlockDevice.MaximumSectors);
            for (uint done = 0; done < request.SectorCount; done += most)
            {
                if (_used == VirtioBlockDevice.MaximumInFlight)
                    Drain(completions);
                uint left = request.SectorCount - done;
                int sectors = left < most ? (int)left : (int)most;
                int slot = _used;
                uint offset = request.BufferOffset + done * BlockChannelLayout.SectorSize;
                if (!read && _dataPhysical == 0)
                    Copy(_channel.Data + offset, _disk->Data(slot), sectors * BlockChannelLayout.SectorSize);
                if (_disk->SubmitAt(slot, read ? VirtioBlockDevice.RequestRead : VirtioBlockDevice.RequestWrite, request.Sector + done, sectors,
                        _dataPhysical != 0 ? _dataPhysical + offset : 0) != Error.None)
                {
                    Fail(completion);
                    return;
                }
                _slotRequest[slot] = index;
                _slotOffset[slot] = offset;
                _slotSectors[slot] = sectors;
                _slotRead[slot] = read;
                _used++;
            }
        }

        /// <summary>Tells the device about the slots queued, waits for each and copies what was read to the data area
        /// (unless the device wrote it there).</summary>
        private void Drain(BlockCompletion* completions)
        {
            if (_used == 0)
                return;
            _disk->Notify();
            for (int slot = 0; slot < _used; slot++)
            {
                BlockCompletion* completion = completions + _slotRequest[slot];
                if (_disk->Wait(slot) != VirtioBlockDevice.StatusOk)
                    Fail(completion);
                else if (_slotRead[slot] && _dataPhysical == 0)
                    Copy(_disk->Data(slot), _channel.Data + _slotOffset[slot], _slotSectors[slot] * BlockChannelLayout.SectorSize);
            }
            _used = 0;
        }

        private static void Fail(BlockCompletion* completion)
        {
            completion->Status = (ushort)Error.InputOutput;
            completion->Value = 0;
        }

        private static void Copy(byte* from, byte* to, int bytes) => System.Buffer.MemoryCopy(from, to, bytes, bytes);
    }
}
