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
    /// Starts the two programs of one network card around a network-device channel the manager makes and keeps:
    /// virtio_net ("virtio_net netN ADDRESS BAR...") with only its device's capabilities and the driver's side, and the
    /// card's client ("CLIENT netN", the program the manager's configuration names: the test program for now, the network
    /// service later) with only the client's side, as a disk's extfs gets its block-device channel. A driver started
    /// again gets the same channel: the client keeps it and resets it (NetworkChannel.Reset).
    /// </summary>
    internal static unsafe class NetworkPrograms
    {
        private const int CommandCapacity = 64;
        private const int MaximumDriverHandles = 16;

        /// <summary>A card's channel as the manager keeps it: the memory mapped (to say the driver is gone) and both
        /// notifications (full rights: each program gets its own with Wait, the other's Signal only).</summary>
        public struct Channel
        {
            public MemoryObject Memory;
            public byte* Shared;
            public Notification Driver, Client;
        }

        public static Error CreateChannel(out Channel channel)
        {
            channel = default;
            return NetworkChannel.Create(out channel.Memory, out channel.Shared, out channel.Driver, out channel.Client);
        }

        /// <summary>
        /// Starts the driver of card 'number'. Its handles, in order: the device, one physical range per BAR listed on its
        /// command line, DMA memory for the rings, DMA memory for the frame buffers, the channel's memory, the driver's
        /// notification (it waits; its MSI-X entries signal it too), the client's (Signal only), the console.
        /// </summary>
        public static Error StartDriver(RootResource root, PciDevice device, int address, int number, in Channel channel, out ProcessHandle driver)
        {
            driver = default;
            Handle* handles = stackalloc Handle[MaximumDriverHandles];
            int count = 0;
            handles[count++] = device.Handle;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "virtio_net net");
            length = CommandLine.AppendDecimal(command, length, number);
            command[length++] = (byte)' ';
            length = CommandLine.AppendPciAddress(command, length, address);
            length = DriverLaunch.AddBarRanges(root, device, handles, ref count, command, length);
            Error error = root.CreateDmaMemory(VirtioNetDevice.RingBytes, out MemoryObject rings);
            if (error == Error.None)
            {
                handles[count++] = rings.Handle;
                error = root.CreateDmaMemory(VirtioNetDevice.BuffersBytes, out MemoryObject buffers);
                if (error == Error.None)
                    handles[count++] = buffers.Handle;
            }
            int owned = count;   // what the manager made for the driver alone, closed once it has its copies
            Notification clientSignal = default;
            if (error == Error.None)
                error = channel.Client.Duplicate(Rights.Signal | Rights.Grant, out clientSignal);
            if (error == Error.None)
            {
                handles[count++] = channel.Memory.Handle;
                handles[count++] = channel.Driver.Handle;
                handles[count++] = clientSignal.Handle;
                handles[count] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, count + 1, out driver);
                clientSignal.Close();
            }
            DriverLaunch.Report(error, command, length);
            for (int i = 1; i < owned; i++)
                handles[i].Close();   // the driver has its own copies; the manager keeps the device and the channel
            return error;
        }

        /// <summary>Starts "CLIENT netN" with the channel's memory, its own notification (it waits), the driver's (Signal
        /// only) and the console.</summary>
        public static Error StartClient(in Channel channel, int number, byte* client, int clientLength, out ProcessHandle process)
        {
            process = default;
            if (clientLength <= 0 || clientLength > CommandCapacity - 8)
                return Error.Invalid;
            byte* command = stackalloc byte[CommandCapacity];
            int length = 0;
            for (; length < clientLength; length++)
                command[length] = client[length];
            length = CommandLine.Append(command, length, " net");
            length = CommandLine.AppendDecimal(command, length, number);
            Handle* handles = stackalloc Handle[4];
            Error error = channel.Driver.Duplicate(Rights.Signal | Rights.Grant, out Notification driverSignal);
            if (error == Error.None)
            {
                handles[0] = channel.Memory.Handle;
                handles[1] = channel.Client.Handle;
                handles[2] = driverSignal.Handle;
                handles[3] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 4, out process);
                driverSignal.Close();
            }
            DriverLaunch.Report(error, command, length);
            return error;
        }
    }
}
