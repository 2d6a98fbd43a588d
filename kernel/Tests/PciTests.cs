using Exo.Kernel.Drivers.Pci;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// PCI: the functions boot found (the host bridge on both machines, ECAM on q35), and pci_test in ring 3 with
    /// the root resource (the listing, the refusals, DMA memory, a virtio block device's BARs and capabilities when the boot
    /// test attached one). The host checks the listing's lines (PciBootTests).
    /// </summary>
    public static unsafe class PciTests
    {
        public static void Run()
        {
            Test("functions_found_at_boot", &FoundAtBoot);
            Test("configuration_space_from_ring_3", &FromRingThree);
            Test("virtio_block_driver_in_ring_3", &VirtioBlock);
        }

        private static void FoundAtBoot()
        {
            Check(PciBus.Count > 0, "boot found PCI functions", (ulong)PciBus.Count);
            PciFunction host = PciBus.Find(new PciAddress(0, 0, 0));
            Check(host != null && host.VendorId == 0x8086 && (host.ClassCode >> 16) == 0x06, "00:00.0 is Intel's host bridge (class 06)");
            Check(PciConfigurationSpace.UsesEcam == (Acpi.AcpiTables.Find("MCFG") != null), "ECAM exactly when the MCFG table is there");
            for (int i = 0; i < PciBus.Count; i++)
                Check(PciBus.At(i).Owner == null, "no function has an owner before a driver asks", (ulong)i);
        }

        // Only with a virtio disk attached (the boot test's); without one there is nothing to drive.
        private static void VirtioBlock()
        {
            bool present = false;
            for (int i = 0; i < PciBus.Count; i++)
                present |= PciBus.At(i).VendorId == 0x1AF4 && PciBus.At(i).DeviceId == 0x1042;
            if (!present)
            {
                Skip("no modern virtio-blk device on this machine");
                return;
            }
            ulong delivered = MessageInterrupts.Delivered;
            int processesBefore = ProcessTests.SettledProcessCount();
            ulong status = ProcessTests.RunByName("virtio_blk_test", out bool faulted, out Error error, rootResource: true);
            Check(error == Error.None, "virtio_blk_test was loaded");
            Check(!faulted && status == 0, "every virtio-blk check held (else: the failed check's number)", status);
            Check(MessageInterrupts.Delivered > delivered, "the device's MSI-X messages reached the driver", MessageInterrupts.Delivered - delivered);
            ProcessTests.WaitForReaper(processesBefore);
            Equal(0, (ulong)MessageInterrupts.Taken, "its vector went back");
        }

        private static void FromRingThree()
        {
            int processesBefore = ProcessTests.SettledProcessCount();
            ulong status = ProcessTests.RunByName("pci_test", out bool faulted, out Error error, rootResource: true);
            Check(error == Error.None, "pci_test was loaded");
            Check(!faulted && status == 0, "every PCI check held (else: the failed check's number)", status);
            ProcessTests.WaitForReaper(processesBefore);
            for (int i = 0; i < PciBus.Count; i++)
                Check(PciBus.At(i).Owner == null, "its capabilities freed every function", (ulong)i);
            Equal(0, (ulong)MessageInterrupts.Taken, "its MSI-X vectors went back");
            // A second run gives back all it took: PCI device objects, DMA memory (contiguous blocks), mappings.
            ulong freeBefore = ProcessTests.SettledFreeBytes();
            status = ProcessTests.RunByName("pci_test", out faulted, out _, rootResource: true);
            Check(!faulted && status == 0, "and again", status);
            ProcessTests.WaitForReaper(processesBefore);
            ulong freeAfter = ProcessTests.SettledFreeBytes();
            Check(freeAfter + 64 * 1024 >= freeBefore, "pci_test gave its memory back", freeBefore - freeAfter);
        }
    }
}
