using Exo.Kernel.Console;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// Enumerates segment 0's PCI functions once at boot (every bus the MCFG table covers, or all 256 through
    /// mechanism 1; function 0 of each device, functions 1-7 of a multi-function one), sizes their BARs and finds
    /// their MSI and MSI-X capabilities. PciDevice capabilities can be made only for functions found here.
    /// At most <see cref="MaximumFunctions"/> (an explicit limit; the rest are reported and ignored).
    /// </summary>
    public static unsafe class PciBus
    {
        public const int MaximumFunctions = 128;
        private const ushort NoDevice = 0xFFFF;
        private const int VendorId = 0x00;
        private const int ClassRevision = 0x08;
        private const uint CommandDecodeBits = 0x3;   // I/O space, memory space

        private static PciFunction[] s_functions;
        private static int s_count;
        private static int s_ignored;
        private static Sync.SpinLock s_ownerLock;

        public static int Count => s_count;
        public static PciFunction At(int index) => s_functions[index];

        internal static void Initialize()
        {
            PciConfigurationSpace.Initialize();
            s_ownerLock.Rank = Sync.LockRank.PciConfiguration;
            s_functions = new PciFunction[MaximumFunctions];
            for (int bus = PciConfigurationSpace.FirstBus; bus <= PciConfigurationSpace.LastBus; bus++)
            {
                for (int device = 0; device < PciAddress.DevicesPerBus; device++)
                {
                    var first = new PciAddress(bus, device, 0);
                    if (PciConfigurationSpace.Read(first, VendorId, 2) == NoDevice)
                        continue;
                    bool multiFunction = (PciConfigurationSpace.Read(first, PciConfigurationPolicy.HeaderType, 1) & 0x80) != 0;
                    for (int function = 0; function < (multiFunction ? PciAddress.FunctionsPerDevice : 1); function++)
                    {
                        var address = new PciAddress(bus, device, function);
                        if (PciConfigurationSpace.Read(address, VendorId, 2) != NoDevice)
                            Add(address);
                    }
                }
            }
            KernelConsole.Write("pci: ");
            KernelConsole.WriteDecimal((ulong)s_count);
            KernelConsole.Write(PciConfigurationSpace.UsesEcam ? " functions (ECAM from the MCFG table)" : " functions (configuration mechanism 1)");
            if (s_ignored > 0)
            {
                KernelConsole.Write(", ");
                KernelConsole.WriteDecimal((ulong)s_ignored);
                KernelConsole.Write(" more ignored");
            }
            KernelConsole.WriteLine("");
        }

        /// <summary>The function at 'address', or null if boot found none there.</summary>
        public static PciFunction Find(PciAddress address)
        {
            for (int i = 0; i < s_count; i++)
                if (s_functions[i].Address.Packed == address.Packed)
                    return s_functions[i];
            return null;
        }

        /// <summary>Makes 'device' the owner of its function; false if another capability object owns it.</summary>
        internal static bool TryOwn(PciFunction function, PciDevice device)
        {
            using (s_ownerLock.Hold())
            {
                if (function.Owner != null)
                    return false;
                function.Owner = device;
                return true;
            }
        }

        internal static void Disown(PciFunction function, PciDevice device)
        {
            using (s_ownerLock.Hold())
            {
                if (function.Owner == device)
                    function.Owner = null;
            }
        }

        /// <summary>
        /// A process ended: every function whose message interrupts it bound loses them (MSI-X or MSI off, vectors back),
        /// even while another process (the device manager) keeps the device capability, so a restarted driver binds
        /// afresh. Each owner is held by a reference while it is released (it cannot be destroyed meanwhile).
        /// </summary>
        internal static void ReleaseMessagesBoundBy(object process)
        {
            for (int i = 0; i < s_count; i++)
            {
                PciDevice device = null;
                using (s_ownerLock.Hold())
                {
                    PciDevice owner = s_functions[i].Owner;
                    if (owner != null && owner.Binder == process && owner.TryAddReference())
                        device = owner;
                }
                if (device == null)
                    continue;
                device.ReleaseMessageInterrupts(process);
                device.Release();
            }
        }

        private static void Add(PciAddress address)
        {
            if (s_count == MaximumFunctions)
            {
                s_ignored++;
                return;
            }
            var function = new PciFunction();
            function.Address = address;
            function.VendorId = (ushort)PciConfigurationSpace.Read(address, VendorId, 2);
            function.DeviceId = (ushort)PciConfigurationSpace.Read(address, VendorId + 2, 2);
            function.ClassCode = PciConfigurationSpace.Read(address, ClassRevision, 4) >> 8;
            function.HeaderLayout = (byte)(PciConfigurationSpace.Read(address, PciConfigurationPolicy.HeaderType, 1) & 0x7F);
            byte* space = stackalloc byte[PciConfigurationPolicy.LegacySpaceSize];
            for (int offset = 0; offset < PciConfigurationPolicy.LegacySpaceSize; offset += 4)
                *(uint*)(space + offset) = PciConfigurationSpace.Read(address, offset, 4);
            function.KernelRegisters = PciCapabilityList.KernelRegisters(space);
            SizeBars(function);
            FindMsixTable(function);
            s_functions[s_count++] = function;
        }

        // All ones written to a BAR read back with its size's bits clear. Decoding is off meanwhile, so the
        // device never answers at the all-ones address; the original values and the command register go back.
        private static void SizeBars(PciFunction function)
        {
            PciAddress address = function.Address;
            uint command = PciConfigurationSpace.Read(address, PciConfigurationPolicy.Command, 2);
            PciConfigurationSpace.Write(address, PciConfigurationPolicy.Command, 2, command & ~CommandDecodeBits);
            for (int index = 0; index < function.BarCount; index++)
            {
                int offset = PciConfigurationPolicy.FirstBar + 4 * index;
                uint original = Size(address, offset, out uint sized);
                uint originalHigh = 0, sizedHigh = 0;
                bool wide = PciBar.IsLowerHalfOf64Bit(original) && index + 1 < function.BarCount;
                if (wide)
                    originalHigh = Size(address, offset + 4, out sizedHigh);
                PciBar bar = PciBar.Decode(original, sized, originalHigh, sizedHigh);
                function.BarSizes[index] = bar.Size;
                function.BarKinds[index] = bar.Kind;
                function.BarAddresses[index] = bar.Address;
                if (wide)
                    index++;   // the upper half: size 0, kind None
            }
            PciConfigurationSpace.Write(address, PciConfigurationPolicy.Command, 2, command);
        }

        // The MSI-X capability names its table by BAR (bits 2-0) and offset in it; control bits 10-0 are the size - 1.
        private static void FindMsixTable(PciFunction function)
        {
            int capability = function.KernelRegisters.MsixLength != 0 ? function.KernelRegisters.MsixOffset : 0;
            if (capability == 0 || function.BarCount == 0)
                return;
            uint control = PciConfigurationSpace.Read(function.Address, capability + 2, 2);
            uint table = PciConfigurationSpace.Read(function.Address, capability + 4, 4);
            int bar = (int)(table & 7);
            if (bar >= function.BarCount || function.BarKinds[bar] == PciBarKind.None || function.BarKinds[bar] == PciBarKind.IoPorts)
                return;
            function.MsixTableSize = (int)(control & 0x7FF) + 1;
            function.MsixTablePhysical = function.BarAddresses[bar] + (table & ~7u);
        }

        private static uint Size(PciAddress address, int offset, out uint sized)
        {
            uint original = PciConfigurationSpace.Read(address, offset, 4);
            PciConfigurationSpace.Write(address, offset, 4, 0xFFFFFFFF);
            sized = PciConfigurationSpace.Read(address, offset, 4);
            PciConfigurationSpace.Write(address, offset, 4, original);
            return original;
        }
    }
}
