using System.Threading;
using Exo.Abi;
using Exo.Std.Devices;
using Exo.Std.Handles;

namespace Exo.Drivers.Virtio
{
    /// <summary>
    /// virtio 1.0's modern PCI transport from ring 3: the vendor capabilities (cfg_type 1 common, 2 notify,
    /// 3 ISR, 4 device) name a BAR, an offset and a length each; whoever starts the driver maps those BARs
    /// through physical ranges (never the MSI-X table's: the kernel refuses it), and the driver finds the
    /// structures there. The common configuration's layout is the specification's (4.1.4.3).
    /// </summary>
    public unsafe struct VirtioPciTransport
    {
        public const int Common = 1, Notify = 2, Isr = 3, DeviceSpecific = 4;
        public const byte StatusAcknowledge = 1, StatusDriver = 2, StatusDriverOk = 4, StatusFeaturesOk = 8, StatusFailed = 128;
        public const ushort NoVector = 0xFFFF;
        public const ulong FeatureVersion1 = 1UL << 32;
        private const uint CommandMemory = 1u << 1, CommandBusMaster = 1u << 2;

        // Common configuration offsets.
        private const int DeviceFeatureSelect = 0x00, DeviceFeature = 0x04, DriverFeatureSelect = 0x08, DriverFeature = 0x0C;
        private const int MsixConfig = 0x10, DeviceStatus = 0x14, QueueSelect = 0x16, QueueSize = 0x18, QueueMsixVector = 0x1A;
        private const int QueueEnable = 0x1C, QueueNotifyOff = 0x1E, QueueDescriptors = 0x20, QueueDriver = 0x28, QueueDevice = 0x30;

        public byte* CommonConfiguration;
        public byte* NotifyBase;
        public uint NotifyMultiplier;
        public byte* DeviceConfiguration;

        /// <summary>The BARs (bit per index) the four structures are in: what the caller must map for Open.</summary>
        public static int RequiredBars(PciDevice pci)
        {
            int bars = 0;
            var walk = new CapabilityWalk(pci);
            while (walk.MoveNext(out int type, out int bar, out _, out _))
                bars |= 1 << bar;
            return bars;
        }

        /// <summary>Finds the four structures in 'mappedBars' (six pointers, null where not mapped); NoDevice if one
        /// is missing or in a BAR not mapped.</summary>
        public static Error Open(PciDevice pci, byte** mappedBars, out VirtioPciTransport transport)
        {
            transport = default;
            var walk = new CapabilityWalk(pci);
            while (walk.MoveNext(out int type, out int bar, out uint offset, out int at))
            {
                if (mappedBars[bar] == null)
                    return Error.NoDevice;
                byte* structure = mappedBars[bar] + offset;
                if (type == Common) transport.CommonConfiguration = structure;
                else if (type == Notify)
                {
                    transport.NotifyBase = structure;
                    pci.Read(at + 16, 4, out transport.NotifyMultiplier);
                }
                else if (type == DeviceSpecific) transport.DeviceConfiguration = structure;
            }
            return transport.CommonConfiguration != null && transport.NotifyBase != null && transport.DeviceConfiguration != null ? Error.None : Error.NoDevice;
        }

        /// <summary>A memory BAR's physical address and size (for the physical range that maps it).</summary>
        public static Error BarRange(PciDevice pci, int bar, out ulong address, out ulong size)
        {
            size = 0;
            pci.Read(0x10 + 4 * bar, 4, out uint low);
            address = low & ~0xFu;
            if ((low & 1) != 0)
                return Error.NotSupported;   // an I/O BAR: the modern transport's structures are in memory
            if (((low >> 1) & 3) == 2)
            {
                pci.Read(0x14 + 4 * bar, 4, out uint high);
                address |= (ulong)high << 32;
            }
            Error error = pci.BarSize(bar, out size);
            if (size < 4096)
                size = 4096;
            return error;
        }

        /// <summary>The virtio vendor capabilities (id 9) with a known type (1-4) and BAR (0-5).</summary>
        private struct CapabilityWalk
        {
            private readonly PciDevice _pci;
            private uint _next;
            private int _steps;

            public CapabilityWalk(PciDevice pci)
            {
                _pci = pci;
                _steps = 0;
                pci.Read(0x34, 1, out _next);
            }

            public bool MoveNext(out int type, out int bar, out uint offset, out int at)
            {
                while (_next >= 0x40 && _steps++ < 48)
                {
                    at = (int)_next;
                    _pci.Read(at, 1, out uint id);
                    _pci.Read(at + 1, 1, out _next);
                    _next &= 0xFC;
                    _pci.Read(at + 3, 1, out uint kind);
                    _pci.Read(at + 4, 1, out uint index);
                    _pci.Read(at + 8, 4, out offset);
                    if (id != 0x09 || kind < Common || kind > DeviceSpecific || index > 5)
                        continue;
                    type = (int)kind;
                    bar = (int)index;
                    return true;
                }
                type = bar = at = 0;
                offset = 0;
                return false;
            }
        }

        public byte Status
        {
            get => Volatile.Read(ref CommonConfiguration[DeviceStatus]);
            set => Volatile.Write(ref CommonConfiguration[DeviceStatus], value);
        }

        public ulong DeviceFeatures()
        {
            Write32(DeviceFeatureSelect, 0);
            ulong low = Read32(DeviceFeature);
            Write32(DeviceFeatureSelect, 1);
            return low | (ulong)Read32(DeviceFeature) << 32;
        }

        public void SetDriverFeatures(ulong features)
        {
            Write32(DriverFeatureSelect, 0);
            Write32(DriverFeature, (uint)features);
            Write32(DriverFeatureSelect, 1);
            Write32(DriverFeature, (uint)(features >> 32));
        }

