using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace DeviceManager
{
    /// <summary>
    /// The device manager: init gives it the root resource (a driver service). It lists every PCI function
    /// ("devices: bb:dd.f vvvv:dddd class cccccc") and starts virtio_blk for each modern virtio block device,
    /// giving the driver only that device's capabilities: its configuration space (the PciDevice capability,
    /// through which the driver binds its MSI-X entries), a physical range for each memory BAR the kernel lets
    /// a driver map (not the MSI-X table's), and DMA memory for its queue and requests. For each disk it makes a
    /// block-device channel and starts extfs ("extfs diskN") with the client side only: the file system service never
    /// holds the device, and the driver never holds anything of the file system's. Then it waits, reporting a driver
    /// that ends; it never exits (init would start it again).
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
                if (identity == ModernVirtioBlock && started < MaximumDrivers && StartBlockDriver(root, device, address, started, out drivers[started]) == Error.None)
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
        // DMA memory for the rings, DMA memory for the requests, the channel's memory, the driver's notification
        // (it waits), the client's (Signal only), the console. Then the file system service for the disk.
        private static Error StartBlockDriver(RootResource root, PciDevice device, int address, int disk, out ProcessHandle driver)
        {
            driver = default;
            Handle* handles = stackalloc Handle[16];
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
            MemoryObject channel = default;
            Notification driverSide = default, clientSide = default;
            if (error == Error.None)
                error = BlockChannel.Create(out channel, out driverSide, out clientSide);
            Notification clientSignal = default;
            if (error == Error.None)
                error = clientSide.Duplicate(Rights.Signal | Rights.Grant, out clientSignal);
            if (error == Error.None)
            {
                handles[count++] = channel.Handle;
                handles[count++] = driverSide.Handle;
                handles[count++] = clientSignal.Handle;
            }
            handles[count] = Process.ConsoleHandle;
            if (error == Error.None)
                error = Process.Spawn(command, length, handles, count + 1, out driver);
            Console.Write("devices: ");
            Console.Write(error == Error.None ? "started " : "cannot start ");
            Console.WriteBytes(command, length);
            Console.WriteLine();
            if (error == Error.None)
                StartFileSystem(channel, driverSide, clientSide, disk);
            for (int i = 1; i < count; i++)
                handles[i].Close();   // the driver has its own copies; the manager keeps only the device
            clientSide.Close();
            return error;
        }

        // extfs for disk number 'disk', offered to the kernel as "diskN": the channel's memory, its own notification
        // (it waits), the driver's (Signal only), the console. Not watched: init's restart rules do not cover it yet.
        private static void StartFileSystem(MemoryObject channel, Notification driverSide, Notification clientSide, int disk)
        {
            byte* command = stackalloc byte[16];
            int length = Append(command, 0, "extfs disk");
            command[length++] = (byte)('0' + disk);
            Handle* handles = stackalloc Handle[4];
            Error error = driverSide.Duplicate(Rights.Signal | Rights.Grant, out Notification driverSignal);
            if (error == Error.None)
            {
                handles[0] = channel.Handle;
                handles[1] = clientSide.Handle;
                handles[2] = driverSignal.Handle;
                handles[3] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 4, out ProcessHandle fileSystem);
                fileSystem.Close();
                driverSignal.Close();
            }
            Console.Write("devices: ");
            Console.Write(error == Error.None ? "started " : "cannot start ");
            Console.WriteBytes(command, length);
            if (error != Error.None)
            {
                Console.Write(": ");
                Console.Write(Errors.Describe(error));
            }
            Console.WriteLine();
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
