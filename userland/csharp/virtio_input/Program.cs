using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Drivers.Virtio;
using Exo.Protocols.Input;
using Exo.Services.Input;

namespace VirtioInput
{
    /// <summary>
    /// The virtio tablet driver (QEMU's virtio-tablet-pci: absolute pointing in a QEMU window) as the device manager starts
    /// it: "virtio_input tablet0 ADDRESS BAR..." holding its device (handle 0), one physical range per BAR named, DMA
    /// memory for the queue and its buffers, the input channel's page (a second one beside ps2_input's), the notification
    /// it waits on (MSI-X signals it) and the client's (Signal only), and the console. It turns the device's events into
    /// pointer positions, buttons and wheel steps (TabletEvents) in the channel's ring and rings the client.
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            int bars = Process.ArgumentCount - 3;
            if (bars < 1 || bars > DriverBars.MaximumBars || Process.StartupHandleCount < bars + 6)
            {
                Console.WriteLine("virtio_input: started without its device's capabilities (the device manager starts it)");
                return 1;
            }
            var pci = new PciDevice(Process.StartupHandle(0));
            byte** mapped = stackalloc byte*[DriverBars.MaximumBars];
            if (!DriverBars.Map(3, bars, mapped))
                return Report("cannot map its BARs", Error.Invalid);
            var memory = new MemoryObject(Process.StartupHandle(1 + bars));
            if (new MemoryObject(Process.StartupHandle(2 + bars)).Map(true, out byte* page) != Error.None)
                return Report("cannot map its input channel", Error.Invalid);
            var own = new Notification(Process.StartupHandle(3 + bars));
            var client = new Notification(Process.StartupHandle(4 + bars));
            var channel = new InputChannelWriter();
            if (!channel.Attach(page, client))
                return Report("cannot lay out its ring", Error.Invalid);
            var device = new VirtioInputDevice();
            Error error = device.Start(pci, mapped, memory, own);
            if (error != Error.None)
                return Report("cannot start the device", error);
            Console.WriteLine("virtio_input: tablet0 ready");
            channel.Open(InputChannelHeader.DeviceTablet);
            var tablet = new TabletEvents();
            while (own.Wait(out _) == Error.None)
            {
                while (device.TryTake(out ushort type, out ushort code, out int value))
                    if (tablet.Feed(type, code, value, out InputEvent first, out InputEvent second))
                    {
                        channel.Emit(&first);
                        channel.Emit(&second);
                    }
                device.Notify();
                channel.Flush();
            }
            return Report("its notification failed", Error.Invalid);
        }

        private static int Report(string what, Error error)
        {
            Console.Write("virtio_input: tablet0: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
