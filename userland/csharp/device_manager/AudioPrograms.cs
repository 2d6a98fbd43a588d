using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Audio;

namespace DeviceManager
{
    /// <summary>
    /// Starts the two programs of an HD Audio controller around what the manager makes and keeps: the DMA memory
    /// (AudioDmaLayout: descriptor lists, positions, rings), the audio-device channel's facts page, one notification each,
    /// and the service's endpoint (registered as "audio" by the manager; a restarted service gets a fresh one under the
    /// same name).
    /// intel_hda ("intel_hda audioN ADDRESS BAR...") gets its device's capabilities and the driver's side; the audio
    /// service ("audio audioN") the DMA memory (map and write, no physical address), the facts, its notification, the
    /// driver's (Signal only) and the endpoint.
    /// </summary>
    internal static unsafe class AudioPrograms
    {
        private const int CommandCapacity = 64;
        private const int MaximumDriverHandles = 16;

        public struct Channel
        {
            public MemoryObject Dma, Facts;
            public byte* SharedFacts;
            public Notification Driver, Service;
            public Endpoint Endpoint;
        }

        public static Error CreateChannel(RootResource root, Endpoint names, out Channel channel)
        {
            channel = default;
            Error error = root.CreateDmaMemory(AudioDmaLayout.TotalBytes, out channel.Dma);
            if (error == Error.None)
                error = MemoryObject.Create(4096, out channel.Facts);
            if (error == Error.None)
                error = channel.Facts.Map(true, out channel.SharedFacts);
            if (error == Error.None)
                error = Notification.Create(out channel.Driver);
            if (error == Error.None)
                error = Notification.Create(out channel.Service);
            if (error == Error.None)
                error = CreateEndpoint(names, out channel.Endpoint);
            return error;
        }

        /// <summary>A fresh endpoint for the service, registered as "audio" (replacing its predecessor's: an endpoint
        /// serves the first process that receives on it, so a restarted service needs a new one).</summary>
        public static Error CreateEndpoint(Endpoint names, out Endpoint endpoint)
        {
            Error error = Endpoint.Create(out endpoint);
            Endpoint registered = default;
            if (error == Error.None)
                error = endpoint.Duplicate(Exo.Std.Services.NameService.RegisteredRights, out registered);
            if (error == Error.None)
                error = new Exo.Std.Services.NameService(names).Register(AudioServiceOperation.ServiceName, registered);
            registered.Close();
            return error;
        }

        /// <summary>Starts intel_hda: the device, one physical range per memory BAR, the DMA memory, the facts, the driver's
        /// notification (it waits), the service's (Signal only), the console.</summary>
        public static Error StartDriver(RootResource root, PciDevice device, int address, int number, in Channel channel, out ProcessHandle driver)
        {
            driver = default;
            Handle* handles = stackalloc Handle[MaximumDriverHandles];
            int count = 0;
            handles[count++] = device.Handle;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "intel_hda audio");
            length = CommandLine.AppendDecimal(command, length, number);
            command[length++] = (byte)' ';
            length = CommandLine.AppendPciAddress(command, length, address);
            length = DriverLaunch.AddBarRanges(root, device, handles, ref count, command, length);
            int owned = count;
            Error error = channel.Service.Duplicate(Rights.Signal | Rights.Grant, out Notification serviceSignal);
            if (error == Error.None)
            {
                handles[count++] = channel.Dma.Handle;
                handles[count++] = channel.Facts.Handle;
                handles[count++] = channel.Driver.Handle;
                handles[count++] = serviceSignal.Handle;
                handles[count] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, count + 1, out driver);
                serviceSignal.Close();
            }
            DriverLaunch.Report(error, command, length);
            for (int i = 1; i < owned; i++)
                handles[i].Close();
            return error;
        }

        /// <summary>Starts the audio service: the DMA memory (Map and Write only), the facts, its notification, the
        /// driver's (Signal only), the endpoint, the console.</summary>
        public static Error StartService(in Channel channel, int number, out ProcessHandle service)
        {
            service = default;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "audio audio");
            length = CommandLine.AppendDecimal(command, length, number);
            Handle* handles = stackalloc Handle[6];
            Error error = channel.Dma.Duplicate(Rights.Map | Rights.Read | Rights.Write | Rights.Grant, out MemoryObject dma);
            Notification driverSignal = default;
            if (error == Error.None)
                error = channel.Driver.Duplicate(Rights.Signal | Rights.Grant, out driverSignal);
            if (error == Error.None)
            {
                handles[0] = dma.Handle;
                handles[1] = channel.Facts.Handle;
                handles[2] = channel.Service.Handle;
                handles[3] = driverSignal.Handle;
                handles[4] = channel.Endpoint.Handle;
                handles[5] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 6, out service);
            }
            dma.Close();
            driverSignal.Close();
            DriverLaunch.Report(error, command, length);
            return error;
        }
    }
}
