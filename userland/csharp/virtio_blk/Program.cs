using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Drivers.Virtio;
using Exo.Protocols.BlockDevice;

namespace VirtioBlock
{
    /// <summary>
    /// The virtio-blk driver as the device manager starts it: "virtio_blk ADDRESS BAR..." holding exactly its
    /// device (handle 0), one physical range per BAR named on the command line, DMA memory for the rings and for
    /// the requests, then optionally a block-device channel (its memory, the notification it waits on, the client's
    /// to signal), a second one (its memory, its client's notification: the kernel's) and the console. It starts the device, reports its capacity and reads sector 0, then serves the
    /// block-device protocol on the channel (BlockServer), or waits if it was given none.
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            int bars = Process.ArgumentCount - 2;
            if (bars < 1 || bars > 6 || Process.StartupHandleCount < bars + 3)
            {
                Console.WriteLine("virtio_blk: started without its device's capabilities (the device manager starts it)");
                return 1;
            }
            Process.TryGetArgument(1, out byte* address, out int addressLength);
            var pci = new PciDevice(Process.StartupHandle(0));
            byte** mapped = stackalloc byte*[DriverBars.MaximumBars];
            if (!DriverBars.Map(2, bars, mapped))
                return Report(address, addressLength, "cannot map its BARs", Error.Invalid);
            var ring = new MemoryObject(Process.StartupHandle(1 + bars));
            var slots = new MemoryObject(Process.StartupHandle(2 + bars));
            var disk = new VirtioBlockDevice();
            Error error = disk.Start(pci, mapped, ring, slots);
            if (error != Error.None)
                return Report(address, addressLength, "cannot start the device", error);
            Console.Write("virtio_blk: ");
            Console.WriteBytes(address, addressLength);
            Console.Write(" capacity ");
            Console.Write(disk.Capacity);
            Console.WriteLine(disk.IsReadOnly ? " sectors, read-only" : " sectors, writable");
            byte status = 0xFF;
            if (disk.Submit(0, VirtioBlockDevice.RequestRead, 0, 1) == Error.None)
            {
                disk.Notify();
                status = disk.Wait(0);
            }
            Console.Write("virtio_blk: sector 0 read, status ");
            Console.Write((int)status);
            Console.Write(", first bytes ");
            for (int i = 0; i < 4; i++)
            {
                Console.WriteHex(disk.Data(0)[i]);
                Console.Write(' ');
            }
            Console.WriteLine();
            BlockChannel* channels = stackalloc BlockChannel[BlockChannelLayout.MaximumChannels];
            ulong* physicals = stackalloc ulong[BlockChannelLayout.MaximumChannels];
            int count = 0;
            Handle driverNotification = Process.StartupHandle(4 + bars);
            for (int first = 3 + bars; count < BlockChannelLayout.MaximumChannels; first += count == 1 ? 3 : 2)
            {
                // The first channel: (memory, the driver's notification, the client's); the next: (memory, the client's),
                // their requests signalling the same driver notification with their own bit.
                Handle channelMemory = Process.StartupHandle(first);
                if (channelMemory.Info(out ObjectType type, out _) != Error.None || type != ObjectType.MemoryObject)
                    break;
                error = BlockChannel.Attach(new MemoryObject(channelMemory), new Notification(driverNotification),
                    new Notification(Process.StartupHandle(count == 0 ? first + 2 : first + 1)), true, out channels[count], count);
                if (error != Error.None)
                    return Report(address, addressLength, "cannot attach its block-device channel", error);
                // DMA memory (physically contiguous) lets the device reach the data area itself; other memory: 0, copies.
                if (new MemoryObject(channelMemory).PhysicalAddress(out physicals[count]) != Error.None)
                    physicals[count] = 0;
                count++;
            }
            if (count > 0)
            {
                new BlockServer(&disk, channels, physicals, count).Run();
                return Report(address, addressLength, "its block-device channel failed", Error.Invalid);
            }
            Notification.Create(out Notification idle);
            while (true)
                idle.Wait(out _);   // no client: the device manager gave no channel
        }

        private static int Report(byte* address, int length, string what, Error error)
        {
            Console.Write("virtio_blk: ");
            Console.WriteBytes(address, length);
            Console.Write(": ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
