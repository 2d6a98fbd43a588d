using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace PciTest
{
    /// <summary>
    /// PCI from ring 3 with the root resource (its first handle): lists every function as
    /// "pci_test: bb:dd.f vvvv:dddd class cccccc", then checks the kernel's refusals (no such function, a second
    /// capability to a taken one, bad widths and offsets, the registers the kernel keeps, missing rights) and,
    /// when a virtio block device is there, its BAR sizes and capability list; when a function has plain MSI and no
    /// MSI-X (q35's AHCI controller), the kernel's MSI binding. Exits 0, or the number of the first failed check.
    /// </summary>
    public static unsafe class Program
    {
        private const ushort VirtioVendor = 0x1AF4;
        private static int s_check;

        public static int Main()
        {
            var root = new RootResource(Process.StartupHandle(0));
            int listed = 0;
            int virtioBus = -1, virtioDevice = 0, virtioFunction = 0, msiOnly = -1;
            var scan = new PciScan();
            while (scan.MoveNext(root, out PciDevice pci, out int address))
            {
                pci.Read(0, 4, out uint identity);
                pci.Read(8, 4, out uint classRevision);
                Console.Write("pci_test: ");
                PciScan.WriteListing(address, pci);
                Console.WriteLine();
                listed++;
                if ((identity & 0xFFFF) == VirtioVendor && (classRevision >> 8) == 0x010000 && virtioBus < 0)
                {
                    virtioBus = address >> 8;
                    virtioDevice = (address >> 3) & 31;
                    virtioFunction = address & 7;
                }
                if (msiOnly < 0 && pci.FindCapability(PciDevice.MsiCapabilityId) != 0 && pci.FindCapability(PciDevice.MsixCapabilityId) == 0)
                    msiOnly = address;
                pci.Close();
            }
            Console.Write("pci_test: listed ");
            Console.Write(listed);
            Console.WriteLine(" functions");
            s_check = 10;
            if (!Check(listed > 0))
                return s_check;
            int result = CheckRefusals(root);
            if (result == 0)
                result = CheckDmaMemory(root);
            if (result == 0 && virtioBus >= 0)
                result = CheckVirtio(root, virtioBus, virtioDevice, virtioFunction);
            else if (result == 0)
                Console.WriteLine("pci_test: no virtio block device, its checks skipped");
            if (result == 0 && msiOnly >= 0)
                result = CheckMsi(root, msiOnly);
            else if (result == 0)
                Console.WriteLine("pci_test: no function with MSI only, its checks skipped");
            if (result == 0)
                Console.WriteLine("pci_test: all checks passed");
            return result;
        }

        // The host bridge at 00:00.0 is on both machines.
        private static int CheckRefusals(RootResource root)
        {
            s_check = 20;
            if (!Check(root.CreatePciDevice(0, 0, 0, out PciDevice bridge) == Error.None)) return s_check;
            if (!Check(root.CreatePciDevice(0, 0, 0, out _) == Error.Busy)) return s_check;                    // 21: one object per function
            if (!Check(root.CreatePciDevice(255, 31, 7, out _) == Error.NotFound)) return s_check;             // 22
            if (!Check(Create(root, 0x10000, 1) == Error.Invalid)) return s_check;                            // 23: past bus 255
            if (!Check(Create(root, 0, 2) == Error.Invalid)) return s_check;                                  // 24: length not 1
            if (!Check(bridge.Read(0, 2, out uint vendor) == Error.None && vendor == 0x8086)) return s_check;  // 25: Intel's (i440FX, Q35)
            if (!Check(bridge.Read(0, 3, out _) == Error.Invalid)) return s_check;                            // 26: width
            if (!Check(bridge.Read(1, 2, out _) == Error.Invalid)) return s_check;                            // 27: misaligned
            if (!Check(bridge.Read(2, 4, out _) == Error.Invalid)) return s_check;                            // 28
            if (!Check(bridge.Read(4096, 1, out _) == Error.Invalid)) return s_check;                         // 29: past any space
            if (!Check(bridge.Read(-1, 1, out _) == Error.Invalid)) return s_check;                           // 30
            bool ecam = bridge.Read(0xFFC, 4, out _) == Error.None;
            bool legacyOnly = bridge.Read(0x100, 4, out _) == Error.Invalid;
            if (!Check(ecam != legacyOnly)) return s_check;                                                   // 31: 4096 bytes with ECAM, else 256
            Console.WriteLine(ecam ? "pci_test: configuration space of 4096 bytes (ECAM)" : "pci_test: configuration space of 256 bytes (mechanism 1)");
            if (!Check(bridge.Write(0x00, 2, 0x1234) == Error.AccessDenied)) return s_check;                  // 32: vendor id
            if (!Check(bridge.Write(0x10, 4, 0xFFFFFFFF) == Error.AccessDenied)) return s_check;              // 33: BAR 0
            if (!Check(bridge.Write(0x30, 4, 0) == Error.AccessDenied)) return s_check;                       // 34: expansion ROM
            if (!Check(bridge.Write(0x34, 1, 0x40) == Error.AccessDenied)) return s_check;                    // 35: capability pointer
            if (!Check(bridge.Write(0x100, 4, 0) == (ecam ? Error.AccessDenied : Error.Invalid))) return s_check; // 36: extended space
            if (!Check(bridge.Read(4, 2, out uint command) == Error.None)) return s_check;                    // 37
            if (!Check(bridge.Write(4, 2, command) == Error.None)) return s_check;                            // 38: command as it was
            if (!Check(bridge.Write(4, 2, 0x10000) == Error.Invalid)) return s_check;                         // 39: wider than the access
            if (!Check(bridge.Write(4, 3, 0) == Error.Invalid)) return s_check;                               // 40
            if (!Check(bridge.BarSize(6, out _) == Error.Invalid)) return s_check;                            // 41
            // A read-only copy reads but cannot write; a copy without Read reads nothing.
            if (!Check(bridge.Handle.Duplicate(Rights.Read, out Handle readOnly) == Error.None)) return s_check;   // 42
            var reader = new PciDevice(readOnly);
            if (!Check(reader.Read(0, 2, out _) == Error.None)) return s_check;                               // 43
            if (!Check(reader.Write(4, 2, command) == Error.AccessDenied)) return s_check;                    // 44
            if (!Check(bridge.Handle.Duplicate(Rights.Write, out Handle writeOnly) == Error.None)) return s_check;  // 45
            if (!Check(new PciDevice(writeOnly).Read(0, 2, out _) == Error.AccessDenied)) return s_check;     // 46
            // Another object's handle is not a PCI device; the root resource is not one either.
            if (!Check(new PciDevice(root.Handle).Read(0, 2, out _) != Error.None)) return s_check;           // 47
            // Closing every handle frees the function for a new capability.
            readOnly.Close();
            writeOnly.Close();
            bridge.Close();
            if (!Check(root.CreatePciDevice(0, 0, 0, out PciDevice again) == Error.None)) return s_check;     // 48
            if (!Check(again.Read(0, 2, out vendor) == Error.None && vendor == 0x8086)) return s_check;       // 49
            again.Close();
            if (!Check(reader.Read(0, 2, out _) == Error.BadHandle)) return s_check;                          // 50: the closed copy
            return 0;
        }

        // virtio-blk-pci: memory BARs the kernel sized, an MSI-X capability the driver may not write, and the
        // vendor capabilities (virtio's common, notify, ISR and device structures) found by walking the list.
        private static int CheckVirtio(RootResource root, int bus, int device, int function)
        {
            s_check = 60;
            if (!Check(root.CreatePciDevice(bus, device, function, out PciDevice virtio) == Error.None)) return s_check;
            ulong memory = 0;
            for (int bar = 0; bar < 6; bar++)
            {
                if (virtio.BarSize(bar, out ulong size) != Error.None)
                    return Fail(61, Error.Invalid);
                virtio.Read(0x10 + 4 * bar, 4, out uint value);
                if (size != 0)
                {
                    Console.Write("pci_test: virtio bar ");
                    Console.Write(bar);
                    Console.Write((value & 1) != 0 ? " io size " : " memory size ");
                    Console.Write(size);
                    Console.WriteLine();
                    if ((value & 1) == 0)
                        memory += size;
                }
            }
            s_check = 61;
            if (!Check(memory >= 0x4000)) return s_check;                                                     // 62: the 16 KiB modern BAR
            if (!Check(virtio.Read(6, 2, out uint status) == Error.None && (status & 0x10) != 0)) return s_check; // 63: has a list
            virtio.Read(0x34, 1, out uint next);
            int vendorCapabilities = 0, msix = 0, steps = 0;
            while (next >= 0x40 && steps++ < 48)
            {
                virtio.Read((int)next, 1, out uint id);
                if (id == 0x09)
                    vendorCapabilities++;
                if (id == 0x11)
                    msix = (int)next;
                virtio.Read((int)next + 1, 1, out next);
                next &= 0xFC;
            }
            Console.Write("pci_test: virtio capabilities: ");
            Console.Write(vendorCapabilities);
            Console.Write(" vendor, msi-x at ");
            Console.WriteHex((ulong)msix);
            Console.WriteLine();
            if (!Check(vendorCapabilities >= 4)) return s_check;                                              // 64
            if (!Check(msix != 0)) return s_check;                                                            // 65
            if (!Check(virtio.Read(msix + 2, 2, out uint control) == Error.None)) return s_check;             // 66
            if (!Check(virtio.Write(msix + 2, 2, control | 0x8000) == Error.AccessDenied)) return s_check;    // 67: enabling MSI-X is the kernel's
            if (!Check(virtio.Write(msix + 4, 4, 0) == Error.AccessDenied)) return s_check;                   // 68: its table's place
            // MSI-X through the kernel: it programs the entry; the table's page is never a driver's mapping.
            if (!Check(Notification.Create(out Notification notification) == Error.None)) return s_check;    // 69
            if (!Check(virtio.BindInterrupt(0, notification, 1) == Error.None)) return s_check;               // 70
            if (!Check(virtio.Read(msix + 2, 2, out control) == Error.None && (control & 0x8000) != 0)) return s_check; // 71: enabled
            if (!Check(virtio.BindInterrupt(0, notification, 2) == Error.None)) return s_check;               // 72: rebinding keeps the vector
            if (!Check(virtio.BindInterrupt(8, notification, 1) == Error.Invalid)) return s_check;            // 73: past 8 entries
            if (!Check(virtio.BindInterrupt(1, notification, 0) == Error.Invalid)) return s_check;            // 74: no bits
            virtio.Read(msix + 4, 4, out uint tableLocation);
            virtio.Read(0x10 + 4 * (int)(tableLocation & 7), 4, out uint tableBar);
            ulong tablePage = ((tableBar & ~0xFu) + (tableLocation & ~7u)) & ~0xFFFUL;
            if (!Check(root.CreatePhysical(tablePage, 4096, out _) == Error.AccessDenied)) return s_check;   // 75: the MSI-X table
            if (!Check(root.CreatePciDevice(0, 0, 0, out PciDevice bridge) == Error.None)) return s_check;    // 76
            if (!Check(bridge.BindInterrupt(0, notification, 1) == Error.NotSupported)) return s_check;       // 77: neither MSI-X nor MSI there
            bridge.Close();
            notification.Handle.Close();
            virtio.Close();
            return 0;
        }

        // Plain MSI through the same call as MSI-X: one message (entry 0), programmed and enabled by the kernel, INTx off;
        // the capability's last handle turns it off again.
        private static int CheckMsi(RootResource root, int address)
        {
            s_check = 100;
            if (!Check(root.CreatePciDevice(address >> 8, (address >> 3) & 31, address & 7, out PciDevice pci) == Error.None)) return s_check; // 100
            int msi = pci.FindCapability(PciDevice.MsiCapabilityId);
            pci.Read(msi + 2, 2, out uint control);
            int data = msi + ((control & 0x80) != 0 ? 12 : 8);
            Console.Write("pci_test: MSI only: ");
            PciScan.WriteListing(address, pci);
            Console.Write(", capability at ");
            Console.WriteHex((ulong)msi);
            Console.WriteLine();
            if (!Check(pci.Write(msi + 2, 2, control | 1) == Error.AccessDenied)) return s_check;              // 101: enabling MSI is the kernel's
            if (!Check(pci.Write(data, 2, 0x41) == Error.AccessDenied)) return s_check;                        // 102: so is its data (the vector)
            if (!Check(Notification.Create(out Notification notification) == Error.None)) return s_check;    // 103
            if (!Check(pci.BindInterrupt(1, notification, 1) == Error.Invalid)) return s_check;               // 104: one message only
            if (!Check(pci.BindInterrupt(0, notification, 1) == Error.None)) return s_check;                  // 105
            pci.Read(msi + 2, 2, out control);
            if (!Check((control & 1) != 0 && (control & 0x70) == 0)) return s_check;                          // 106: enabled, one message
            pci.Read(msi + 4, 4, out uint messageAddress);
            pci.Read(data, 2, out uint vector);
            if (!Check((messageAddress & 0xFFF00000) == 0xFEE00000 && vector >= 0x20 && vector <= 0xFF)) return s_check; // 107: the local APIC, fixed, edge
            if (!Check(pci.Read(4, 2, out uint command) == Error.None && (command & 0x400) != 0)) return s_check; // 108: INTx off
            if (!Check(pci.BindInterrupt(0, notification, 2) == Error.None)) return s_check;                  // 109: rebinding
            pci.Read(data, 2, out uint again);
            if (!Check(again == vector)) return s_check;                                                      // 110: keeps the vector
            pci.Close();
            if (!Check(root.CreatePciDevice(address >> 8, (address >> 3) & 31, address & 7, out pci) == Error.None)) return s_check; // 111
            pci.Read(msi + 2, 2, out control);
            if (!Check((control & 1) == 0)) return s_check;                                                   // 112: the last handle turned MSI off
            pci.Close();
            notification.Handle.Close();
            return 0;
        }

        // DMA memory: contiguous, aligned, mappable, its address known only to holders with Manage, never mappable
        // as a physical range (it is RAM); ordinary memory objects keep their frames secret.
        private static int CheckDmaMemory(RootResource root)
        {
            s_check = 80;
            if (!Check(root.CreateDmaMemory(8192, out MemoryObject dma) == Error.None)) return s_check;            // 80
            if (!Check(dma.PhysicalAddress(out ulong physical) == Error.None)) return s_check;                     // 81
            Console.Write("pci_test: DMA memory at ");
            Console.WriteHex(physical);
            Console.WriteLine();
            if (!Check(physical != 0 && (physical & 8191) == 0)) return s_check;                                   // 82: a buddy block, aligned to its size
            if (!Check(dma.Map(true, out byte* mapped) == Error.None)) return s_check;                             // 83
            if (!Check(mapped[0] == 0 && mapped[8191] == 0)) return s_check;                                       // 84: zeroed
            mapped[0] = 0x5A;
            if (!Check(root.CreatePhysical(physical, 8192, out _) == Error.AccessDenied)) return s_check;          // 85: RAM stays out of physical ranges
            if (!Check(dma.Duplicate(Rights.Read | Rights.Map, out MemoryObject shared) == Error.None)) return s_check; // 86
            if (!Check(shared.PhysicalAddress(out _) == Error.AccessDenied)) return s_check;                       // 87: a client's copy without Manage
            if (!Check(MemoryObject.Create(4096, out MemoryObject ordinary) == Error.None)) return s_check;         // 88
            if (!Check(ordinary.PhysicalAddress(out _) == Error.Invalid)) return s_check;                          // 89
            if (!Check(CreateKind(root, ResourceKind.DmaMemory, 4096, 4096) == Error.Invalid)) return s_check;     // 90: base must be 0
            if (!Check(CreateKind(root, ResourceKind.DmaMemory, 0, 0) == Error.Invalid)) return s_check;           // 91
            if (!Check(CreateKind(root, ResourceKind.DmaMemory, 0, (4UL << 20) + 1) == Error.Invalid)) return s_check; // 92: past 4 MiB
            if (!Check(root.CreateDmaMemory(3 * 4096, out MemoryObject odd) == Error.None)) return s_check;        // 93
            if (!Check(odd.PhysicalAddress(out ulong oddPhysical) == Error.None && (oddPhysical & 0x3FFF) == 0 && oddPhysical != physical)) return s_check; // 94
            odd.Close();
            ordinary.Close();
            shared.Close();
            dma.Close();
            return 0;
        }

        private static Error CreateKind(RootResource root, ResourceKind kind, ulong start, ulong length)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.ResourceCreate, root.Handle.Value, (ulong)kind, start, length));

        private static Error Create(RootResource root, ulong address, ulong length) => CreateKind(root, ResourceKind.PciDevice, address, length);

        private static bool Check(bool condition)
        {
            if (!condition)
            {
                Console.Write("pci_test: check ");
                Console.Write(s_check);
                Console.WriteLine(" failed");
            }
            else
            {
                s_check++;
            }
            return condition;
        }

        private static int Fail(int check, Error error)
        {
            Console.Write("pci_test: check ");
            Console.Write(check);
            Console.Write(" failed: ");
            Console.Write((int)error);
            Console.WriteLine();
            return check;
        }
    }
}
