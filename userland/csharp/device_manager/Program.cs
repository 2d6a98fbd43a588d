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
    /// side of a block-device channel to it (DiskPrograms); for each modern virtio network card, virtio_net and the
    /// card's client ("CLIENT netN": CLIENT is the manager's first argument, none if absent) with a network-device
    /// channel between them (NetworkPrograms); for the first Bochs VBE display (QEMU's std-vga or bochs-display), when its
    /// second argument names a display client ("device_manager NETCLIENT DISPLAYCLIENT [LAYOUT [boot-framebuffer | bench]]"), the
    /// display driver (or else the boot loader's framebuffer), the PS/2 input driver, the first virtio tablet's driver and
    /// that client, once the bus is listed (DesktopPrograms); for an HD Audio controller, intel_hda and the audio service
    /// around the device's DMA memory, registered as "audio" with the name service (AudioPrograms). Then it watches every
    /// pair and starts a pair again when one of its
    /// programs crashes (DiskSupervisor, NetworkSupervisor); it never exits (init would start it again).
    /// </summary>
    public static unsafe class Program
    {
        private const uint ModernVirtioBlock = 0x1042u << 16 | 0x1AF4;
        private const uint ModernVirtioNetwork = 0x1041u << 16 | 0x1AF4;
        /// <summary>A transitional virtio device (QEMU's virtio-net-pci on q35's root bus unless disable-legacy=on): also
        /// modern when its capabilities are there (virtio_net refuses it otherwise); subsystem 1 says a network card.</summary>
        private const uint TransitionalVirtioNetwork = 0x1000u << 16 | 0x1AF4;
        private const uint NetworkSubsystem = 1;
        /// <summary>Class 04 (multimedia), subclass 03: an HD Audio controller (QEMU's intel-hda 8086:2668, ich9-intel-hda 8086:293e).</summary>
        private const uint HdAudioClass = 0x0403;

        public static int Main()
        {
            Handle rootHandle = Handle.None, namesHandle = Handle.None;
            for (int i = 0; i < Process.StartupHandleCount; i++)
            {
                if (Process.StartupHandle(i).Info(out ObjectType type, out _) != Error.None)
                    continue;
                if (type == ObjectType.Resource)
                    rootHandle = Process.StartupHandle(i);
                else if (type == ObjectType.Endpoint && !namesHandle.IsValid)
                    namesHandle = Process.StartupHandle(i);   // init's first grant: the name service
            }
            Notification.Create(out Notification ends);
            if (!rootHandle.IsValid)
            {
                Console.WriteLine("devices: no root resource (start me with init's driver-service)");
                ends.Wait(out _);
            }
            var root = new RootResource(rootHandle);
            var disks = new DiskSupervisor[DiskSupervisor.MaximumDisks];
            var cards = new NetworkSupervisor[NetworkSupervisor.MaximumCards];
            var audio = new AudioSupervisor[AudioSupervisor.MaximumControllers];
            byte* client = null;
            int clientLength = 0;
            if (!Process.TryGetArgument(1, out client, out clientLength))
                clientLength = 0;
            if (!Process.TryGetArgument(2, out byte* displayClient, out int displayClientLength))
                displayClientLength = 0;
            if (!Process.TryGetArgument(3, out byte* layout, out int layoutLength))
                layoutLength = 0;
            int started = 0, networks = 0, listed = 0, displays = 0, controllers = 0;
            var desktop = new DesktopPrograms
            {
                PreferBootFramebuffer = Process.ArgumentIs(4, "boot-framebuffer"),
                BenchClient = Process.ArgumentIs(4, "bench"),
            };
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
                else if (IsVirtioNetwork(device, identity) && networks < NetworkSupervisor.MaximumCards
                    && cards[networks].Start(root, device, address, networks, client, clientLength, ends))
                    networks++;
                else if (IsHdAudio(device) && namesHandle.IsValid && controllers < AudioSupervisor.MaximumControllers
                    && audio[controllers].Start(root, device, address, controllers, new Endpoint(namesHandle), ends))
                    controllers++;
                else if (displayClientLength > 0 && desktop.Keep(device, address, identity))
                    continue;   // started once the whole bus is listed
                else
                    device.Close();   // the function is free again; a started driver holds its own copy
            }
            if (displayClientLength > 0)
                desktop.FindBootFramebuffer(root);
            if (desktop.HasDisplay && desktop.Start(root, displayClient, displayClientLength, layout, layoutLength, ends) == Error.None)
                displays = 1;
            else
                desktop.Close();
            Console.Write("devices: ");
            Console.Write(listed);
            Console.Write(" PCI functions, ");
            Console.Write(started + networks + controllers + displays * desktop.Drivers);
            Console.WriteLine(" drivers started");
            while (true)
            {
                ends.Wait(out ulong bits);
                for (int i = 0; i < started; i++)
                    disks[i].Handle(root, ends, bits);
                for (int i = 0; i < networks; i++)
                    cards[i].Handle(root, ends, bits);
                for (int i = 0; i < controllers; i++)
                    audio[i].Handle(root, ends, bits);
                if (displays == 1)
                    desktop.Handle(ends, bits);
            }
        }

        private static bool IsHdAudio(PciDevice device)
        {
            device.Read(0x0A, 2, out uint classCode);
            return classCode == HdAudioClass;
        }

        private static bool IsVirtioNetwork(PciDevice device, uint identity)
        {
            if (identity == ModernVirtioNetwork)
                return true;
            device.Read(0x2E, 2, out uint subsystem);
            return identity == TransitionalVirtioNetwork && subsystem == NetworkSubsystem;
        }
    }
}
