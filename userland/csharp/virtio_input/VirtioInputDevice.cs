using System.Threading;
using Exo.Abi;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Drivers.Virtio
{
    /// <summary>
    /// A virtio-input device driven from ring 3 (virtio 1.2, 5.8): VERSION_1 only; queue 0 (eventq) kept full of 8-byte
    /// buffers the device fills with one struct virtio_input_event each (le16 type, le16 code, le32 value), descriptor d
    /// owning buffer d for good. The status queue (LEDs) is not set up. MSI-X entry 0 signals the caller's notification.
    /// </summary>
    public unsafe struct VirtioInputDevice
    {
        public const ushort QueueSizeLimit = 64;
        public const int EventBytes = 8;
        /// <summary>The DMA memory Start needs: a page for the ring, then the event buffers.</summary>
        public const int DmaBytes = 8192;
        public const ulong InterruptBit = 1;
        private const int RingBytes = 4096;
        private const ushort EventQueue = 0, EventEntry = 0;

        private VirtioPciTransport _transport;
        private SplitVirtqueue _events;
        private ushort* _notify;
        private byte* _buffers;
        private ulong _buffersPhysical;
        private int _pending;

        public Error Start(PciDevice pci, byte** mappedBars, MemoryObject memory, Notification interrupts)
        {
            Error error = VirtioPciTransport.Begin(pci, mappedBars, 0, out _transport, out _);
            if (error != Error.None)
                return error;
            error = VirtioPciTransport.MapDma(memory, out byte* mapped, out ulong physical);
            if (error == Error.None)
                error = pci.BindInterrupt(EventEntry, interrupts, InterruptBit);
            if (error == Error.None)
                error = _transport.StartQueue(EventQueue, QueueSizeLimit, EventEntry, mapped, physical, RingBytes, out _events, out _notify);
            if (error != Error.None)
                return _transport.Fail(error);
            _buffers = mapped + RingBytes;
            _buffersPhysical = physical + RingBytes;
            while (_events.NextFree >= 0)
                Post();
            _transport.MarkReady();
            Notify();
            return Error.None;
        }

        /// <summary>The next event the device wrote; false if none. Its buffer goes back to the device at once.</summary>
        public bool TryTake(out ushort type, out ushort code, out int value)
        {
            type = code = 0;
            value = 0;
            if (!_events.TryTakeUsed(out int descriptor, out uint written))
                return false;
            if ((uint)descriptor < _events.Size && written >= EventBytes)
            {
                byte* record = _buffers + descriptor * EventBytes;
                type = *(ushort*)record;
                code = *(ushort*)(record + 2);
                value = *(int*)(record + 4);
            }
            if (_events.FreeChain(descriptor))
                Post();
            return true;
        }

        /// <summary>Tells the device about the buffers given back since the last call.</summary>
        public void Notify()
        {
            if (_pending == 0)
                return;
            _pending = 0;
            Volatile.Write(ref *_notify, EventQueue);
        }

        private void Post()
        {
            int descriptor = _events.NextFree;
            if (_events.PostBuffer(_buffersPhysical + (ulong)(descriptor * EventBytes), EventBytes, true))
                _pending++;
        }
    }
}
