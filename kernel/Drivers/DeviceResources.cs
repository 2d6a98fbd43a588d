using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// Boot-time set-up for user-mode drivers: the root resource, the interrupt lines' vectors, the PCI functions (enumerated once), and the device
    /// memory the kernel drives itself (which PhysicalRangePolicy refuses next to RAM). Run once the APICs are
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
        }

        public static PhysicalRangeVerdict CheckPhysical(ulong start, ulong length)
            => PhysicalRangePolicy.Check(start, length, ref PhysicalMemory.FirmwareRam, ref s_kernelDevices);
    }
}
