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
    /// Starts the two programs of one network card with a fresh network-device channel between them: virtio_net
    /// ("virtio_net netN ADDRESS BAR...") with only its device's capabilities, and the card's client ("CLIENT netN", the
    /// program the manager's configuration names: the test program for now, the network service later) with only the
    /// channel's client side, as a disk's extfs gets its block-device channel.
    /// </summary>
    internal static unsafe class NetworkPrograms
    {
        private const int CommandCapacity = 64;
        private const int MaximumDriverHandles = 16;

        /// <summary>What the manager keeps of a started pair: the channel mapped (to say the driver is gone) and the
        /// client's notification (to wake it with the news).</summary>
        public struct Channel
        {
            public MemoryObject Memory;
            public byte* Shared;
            public Notification Client;
        }

        /// <summary>
        /// Starts the driver, then (if it started) the client. Handles for the driver, in order: the device, one physical
        /// range per BAR listed on its command line, DMA memory for the rings, DMA memory for the frame buffers, the
        /// channel's memory, the driver's notification (it waits; its MSI-X entries signal it too), the client's (Signal
        /// only), the console. For the client: the channel's memory, its notification (it waits), the driver's (Signal
        /// only), the console. 'clientError' is the client's (Invalid when the driver did not start).
        /// </summary>
        public static Error Start(RootResource root, PciDevice device, int address, int number, byte* client, int clientLength,
            out ProcessHandle driver, out ProcessHandle clientProcess, out Error clientError, out Channel kept)
        {
            driver = clientProcess = default;
            kept = default;
            clientError = Error.Invalid;
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
            Notification driverSide = default;
            if (error == Error.None)
                error = NetworkChannel.Create(out kept.Memory, out kept.Shared, out driverSide, out kept.Client);
            Notification clientSignal = default;
            if (error == Error.None)
                error = kept.Client.Duplicate(Rights.Signal | Rights.Grant, out clientSignal);
            if (error == Error.None)
            {
                handles[count++] = kept.Memory.Handle;
                handles[count++] = driverSide.Handle;
                handles[count++] = clientSignal.Handle;
            }
            handles[count] = Process.ConsoleHandle;
            if (error == Error.None)
                error = Process.Spawn(command, length, handles, count + 1, out driver);
            DriverLaunch.Report(error, command, length);
            if (error == Error.None && clientLength > 0)
                clientError = StartClient(kept, driverSide, number, client, clientLength, out clientProcess);
            for (int i = 1; i < count; i++)
                if (handles[i].Value != kept.Memory.Handle.Value)
                    handles[i].Close();   // the driver has its own copies; the manager keeps the device and the channel
            return error;
        }

        private static Error StartClient(Channel channel, Notification driverSide, int number, byte* client, int clientLength, out ProcessHandle process)
        {
            process = default;
            byte* command = stackalloc byte[CommandCapacity];
            if (clientLength > CommandCapacity - 8)
                return Error.Invalid;
            int length = 0;
            for (; length < clientLength; length++)
                command[length] = client[length];
            length = CommandLine.Append(command, length, " net");
            length = CommandLine.AppendDecimal(command, length, number);
            Handle* handles = stackalloc Handle[4];
            Error error = driverSide.Duplicate(Rights.Signal | Rights.Grant, out Notification driverSignal);
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
