using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// Boot-time set-up for user-mode drivers: the root resource, the interrupt lines' vectors, the PCI functions (enumerated once), and the device
    /// memory the kernel drives itself or keeps (the APICs, MSI-X tables: PhysicalRangePolicy refuses them as it refuses RAM). Run once the APICs are
    /// known (after the MADT).
    /// </summary>
    public static class DeviceResources
    {
        private static PhysicalRangeSet s_kernelDevices;

        public static unsafe void Initialize()
        {
            // A port capability leaving any table (close, revoke, move, exit) recomputes its driver's I/O bitmap.
            Capabilities.HandleTable.CapabilityRemoved = &IoPortGrants.OnCapabilityRemoved;
            RootResource.Initialize();
            InterruptLine.Initialize();
            Pci.PciBus.Initialize();
            s_kernelDevices = default;
            s_kernelDevices.Add(LocalApic.PhysicalBase, LocalApic.PhysicalBase + PhysicalRangePolicy.PageSize);
            if (IoApic.IsInitialized)
                s_kernelDevices.Add(IoApic.PhysicalAddress & ~(PhysicalRangePolicy.PageSize - 1), (IoApic.PhysicalAddress & ~(PhysicalRangePolicy.PageSize - 1)) + PhysicalRangePolicy.PageSize);
            Pci.MessageInterrupts.Initialize();
            // MSI-X tables are the kernel's (an entry's address and data choose the vector): never a driver's mapping.
            for (int i = 0; i < Pci.PciBus.Count; i++)
            {
                Pci.PciFunction function = Pci.PciBus.At(i);
                if (function.MsixTableSize == 0)
                    continue;
                ulong start = function.MsixTablePhysical & ~(PhysicalRangePolicy.PageSize - 1);
                ulong end = (function.MsixTablePhysical + (ulong)function.MsixTableSize * 16 + PhysicalRangePolicy.PageSize - 1) & ~(PhysicalRangePolicy.PageSize - 1);
                s_kernelDevices.Add(start, end);
            }
        }

        public static PhysicalRangeVerdict CheckPhysical(ulong start, ulong length)
            => PhysicalRangePolicy.Check(start, length, ref PhysicalMemory.FirmwareRam, ref s_kernelDevices);
    }
}
