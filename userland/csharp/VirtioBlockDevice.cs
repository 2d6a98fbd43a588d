using System.Threading;
using Exo.Abi;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Drivers.Virtio
{
    /// <summary>
    /// A virtio-blk device driven from ring 3: feature negotiation (VIRTIO_F_VERSION_1 required; read-only and
    /// flush taken when offered), one split virtqueue with its MSI-X entry bound to a notification through the
    /// kernel, up to <see cref="MaximumInFlight"/> requests in flight, each a chain of header, data and status
    /// in DMA memory (5.2.6). Read, write, flush and capacity; a read-only device's writes are refused here,
    /// before the device sees them; each request's status comes back on its own.
    /// </summary>
    public unsafe struct VirtioBlockDevice
    {
        public const int SectorSize = 512;
        /// <summary>
        /// Requests in flight at once: at four of 4 KiB, a 1 MiB read waited for the device 64 times in turn; at eight of
        /// 256 KiB (a block channel request's most, its data in DMA memory), once.
        /// </summary>
        public const int MaximumInFlight = 8;
        /// <summary>The largest transfer of one request through its slot's data buffer.</summary>
        public const int MaximumSectors = 128;
        /// <summary>The largest transfer of one request with its data elsewhere (SubmitAt: DMA memory the caller was
        /// given, one physically contiguous run, one descriptor): 1 MiB.</summary>
        public const int MaximumDirectSectors = 2048;
        public const ulong FeatureReadOnly = 1UL << 5;
        public const ulong FeatureFlush = 1UL << 9;
        public const uint RequestRead = 0, RequestWrite = 1, RequestFlush = 4;
        public const byte StatusOk = 0, StatusInputOutputError = 1, StatusUnsupported = 2;
        /// <summary>The queue's size: three descriptors (header, data, status) for each request in flight, and room to spare.</summary>
        public const ushort QueueSizeLimit = 32;
        private const int SlotBytes = DataOffset + MaximumSectors * SectorSize;   // header at 0, status at 64, data from 4096
        private const int StatusOffset = 64;
        private const int DataOffset = 4096;

        private VirtioPciTransport _transport;
        private SplitVirtqueue _queue;
        private ushort* _notify;
        private Notification _interrupts;
        private byte* _slots;
        private ulong _slotsPhysical;
        private fixed int _headOfSlot[MaximumInFlight];
        private fixed bool _done[MaximumInFlight];

        public ulong Features;
        public ulong Capacity;
        public int InterruptWakeUps;

        public bool IsReadOnly => (Features & FeatureReadOnly) != 0;

        /// <summary>The DMA memory Start needs: the queue's rings, then the requests' slots.</summary>
        public const int RingBytes = 4096, SlotsBytes = SlotBytes * MaximumInFlight;

        /// <summary>Resets the device, negotiates, sets up queue 0 with MSI-X entry 0 in 'ring' and 'slots' (DMA
        /// memory of RingBytes and SlotsBytes) and marks the driver ready. 'mappedBars': the BARs
        /// VirtioPciTransport.RequiredBars names, mapped.</summary>
        public Error Start(PciDevice pci, byte** mappedBars, MemoryObject ring, MemoryObject slots)
        {
            Error error = VirtioPciTransport.Begin(pci, mappedBars, FeatureReadOnly | FeatureFlush, out _transport, out Features);
            if (error != Error.None)
                return error;
            byte* ringMemory = null;
            ulong ringPhysical = 0;
            error = VirtioPciTransport.MapDma(ring, out ringMemory, out ringPhysical);
            if (error == Error.None)
                error = VirtioPciTransport.MapDma(slots, out _slots, out _slotsPhysical);
            if (error == Error.None)
                error = Notification.Create(out _interrupts);
            if (error == Error.None)
                error = pci.BindInterrupt(0, _interrupts, 1);
            if (error == Error.None)
                error = _transport.StartQueue(0, QueueSizeLimit, 0, ringMemory, ringPhysical, RingBytes, out _queue, out _notify);
            if (error != Error.None)
                return _transport.Fail(error);
            _transport.DisableConfigurationInterrupt();
            _transport.MarkReady();
            byte* configuration = _transport.DeviceConfiguration;
            Capacity = Volatile.Read(ref *(uint*)configuration) | (ulong)Volatile.Read(ref *(uint*)(configuration + 4)) << 32;
            return Error.None;
        }

        /// <summary>Stops the device (a reset ends its DMA) before its memory can go.</summary>
        public void Stop() => _transport.Status = 0;

        /// <summary>Slot 'slot''s data buffer (MaximumSectors sectors).</summary>
        public byte* Data(int slot) => _slots + slot * SlotBytes + DataOffset;

        /// <summary>Queues request 'type' for 'count' sectors at 'sector' in slot 'slot' (its data buffer) without
        /// telling the device yet (Notify). ReadOnlyFileSystem: a write to a read-only device, refused here unless
        /// 'evenIfReadOnly' (to see the device refuse it too).</summary>
        public Error Submit(int slot, uint type, ulong sector, int count, bool evenIfReadOnly = false)
            => SubmitAt(slot, type, sector, count, 0, evenIfReadOnly);

        /// <summary>Submit with the data at physical address 'dataPhysical' (DMA memory the caller was given for it,
        /// count sectors long) instead of the slot's buffer; 0: the slot's buffer.</summary>
        public Error SubmitAt(int slot, uint type, ulong sector, int count, ulong dataPhysical, bool evenIfReadOnly = false)
        {
            if ((uint)slot >= MaximumInFlight || count < 0 || count > (dataPhysical != 0 ? MaximumDirectSectors : MaximumSectors)
                || (type != RequestFlush && count == 0))
                return Error.Invalid;
            if (type == RequestWrite && IsReadOnly && !evenIfReadOnly)
                return Error.ReadOnlyFileSystem;
            byte* header = _slots + slot * SlotBytes;
            ulong headerPhysical = _slotsPhysical + (ulong)(slot * SlotBytes);
            *(uint*)header = type;
            *(uint*)(header + 4) = 0;
            *(ulong*)(header + 8) = sector;
            header[StatusOffset] = 0xFF;
            ulong* addresses = stackalloc ulong[3];
            uint* lengths = stackalloc uint[3];
            bool* deviceWrites = stackalloc bool[3];
            int parts = 0;
            addresses[parts] = headerPhysical; lengths[parts] = 16; deviceWrites[parts++] = false;
            if (count > 0)
            {
                addresses[parts] = dataPhysical != 0 ? dataPhysical : headerPhysical + DataOffset; lengths[parts] = (uint)(count * SectorSize); deviceWrites[parts++] = type == RequestRead;
            }
            addresses[parts] = headerPhysical + StatusOffset; lengths[parts] = 1; deviceWrites[parts++] = true;
            int head = _queue.AddChain(addresses, lengths, deviceWrites, parts);
            if (head < 0)
                return Error.Busy;
            _headOfSlot[slot] = head;
            _done[slot] = false;
            _queue.Publish(head);
            return Error.None;
        }

        /// <summary>Tells the device queue 0 has new requests.</summary>
        public void Notify() => Volatile.Write(ref *_notify, (ushort)0);

        /// <summary>Waits (on the MSI-X notification) until slot 'slot''s request is done; its status byte.</summary>
        public byte Wait(int slot)
        {
            while (!_done[slot])
            {
                while (_queue.TryTakeUsed(out int head, out _))
                {
                    for (int i = 0; i < MaximumInFlight; i++)
                        if (_headOfSlot[i] == head && !_done[i])
                            _done[i] = true;
                    _queue.FreeChain(head);
                }
                if (!_done[slot])
                {
                    _interrupts.Wait(out _);
                    InterruptWakeUps++;
                }
            }
            return Volatile.Read(ref _slots[slot * SlotBytes + StatusOffset]);
        }

        public int FreeDescriptors => _queue.FreeCount;
    }
}
