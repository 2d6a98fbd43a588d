using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Drivers.Virtio;

namespace DeviceManager
{
    /// <summary>
    /// Starts the two programs of one disk with a fresh block-device channel between them: virtio_blk with only its
    /// device's capabilities, and extfs ("extfs diskN") with only the channel's client side, so the file system service
    /// never holds the device and the driver never holds anything of the file system's.
    /// </summary>
    internal static unsafe class DiskPrograms
    {
        private const int CommandCapacity = 64;
        private const int MaximumDriverHandles = 16;

        /// <summary>
        /// Starts the driver, then (if it started) its extfs. Handles for the driver, in order: the device, one physical
        /// range per BAR listed on its command line, DMA memory for the rings, DMA memory for the requests, the channel's
        /// memory, the driver's notification (it waits), the client's (Signal only), the kernel's channel's memory and
        /// its client's notification (Signal only; its requests signal the driver's notification too), the console. 'fileSystemError' is
        /// extfs's (Invalid when the driver did not start).
        /// </summary>
        public static Error Start(RootResource root, PciDevice device, int address, int disk,
            out ProcessHandle driver, out ProcessHandle fileSystem, out Error fileSystemError)
        {
            driver = fileSystem = default;
            fileSystemError = Error.Invalid;
            Handle* handles = stackalloc Handle[MaximumDriverHandles];
            int count = 0;
            handles[count++] = device.Handle;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "virtio_blk ");
            length = CommandLine.AppendPciAddress(command, length, address);
            length = DriverLaunch.AddBarRanges(root, device, handles, ref count, command, length);
            Error error = root.CreateDmaMemory(VirtioBlockDevice.RingBytes, out MemoryObject ring);
            if (error == Error.None)
            {
                handles[count++] = ring.Handle;
                error = root.CreateDmaMemory(VirtioBlockDevice.SlotsBytes, out MemoryObject slots);
                if (error == Error.None)
                    handles[count++] = slots.Handle;
            }
            MemoryObject channel = default;
            Notification driverSide = default, clientSide = default;
            if (error == Error.None)
                error = BlockChannel.Create(root, out channel, out driverSide, out clientSide);   // DMA memory: no copies in the driver
            Notification clientSignal = default;
            if (error == Error.None)
                error = clientSide.Duplicate(Rights.Signal | Rights.Grant, out clientSignal);
            // The kernel's channel (its O_DIRECT reads), which extfs passes on with its offer; on the driver's notification.
            MemoryObject kernelChannel = default;
            Notification kernelSide = default, kernelSignal = default;
            if (error == Error.None)
                error = BlockChannel.CreateAnother(root, out kernelChannel, out kernelSide);
            if (error == Error.None)
                error = kernelSide.Duplicate(Rights.Signal | Rights.Grant, out kernelSignal);
            if (error == Error.None)
            {
                handles[count++] = channel.Handle;
                handles[count++] = driverSide.Handle;
                handles[count++] = clientSignal.Handle;
                handles[count++] = kernelChannel.Handle;
                handles[count++] = kernelSignal.Handle;
            }
            handles[count] = Process.ConsoleHandle;
            if (error == Error.None)
                error = Process.Spawn(command, length, handles, count + 1, out driver);
            DriverLaunch.Report(error, command, length);
            if (error == Error.None)
                fileSystemError = StartFileSystem(channel, driverSide, clientSide, kernelChannel, kernelSide, disk, out fileSystem);
            for (int i = 1; i < count; i++)
                handles[i].Close();   // the driver has its own copies; the manager keeps only the device
            clientSide.Close();
            kernelSide.Close();
            return error;
        }

        // extfs for disk number 'disk', offered to the kernel as "diskN": the channel's memory, its own notification
        // (it waits), the driver's (Signal only), the kernel's channel's memory and notification (extfs offers them to
        // the kernel, with the driver's), the console.
        private static Error StartFileSystem(MemoryObject channel, Notification driverSide, Notification clientSide,
            MemoryObject kernelChannel, Notification kernelSide, int disk, out ProcessHandle fileSystem)
        {
            fileSystem = default;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "extfs disk");
            length = CommandLine.AppendDecimal(command, length, disk);
            Handle* handles = stackalloc Handle[6];
            Error error = driverSide.Duplicate(Rights.Signal | Rights.Grant, out Notification driverSignal);
            if (error == Error.None)
            {
                handles[0] = channel.Handle;
                handles[1] = clientSide.Handle;
                handles[2] = driverSignal.Handle;
                handles[3] = kernelChannel.Handle;
                handles[4] = kernelSide.Handle;
                handles[5] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 6, out fileSystem);
                driverSignal.Close();
            }
            DriverLaunch.Report(error, command, length);
            return error;
        }
    }
}
