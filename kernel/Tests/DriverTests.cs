using Exo.Kernel.Arch.X64;
using Exo.Kernel.Drivers;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// User-mode drivers: I/O port, interrupt and physical-range capabilities made from the root resource,
    /// used from ring 3 by driver_test (the CMOS RTC's ports and periodic interrupt, the HPET's registers).
    /// </summary>
    public static unsafe class DriverTests
    {
        private const ulong GeneralProtection = 13;

        public static void Run()
        {
            Test("io_port_without_capability_faults", &PortWithoutCapability);
            Test("no_root_resource_no_devices", &WithoutRootResource);
            Test("driver_ports_interrupts_physical_and_revocation", &DriverEndToEnd);
        }

        // No capability, no bitmap: IN from the CMOS data port raises #GP, which ends only that process.
        private static void PortWithoutCapability()
        {
            ulong status = ProcessTests.RunByName("io_no_capability", out bool faulted, out Error error);
            Check(error == Error.None, "io_no_capability is in the boot image");
            Check(faulted && status == UserMode.UserMode.FaultResultBase + GeneralProtection, "a general-protection fault ended it", status);
        }

        // Started like any program (no root resource), driver_test stops at its first check.
        private static void WithoutRootResource()
        {
            ulong status = ProcessTests.RunByName("driver_test", out bool faulted, out _);
            Check(!faulted && status == 1, "without the root resource it has nothing to make devices from", status);
        }

        private static void DriverEndToEnd()
        {
            ulong deliveredBefore = InterruptLine.Delivered;
            int processesBefore = ProcessTests.SettledProcessCount();
            ulong status = ProcessTests.RunByName("driver_test", out bool faulted, out Error error, rootResource: true);
            Check(error == Error.None, "driver_test was loaded");
            Check(!faulted && status == 0, "every driver check held (else: the failed check's number)", status);
            Check(InterruptLine.Delivered - deliveredBefore >= 5, "the RTC's interrupts reached the driver", InterruptLine.Delivered - deliveredBefore);
            Equal(0, (ulong)InterruptLine.Owned, "the interrupt lines went back when the driver ended");
            for (int processor = 0; processor < DescriptorTables.MaximumProcessors; processor++)
                Check(IoPermissions.InstalledOn(processor) == null, "no processor keeps a driver's I/O bitmap", (ulong)processor);
            // The first run warmed the kernel (lazily made things); a second must give back all it took, once the
            // reaper has freed the four processes (it runs on its own thread, perhaps on another processor).
            ProcessTests.WaitForReaper(processesBefore);
            ulong freeBefore = ProcessTests.SettledFreeBytes();
            status = ProcessTests.RunByName("driver_test", out faulted, out _, rootResource: true);
            Check(!faulted && status == 0, "and again", status);
            ProcessTests.WaitForReaper(processesBefore);
            ulong freeAfter = ProcessTests.SettledFreeBytes();
            Check(freeAfter + 64 * 1024 >= freeBefore, "the driver and its children gave their memory back", freeBefore - freeAfter);
        }
    }
}
