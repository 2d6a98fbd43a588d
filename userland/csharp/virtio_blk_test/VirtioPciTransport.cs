using System.Threading;
using Exo.Abi;
using Exo.Std.Devices;
using Exo.Std.Handles;

namespace VirtioBlockTest
{
    /// <summary>
    /// virtio 1.0's modern PCI transport from ring 3: the vendor capabilities (cfg_type 1 common, 2 notify,
    /// 3 ISR, 4 device) name a BAR, an offset and a length each; the driver maps those BARs through physical
    /// ranges made from the root resource (never the MSI-X table's: the kernel refuses it) and reads the
    /// structures there. The common configuration's layout is the specification's (4.1.4.3).
    /// </summary>
    public unsafe struct VirtioPciTransport
    {
        public const int Common = 1, Notify = 2, Isr = 3, DeviceSpecific = 4;
        public const byte StatusAcknowledge = 1, StatusDriver = 2, StatusDriverOk = 4, StatusFeaturesOk = 8, StatusFailed = 128;
        public const ushort NoVector = 0xFFFF;

        // Common configuration offsets.
        private const int DeviceFeatureSelect = 0x00, DeviceFeature = 0x04, DriverFeatureSelect = 0x08, DriverFeature = 0x0C;
        private const int MsixConfig = 0x10, DeviceStatus = 0x14, QueueSelect = 0x16, QueueSize = 0x18, QueueMsixVector = 0x1A;
        private const int QueueEnable = 0x1C, QueueNotifyOff = 0x1E, QueueDescriptors = 0x20, QueueDriver = 0x28, QueueDevice = 0x30;

        public byte* CommonConfiguration;
        public byte* NotifyBase;
        public uint NotifyMultiplier;
        public byte* DeviceConfiguration;

        /// <summary>Finds the four structures and maps the BARs they are in; the error of the first step that failed.</summary>
        public static Error Open(RootResource root, PciDevice pci, out VirtioPciTransport transport)
        {
            transport = default;
            byte** bars = stackalloc byte*[6];
            for (int i = 0; i < 6; i++)
                bars[i] = null;
            pci.Read(0x34, 1, out uint next);
            int steps = 0;
            while (next >= 0x40 && steps++ < 48)
            {
                int at = (int)next;
                pci.Read(at, 1, out uint id);
                pci.Read(at + 1, 1, out next);
                next &= 0xFC;
                if (id != 0x09)
                    continue;
                pci.Read(at + 3, 1, out uint type);
                pci.Read(at + 4, 1, out uint bar);
                pci.Read(at + 8, 4, out uint offset);
                if (type < Common || type > DeviceSpecific || bar > 5)
                    continue;
                if (bars[bar] == null)
                {
                    Error error = MapBar(root, pci, (int)bar, out bars[bar]);
                    if (error != Error.None)
                        return error;
                }
                byte* structure = bars[bar] + offset;
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

        private static Error MapBar(RootResource root, PciDevice pci, int bar, out byte* mapped)
        {
            mapped = null;
            pci.Read(0x10 + 4 * bar, 4, out uint low);
            ulong address = low & ~0xFu;
            if ((low & 1) != 0)
                return Error.NotSupported;   // an I/O BAR: the modern transport's structures are in memory
            if (((low >> 1) & 3) == 2)
            {
                pci.Read(0x14 + 4 * bar, 4, out uint high);
                address |= (ulong)high << 32;
            }
            Error error = pci.BarSize(bar, out ulong size);
            if (error != Error.None)
                return error;
            error = root.CreatePhysical(address, size < 4096 ? 4096 : size, out PhysicalRange range);
            if (error != Error.None)
                return error;
            return range.Map(0, true, out mapped);
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
