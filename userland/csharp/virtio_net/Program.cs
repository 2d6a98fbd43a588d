using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Drivers.Virtio;
using Exo.Protocols.NetworkDevice;

namespace VirtioNet
{
    /// <summary>
    /// The virtio-net driver as the device manager starts it: "virtio_net NAME ADDRESS BAR..." holding exactly its device
    /// (handle 0), one physical range per BAR named on the command line, DMA memory for the rings and for the frame
    /// buffers, the network-device channel (its memory, the notification it waits on, the client's to signal) and the
    /// console. A driver started again while its client still holds the channel waits for the client to reset it
    /// (NetworkChannel.Attach). It starts the device (its MSI-X entries on the channel's notification), writes the facts
    /// (MAC, MTU, link) into the channel, reports them, then serves the channel (FrameServer).
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            int bars = Process.ArgumentCount - 3;
            if (bars < 1 || bars > 6 || Process.StartupHandleCount < bars + 6)
            {
                Console.WriteLine("virtio_net: started without its device's capabilities (the device manager starts it)");
                return 1;
            }
            Process.TryGetArgument(1, out byte* name, out int nameLength);
            var pci = new PciDevice(Process.StartupHandle(0));
            byte** mapped = stackalloc byte*[DriverBars.MaximumBars];
            if (!DriverBars.Map(3, bars, mapped))
                return Report(name, nameLength, "cannot map its BARs", Error.Invalid);
            var rings = new MemoryObject(Process.StartupHandle(1 + bars));
            var buffers = new MemoryObject(Process.StartupHandle(2 + bars));
            var own = new Notification(Process.StartupHandle(4 + bars));
            Error error = NetworkChannel.Attach(new MemoryObject(Process.StartupHandle(3 + bars)), own,
                new Notification(Process.StartupHandle(5 + bars)), true, out NetworkChannel channel);
            if (error != Error.None)
                return Report(name, nameLength, "cannot attach its network-device channel", error);
            var device = new VirtioNetDevice();
            error = device.Start(pci, mapped, rings, buffers, own);
            if (error != Error.None)
                return Report(name, nameLength, "cannot start the device", error);
            NetworkDeviceFacts* facts = channel.Facts;
            facts->MacAddress = device.MacAddress;
            facts->Mtu = NetworkChannelLayout.Mtu;
            facts->Features = 0;   // no checksum offload negotiated
            facts->LinkUp = device.LinkUp ? 1u : 0u;
            Volatile.Write(ref facts->Magic, NetworkDeviceFacts.ExpectedMagic);
            channel.Peer.Ring();   // a client waiting for its driver (after a restart) wakes now
            Console.Write("virtio_net: ");
            Console.WriteBytes(name, nameLength);
            Console.Write(" mac ");
            NetworkChannel.WriteMacAddress(device.MacAddress);
            Console.Write(", link ");
            Console.Write(device.LinkUp ? "up" : "down");
            Console.Write(", features ");
            Console.WriteHex(device.Features);
            Console.WriteLine();
            new FrameServer(&device, channel, name, nameLength).Run();
            device.Stop();
            return Report(name, nameLength, "its network-device channel failed", Error.Invalid);
        }

        private static int Report(byte* name, int length, string what, Error error)
        {
            Console.Write("virtio_net: ");
            Console.WriteBytes(name, length);
            Console.Write(": ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
