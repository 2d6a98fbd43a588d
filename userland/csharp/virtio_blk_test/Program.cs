using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Drivers.Virtio;

namespace VirtioBlockTest
{
    /// <summary>
    /// The virtio-blk driver checked end to end from ring 3 with the root resource (the pci suite, when the boot
    /// test attached a disk whose sector N holds a pattern naming N): capacity; four one-sector reads in flight at
    /// once and an eight-sector read, compared with the pattern; a read past the end gets the device's I/O error;
    /// then a write of sector 5, a flush and a read back (the host checks the image file afterwards), or, on a
    /// read-only disk, the driver refusing the write and the device refusing it too. Exits 0, or the number of
    /// the first failed check.
    /// </summary>
    public static unsafe class Program
    {
        private const ushort VirtioVendor = 0x1AF4;
        private const ushort ModernBlockDevice = 0x1042;
        public const int WrittenSector = 5;
        private static int s_check;

        public static int Main()
        {
            var root = new RootResource(Process.StartupHandle(0));
            PciDevice pci = default;
            bool found = false;
            for (int device = 0; device < 32 && !found; device++)
            {
                if (root.CreatePciDevice(0, device, 0, out pci) != Error.None)
                    continue;
                pci.Read(0, 4, out uint identity);
                found = identity == (uint)(ModernBlockDevice << 16 | VirtioVendor);
                if (!found)
                    pci.Close();
            }
            s_check = 1;
            if (!Check(found)) return s_check;
            var disk = new VirtioBlockDevice();
            Error error = MapAndStart(root, pci, ref disk);
            if (error != Error.None)
            {
                Console.Write("virtio_blk_test: start failed: ");
                Console.Write((int)error);
                Console.WriteLine();
                return 2;
            }
            Console.Write("virtio_blk_test: capacity ");
            Console.Write(disk.Capacity);
            Console.Write(" sectors, features ");
            Console.WriteHex(disk.Features);
            Console.WriteLine(disk.IsReadOnly ? ", read-only" : ", writable");
            int result = Run(ref disk);
            disk.Stop();
            if (result == 0)
            {
                Console.Write("virtio_blk_test: all checks passed, MSI-X wake-ups ");
                Console.Write(disk.InterruptWakeUps);
                Console.WriteLine();
            }
            return result;
        }

        // What the device manager gives the driver, made here from the root resource: the BARs mapped, DMA memory.
        private static Error MapAndStart(RootResource root, PciDevice pci, ref VirtioBlockDevice disk)
        {
            byte** bars = stackalloc byte*[6];
            int required = VirtioPciTransport.RequiredBars(pci);
            for (int bar = 0; bar < 6; bar++)
            {
                bars[bar] = null;
                if ((required & (1 << bar)) == 0)
                    continue;
                PhysicalRange range = default;
                Error mapError = VirtioPciTransport.BarRange(pci, bar, out ulong address, out ulong size);
                if (mapError == Error.None)
                    mapError = root.CreatePhysical(address, size, out range);
                if (mapError == Error.None)
                    mapError = range.Map(0, true, out bars[bar]);
                if (mapError != Error.None)
                    return mapError;
            }
            MemoryObject slots = default;
            Error error = root.CreateDmaMemory(VirtioBlockDevice.RingBytes, out MemoryObject ring);
            if (error == Error.None)
                error = root.CreateDmaMemory(VirtioBlockDevice.SlotsBytes, out slots);
            return error == Error.None ? disk.Start(pci, bars, ring, slots) : error;
        }

