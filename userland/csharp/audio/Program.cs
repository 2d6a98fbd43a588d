using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// The audio service as the device manager starts it beside intel_hda: handles the device's DMA memory (map, write),
    /// the audio-device channel's facts page, its own notification (it waits; the driver and the manager signal it), the
    /// driver's (Signal only), the endpoint the manager registered as "audio" (it receives on it), the console. Its server
    /// thread answers the endpoint (StreamServer), its channel thread the service channels of /dev/dsp (ChannelServer); its
    /// main thread mixes (OutputLoop).
    /// </summary>
    public static unsafe class Program
    {
        private const int ExpectedHandles = 5;

        public static int Main()
        {
            if (Process.StartupHandleCount < ExpectedHandles)
            {
                Console.WriteLine("audio: started without its device's channel (the device manager starts it)");
                return 1;
            }
            byte* facts = null;
            Error error = new MemoryObject(Process.StartupHandle(0)).Map(true, out byte* dma);
            if (error == Error.None)
                error = new MemoryObject(Process.StartupHandle(1)).Map(true, out facts);
            if (error != Error.None)
                return Report("cannot map its device's memory", error);
            var own = new Notification(Process.StartupHandle(2));
            var driver = new Notification(Process.StartupHandle(3));
            StreamServer.Endpoint = new Endpoint(Process.StartupHandle(4));
            if (!StreamTable.Initialize() || !OutputLoop.Initialize())
                return Report("out of memory", Error.OutOfMemory);
            error = ServiceThread.Start(&StreamServer.Serve, 0);
            if (error != Error.None)
                return Report("cannot start its server thread", error);
            error = ServiceThread.Start(&ChannelServer.Serve, 0);
            if (error != Error.None)
                return Report("cannot start its channel thread", error);
            OutputLoop.Run(dma, (AudioDeviceFacts*)facts, own, driver);
            return 0;
        }

        private static int Report(string what, Error error)
        {
            Console.Write("audio: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
