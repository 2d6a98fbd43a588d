using Exo.Abi;
using Exo.Drivers.Virtio;
using Exo.Protocols.BlockDevice;
using Exo.Std.Services;

namespace VirtioBlock
{
    /// <summary>
    /// Serves the block-device protocol over up to BlockChannelLayout.MaximumChannels <see cref="BlockChannel"/>s (the
    /// file system service's, and the kernel's for its O_DIRECT reads), waiting for all of them on one notification (each
    /// channel's requests signal their own bit): takes up to BlockChannelLayout.MaximumInFlight requests of one channel
    /// at a time, keeps up to VirtioBlockDevice.MaximumInFlight device requests in flight on the virtqueue and answers
    /// them on that channel before it looks at the next. When a channel's memory is DMA memory (the device manager makes
    /// it so: physically contiguous, given for this purpose), the device reads and writes its data area itself, a request
    /// in one device request; otherwise the server splits transfers into the device's slots
    /// (VirtioBlockDevice.MaximumSectors each) and copies between the data area and them. Either way the device reaches only memory given to the driver for DMA, and a
    /// request's buffer is checked to lie inside the data area (BlockRequest.Decode).
    /// Each request completes with its own status. A flush waits for the transfers before it (virtio does not order
    /// requests in flight), and so does every request after it.
    /// </summary>
    public unsafe struct BlockServer
    {
        private const int Batch = BlockChannelLayout.MaximumInFlight;

        private VirtioBlockDevice* _disk;
        private BlockChannel* _channels;
        private ulong* _physicals;   // each channel memory's physical address when the device may reach it; 0: copy through the slots
        private int _channelCount, _current;
        // Per device slot in flight: which request of the batch, where in the data area, read or write.
        private fixed int _slotRequest[VirtioBlockDevice.MaximumInFlight];
        private fixed uint _slotOffset[VirtioBlockDevice.MaximumInFlight];
        private fixed int _slotSectors[VirtioBlockDevice.MaximumInFlight];
        private fixed bool _slotRead[VirtioBlockDevice.MaximumInFlight];
        private int _used;

        /// <summary>'physicals': each channel memory's physical address if it is DMA memory, else 0.</summary>
        public BlockServer(VirtioBlockDevice* disk, BlockChannel* channels, ulong* physicals, int channelCount)
        {
            _disk = disk;
            _channels = channels;
            _physicals = physicals;
            _channelCount = channelCount;
            _current = 0;
            _used = 0;
        }

        // The data area of the channel being served, and its physical address (0: not DMA memory).
        private byte* Data => _channels[_current].Data;
        private ulong DataPhysical => _physicals[_current] != 0 ? _physicals[_current] + BlockChannelLayout.DataOffset : 0;

        /// <summary>Serves for ever; returns only if the channels' notifications fail.</summary>
        public void Run()
        {
            byte* messages = stackalloc byte[Batch * BlockRequest.Length];
            BlockRequest* requests = stackalloc BlockRequest[Batch];
            BlockCompletion* completions = stackalloc BlockCompletion[Batch];
            while (true)
            {
                bool served = false;
                for (_current = 0; _current < _channelCount; _current++)
                {
                    BlockChannel* channel = _channels + _current;
                    int count = channel->Incoming.ReadBatch(messages, Batch);
                    if (channel->Incoming.Release() && !channel->Peer.Ring())
                        return;
                    if (count == 0)
                        continue;
                    served = true;
                    Serve(messages, requests, completions, count);
                    for (int i = 0; i < count; i++)
                        if (!channel->Send(completions + i))
                            return;
                    if (!channel->Publish())
                        return;
                }
                if (!served && !Sleep())
                    return;
            }
        }

        // Every channel empty: announces sleep on each ring (SpscConsumer's pattern, which a producer's publish cannot
        // slip past), and waits on the notification they share unless a request came meanwhile. False if it failed.
        private bool Sleep()
        {
            int announced = 0;
            while (announced < _channelCount && _channels[announced].Incoming.PrepareToSleep())
                announced++;
            bool woke = announced < _channelCount || _channels[0].Own.Wait();
            for (int i = 0; i < announced; i++)
                _channels[i].Incoming.FinishSleep();
            return woke;
        }

        private void Serve(byte* messages, BlockRequest* requests, BlockCompletion* completions, int count)
        {
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
            uint most = (uint)(DataPhysical != 0 ? VirtioBlockDevice.MaximumDirectSectors : VirtioBlockDevice.MaximumSectors);
            for (uint done = 0; done < request.SectorCount; done += most)
            {
                if (_used == VirtioBlockDevice.MaximumInFlight)
                    Drain(completions);
                uint left = request.SectorCount - done;
                int sectors = left < most ? (int)left : (int)most;
                int slot = _used;
                uint offset = request.BufferOffset + done * BlockChannelLayout.SectorSize;
                if (!read && DataPhysical == 0)
                    Copy(Data + offset, _disk->Data(slot), sectors * BlockChannelLayout.SectorSize);
                if (_disk->SubmitAt(slot, read ? VirtioBlockDevice.RequestRead : VirtioBlockDevice.RequestWrite, request.Sector + done, sectors,
                        DataPhysical != 0 ? DataPhysical + offset : 0) != Error.None)
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
                else if (_slotRead[slot] && DataPhysical == 0)
                    Copy(_disk->Data(slot), Data + _slotOffset[slot], _slotSectors[slot] * BlockChannelLayout.SectorSize);
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
