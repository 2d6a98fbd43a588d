using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace DeviceManager
{
    /// <summary>
    /// The device manager: init gives it the root resource (a driver service). It lists every PCI function
    /// ("devices: bb:dd.f vvvv:dddd class cccccc") and, for each modern virtio block device, starts virtio_blk with only
    /// that device's capabilities and an extfs ("extfs diskN", disks numbered in listing order) with only the client
    /// side of a block-device channel to it (DiskPrograms). Then it watches every pair and starts a pair again when one
    /// of its programs crashes (DiskSupervisor); it never exits (init would start it again).
    /// </summary>
    public static unsafe class Program
    {
        private const uint ModernVirtioBlock = 0x1042u << 16 | 0x1AF4;

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
            var disks = new DiskSupervisor[DiskSupervisor.MaximumDisks];
            int started = 0, listed = 0;
            var scan = new PciScan();
            while (scan.MoveNext(root, out PciDevice device, out int address))
            {
                Console.Write("devices: ");
                PciScan.WriteListing(address, device);
                Console.WriteLine();
                listed++;
                device.Read(0, 4, out uint identity);
                if (identity == ModernVirtioBlock && started < DiskSupervisor.MaximumDisks && disks[started].Start(root, device, address, started, ends))
                    started++;   // the manager keeps the device: it turns bus mastering off and starts drivers again
                else
                    device.Close();   // the function is free again; a started driver holds its own copy
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
                    disks[i].Handle(root, ends, bits);
            }
        }
    }
}