        public void DisableConfigurationInterrupt() => Write16(MsixConfig, NoVector);

        /// <summary>Configuration changes signal MSI-X entry 'entry'; false if the device refused it.</summary>
        public bool SetConfigurationInterrupt(ushort entry)
        {
            Write16(MsixConfig, entry);
            return Read16(MsixConfig) == entry;
        }

        /// <summary>
        /// The start every virtio driver shares (3.1.1): memory decoding on, the device reset, then bus mastering on
        /// (the device manager turns it off when a driver goes: a device a dead driver left with work must not reach
        /// its memory again), ACKNOWLEDGE and DRIVER, the features offered and 'wanted' taken (VERSION_1 required:
        /// NotSupported for a legacy-only device), FEATURES_OK checked. DRIVER_OK is the caller's, once its queues are set.
        /// </summary>
        public static Error Begin(PciDevice pci, byte** mappedBars, ulong wanted, out VirtioPciTransport transport, out ulong features)
        {
            features = 0;
            Error error = Open(pci, mappedBars, out transport);
            if (error != Error.None)
                return error;
            pci.Read(4, 2, out uint command);
            error = pci.Write(4, 2, command | CommandMemory);
            if (error != Error.None)
                return error;
            transport.Status = 0;
            while (transport.Status != 0) { }
            error = pci.Write(4, 2, command | CommandMemory | CommandBusMaster);
            if (error != Error.None)
                return error;
            transport.Status = StatusAcknowledge;
            transport.Status = StatusAcknowledge | StatusDriver;
            ulong offered = transport.DeviceFeatures();
            if ((offered & FeatureVersion1) == 0)
                return transport.Fail(Error.NotSupported);
            features = offered & (wanted | FeatureVersion1);
            transport.SetDriverFeatures(features);
            transport.Status = StatusAcknowledge | StatusDriver | StatusFeaturesOk;
            if ((transport.Status & StatusFeaturesOk) == 0)
                return transport.Fail(Error.NotSupported);
            return Error.None;
        }

        /// <summary>DRIVER_OK: the device may use the queues.</summary>
        public void MarkReady() => Status = StatusAcknowledge | StatusDriver | StatusFeaturesOk | StatusDriverOk;

        /// <summary>Marks the device FAILED and returns 'error'.</summary>
        public Error Fail(Error error)
        {
            Status = StatusFailed;
            return error;
        }

        /// <summary>
        /// Sets up queue 'queue' with at most 'limit' entries, laid out in 'ring' (DMA memory mapped at 'ringMemory',
        /// its physical address 'ringPhysical', 'ringBytes' long), its interrupts on MSI-X entry 'msixEntry'.
        /// </summary>
        public Error StartQueue(ushort queue, ushort limit, ushort msixEntry, byte* ringMemory, ulong ringPhysical, int ringBytes,
            out SplitVirtqueue virtqueue, out ushort* notify)
        {
            virtqueue = default;
            notify = null;
            ushort size = SelectQueue(queue);
            if (size > limit)
                size = limit;
            if (!SplitVirtqueue.IsValidSize(size))
                return Error.NoDevice;
            if (SplitVirtqueue.TotalBytes(size) > ringBytes)
                return Error.Invalid;
            virtqueue = new SplitVirtqueue(ringMemory, size);
            if (!SetUpQueue(size, msixEntry, ringPhysical, ringPhysical + (ulong)SplitVirtqueue.AvailableOffset(size), ringPhysical + (ulong)SplitVirtqueue.UsedOffset(size)))
                return Error.NoDevice;
            notify = QueueNotifyAddress();
            return Error.None;
        }

        /// <summary>DMA memory mapped, and its physical address for the device.</summary>
        public static Error MapDma(MemoryObject memory, out byte* mapped, out ulong physical)
        {
            mapped = null;
            Error error = memory.PhysicalAddress(out physical);
            if (error == Error.None)
                error = memory.Map(true, out mapped);
            return error;
        }

        /// <summary>Selects queue 'queue'; its maximum size (0: no such queue).</summary>
        public ushort SelectQueue(ushort queue)
        {
            Write16(QueueSelect, queue);
            return Read16(QueueSize);
        }

        /// <summary>Sets the selected queue's size, MSI-X entry and ring addresses; false if the device refused the entry.</summary>
        public bool SetUpQueue(ushort size, ushort msixEntry, ulong descriptors, ulong driverRing, ulong deviceRing)
        {
            Write16(QueueSize, size);
            Write16(QueueMsixVector, msixEntry);
            if (Read16(QueueMsixVector) != msixEntry)
                return false;
            Write64(QueueDescriptors, descriptors);
            Write64(QueueDriver, driverRing);
            Write64(QueueDevice, deviceRing);
            Write16(QueueEnable, 1);
            return true;
        }

        /// <summary>The selected queue's notification register.</summary>
        public ushort* QueueNotifyAddress() => (ushort*)(NotifyBase + Read16(QueueNotifyOff) * NotifyMultiplier);

        private uint Read32(int offset) => Volatile.Read(ref *(uint*)(CommonConfiguration + offset));
        private void Write32(int offset, uint value) => Volatile.Write(ref *(uint*)(CommonConfiguration + offset), value);
        private ushort Read16(int offset) => Volatile.Read(ref *(ushort*)(CommonConfiguration + offset));
        private void Write16(int offset, ushort value) => Volatile.Write(ref *(ushort*)(CommonConfiguration + offset), value);
        private void Write64(int offset, ulong value)
        {
            Write32(offset, (uint)value);
            Write32(offset + 4, (uint)(value >> 32));
        }
    }
}