        private static int Run(ref VirtioBlockDevice disk)
        {
            s_check = 10;
            if (!Check(disk.Capacity >= 16)) return s_check;                                                       // 10
            for (int slot = 0; slot < 4; slot++)
                if (!Check(disk.Submit(slot, VirtioBlockDevice.RequestRead, (ulong)slot, 1) == Error.None)) return s_check;   // 11-14
            if (!Check(disk.FreeDescriptors <= VirtioBlockDevice.QueueSizeLimit - 12)) return s_check;             // 15: all four chains out at once
            disk.Notify();
            for (int slot = 3; slot >= 0; slot--)
                if (!Check(disk.Wait(slot) == VirtioBlockDevice.StatusOk && Matches(disk.Data(slot), slot, 1))) return s_check; // 16-19
            Console.WriteLine("virtio_blk_test: 4 reads in flight, sectors 0-3 as written on the host");
            if (!Check(disk.Submit(0, VirtioBlockDevice.RequestRead, 8, 8) == Error.None)) return s_check;         // 20
            disk.Notify();
            if (!Check(disk.Wait(0) == VirtioBlockDevice.StatusOk && Matches(disk.Data(0), 8, 8))) return s_check; // 21
            Console.WriteLine("virtio_blk_test: read sectors 8-15 in one request");
            if (!Check(disk.Submit(1, VirtioBlockDevice.RequestRead, disk.Capacity, 1) == Error.None)) return s_check; // 22
            disk.Notify();
            if (!Check(disk.Wait(1) == VirtioBlockDevice.StatusInputOutputError)) return s_check;                 // 23
            Console.WriteLine("virtio_blk_test: a read past the end: I/O error status");
            if (!Check(disk.Submit(0, VirtioBlockDevice.RequestRead, 0, VirtioBlockDevice.MaximumSectors + 1) == Error.Invalid)) return s_check; // 24: more than a slot holds
            if (!Check(disk.FreeDescriptors == VirtioBlockDevice.QueueSizeLimit)) return s_check;                  // 25: every chain came back
            byte* data = disk.Data(2);
            for (int i = 0; i < VirtioBlockDevice.SectorSize; i++)
                data[i] = (byte)(0xA5 ^ i);
            s_check = 30;
            if (disk.IsReadOnly)
            {
                if (!Check(disk.Submit(2, VirtioBlockDevice.RequestWrite, WrittenSector, 1) == Error.ReadOnlyFileSystem)) return s_check; // 30
                Console.WriteLine("virtio_blk_test: read-only: the driver refused the write");
                if (!Check(disk.Submit(2, VirtioBlockDevice.RequestWrite, WrittenSector, 1, evenIfReadOnly: true) == Error.None)) return s_check; // 31
                disk.Notify();
                if (!Check(disk.Wait(2) != VirtioBlockDevice.StatusOk)) return s_check;                            // 32
                Console.WriteLine("virtio_blk_test: read-only: the device refused it too");
                if (!Check(disk.Submit(3, VirtioBlockDevice.RequestRead, WrittenSector, 1) == Error.None)) return s_check; // 33
                disk.Notify();
                if (!Check(disk.Wait(3) == VirtioBlockDevice.StatusOk && Matches(disk.Data(3), WrittenSector, 1))) return s_check; // 34
                return 0;
            }
            if (!Check(disk.Submit(2, VirtioBlockDevice.RequestWrite, WrittenSector, 1) == Error.None)) return s_check; // 30
            disk.Notify();
            if (!Check(disk.Wait(2) == VirtioBlockDevice.StatusOk)) return s_check;                                // 31
            if ((disk.Features & VirtioBlockDevice.FeatureFlush) != 0)
            {
                if (!Check(disk.Submit(1, VirtioBlockDevice.RequestFlush, 0, 0) == Error.None)) return s_check;    // 32
                disk.Notify();
                if (!Check(disk.Wait(1) == VirtioBlockDevice.StatusOk)) return s_check;                            // 33
                Console.WriteLine("virtio_blk_test: flushed");
            }
            s_check = 40;
            byte* back = disk.Data(3);
            for (int i = 0; i < VirtioBlockDevice.SectorSize; i++)
                back[i] = 0;
            if (!Check(disk.Submit(3, VirtioBlockDevice.RequestRead, WrittenSector, 1) == Error.None)) return s_check; // 40
            disk.Notify();
            if (!Check(disk.Wait(3) == VirtioBlockDevice.StatusOk)) return s_check;                                // 41
            bool same = true;
            for (int i = 0; i < VirtioBlockDevice.SectorSize; i++)
                same &= back[i] == (byte)(0xA5 ^ i);
            if (!Check(same)) return s_check;                                                                      // 42
            Console.WriteLine("virtio_blk_test: wrote sector 5 and read it back");
            return 0;
        }

        // The host's pattern (PciBootTests' VirtioDisk): byte 0 of sector N is N, byte k is k + 7N (mod 256).
        private static bool Matches(byte* data, int firstSector, int count)
        {
            for (int sector = firstSector; sector < firstSector + count; sector++)
            {
                byte* bytes = data + (sector - firstSector) * VirtioBlockDevice.SectorSize;
                for (int k = 0; k < VirtioBlockDevice.SectorSize; k++)
                    if (bytes[k] != (byte)(k == 0 ? sector : k + sector * 7))
                        return false;
            }
            return true;
        }

        private static bool Check(bool condition)
        {
            if (!condition)
            {
                Console.Write("virtio_blk_test: check ");
                Console.Write(s_check);
                Console.WriteLine(" failed");
            }
            else
            {
                s_check++;
            }
            return condition;
        }
    }
}
