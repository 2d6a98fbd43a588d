using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace DeviceManager
{
    /// <summary>
    /// The device manager: init gives it the root resource (a driver service). It lists every PCI function
    /// ("devices: bb:dd.f vvvv:dddd class cccccc") and starts virtio_blk for each modern virtio block device,
    /// giving the driver only that device's capabilities: its configuration space (the PciDevice capability,
    /// through which the driver binds its MSI-X entries), a physical range for each memory BAR the kernel lets
    /// a driver map (not the MSI-X table's), and DMA memory for its queue and requests. Then it waits, reporting
    /// a driver that ends; it never exits (init would start it again).
    /// </summary>
    public static unsafe class Program
    {
        private const uint ModernVirtioBlock = 0x1042u << 16 | 0x1AF4;
        private const int MaximumDrivers = 4;
        private const int CommandCapacity = 64;

        public static int Main()
        {
            Handle rootHandle = Handle.None;
            for (int i = 0; i < Process.StartupHandleCount; i++)
                if (Process.StartupHandle(i).Info(out ObjectType type, out _) == Error.None && type == ObjectType.Resource)
                    rootHandle = Process.StartupHandle(i);
            Notification.Create(out Notification ends);
            if (!rootHandle.IsValid)
            {
                Console.WriteLine("devices: no root resource (start me with init's driver-service)");
                ends.Wait(out _);
            }
            var root = new RootResource(rootHandle);
            var drivers = new ProcessHandle[MaximumDrivers];
            var devices = new PciDevice[MaximumDrivers];
            int started = 0, listed = 0;
            var scan = new PciScan();
            while (scan.MoveNext(root, out PciDevice device, out int address))
            {
                Console.Write("devices: ");
                PciScan.WriteListing(address, device);
                Console.WriteLine();
                listed++;
                device.Read(0, 4, out uint identity);
                if (identity == ModernVirtioBlock && started < MaximumDrivers && StartBlockDriver(root, device, address, out drivers[started]) == Error.None)
                {
                    drivers[started].Watch(ends, 1UL << started);
                    devices[started++] = device;
                }
                else
                {
                    device.Close();   // the function is free again; the started driver holds its own copy
                }
            }
            Console.Write("devices: ");
            Console.Write(listed);
            Console.Write(" PCI functions, ");
            Console.Write(started);
            Console.WriteLine(" drivers started");
            while (true)
            {
                ends.Wait(out ulong bits);
                for (int i = 0; i < started; i++)
                {
                    if ((bits & (1UL << i)) == 0)
                        continue;
                    drivers[i].Wait(out long status);
                    // Its DMA memory is gone with it: the device must not write there any more (no IOMMU).
                    devices[i].Read(4, 2, out uint command);
                    devices[i].Write(4, 2, command & ~4u);
                    Console.Write("devices: a virtio_blk driver ended with status ");
                    Console.Write(status);
                    Console.WriteLine(", bus mastering turned off");
                }
            }
        }

        // Handles for the driver, in order: the device, one physical range per BAR listed on its command line,
        // DMA memory for the rings, DMA memory for the requests, the console.
        private static Error StartBlockDriver(RootResource root, PciDevice device, int address, out ProcessHandle driver)
        {
            driver = default;
            Handle* handles = stackalloc Handle[12];
            int count = 0;
            handles[count++] = device.Handle;
            byte* command = stackalloc byte[CommandCapacity];
            int length = Append(command, 0, "virtio_blk ");
            length = AppendHex(command, length, (uint)address >> 8, 2);   // bb:dd.f, as the listing writes it
            command[length++] = (byte)':';
            length = AppendHex(command, length, (uint)(address >> 3) & 31, 2);
            command[length++] = (byte)'.';
            length = AppendHex(command, length, (uint)address & 7, 1);
            for (int bar = 0; bar < 6; bar++)
            {
                if (device.BarSize(bar, out ulong size) != Error.None || size == 0)
                    continue;
                device.Read(0x10 + 4 * bar, 4, out uint low);
                if ((low & 1) != 0)
                    continue;   // I/O BARs: the modern transport does not use them
                ulong start = low & ~0xFu;
                if (((low >> 1) & 3) == 2)
                {
                    device.Read(0x14 + 4 * bar, 4, out uint high);
                    start |= (ulong)high << 32;
                }
                // The MSI-X table's BAR is refused (AccessDenied): that one stays the kernel's.
                if (root.CreatePhysical(start, size < 4096 ? 4096 : size, out PhysicalRange range) != Error.None)
                    continue;
                handles[count++] = range.Handle;
                command[length++] = (byte)' ';
                command[length++] = (byte)('0' + bar);
            }
            Error error = root.CreateDmaMemory(4096, out MemoryObject ring);
            if (error == Error.None)
            {
                handles[count++] = ring.Handle;
                error = root.CreateDmaMemory(32768, out MemoryObject slots);
                if (error == Error.None)
                    handles[count++] = slots.Handle;
            }
            handles[count] = Process.ConsoleHandle;
            if (error == Error.None)
                error = Process.Spawn(command, length, handles, count + 1, out driver);
            for (int i = 1; i < count; i++)
                handles[i].Close();   // the driver has its own copies; the manager keeps only the device
            Console.Write("devices: ");
            Console.Write(error == Error.None ? "started " : "cannot start ");
            Console.WriteBytes(command, length);
            Console.WriteLine();
            return error;
        }

        private static int Append(byte* buffer, int at, string text)
        {
            for (int i = 0; i < text.Length; i++)
                buffer[at++] = (byte)text[i];
            return at;
        }

        private static int AppendHex(byte* buffer, int at, uint value, int digits)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                uint nibble = (value >> shift) & 0xF;
                buffer[at++] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            }
            return at;
        }
    }
}
