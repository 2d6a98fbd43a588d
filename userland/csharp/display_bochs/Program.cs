using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Drivers.Virtio;
using Exo.Protocols.Display;

namespace DisplayBochs
{
    /// <summary>
    /// The display driver for QEMU's std-vga (1234:1111, class 0300) and bochs-display (class 0380) as the device manager
    /// starts it: "display_bochs NAME ADDRESS BAR..." holding its device (handle 0), one physical range per memory BAR named
    /// on the command line (BAR 0 the framebuffer, BAR 2 the registers), the display channel's page, the notification it
    /// waits on and the client's (Signal only), and the console. It sets the first mode (1024x768x32), writes it into the
    /// channel, then serves the client's mode requests and flushes (libs/Exo.Protocols/Display/DisplayChannelHeader.cs).
    /// </summary>
    public static unsafe class Program
    {
        private const uint FirstWidth = 1024, FirstHeight = 768;
        private const int FramebufferBar = 0, RegistersBar = 2;
        private const uint VgaClass = 0x0300;

        public static int Main()
        {
            int bars = Process.ArgumentCount - 3;
            if (bars < 2 || bars > DriverBars.MaximumBars || Process.StartupHandleCount < bars + 5)
            {
                Console.WriteLine("display_bochs: started without its device's capabilities (the device manager starts it)");
                return 1;
            }
            var pci = new PciDevice(Process.StartupHandle(0));
            byte** mapped = stackalloc byte*[DriverBars.MaximumBars];
            if (!DriverBars.Map(3, bars, mapped) || mapped[FramebufferBar] == null || mapped[RegistersBar] == null)
                return Report("cannot map its BARs", Error.Invalid);
            if (new MemoryObject(Process.StartupHandle(1 + bars)).Map(true, out byte* page) != Error.None)
                return Report("cannot map its display channel", Error.Invalid);
            var own = new Notification(Process.StartupHandle(2 + bars));
            var client = new Notification(Process.StartupHandle(3 + bars));
            pci.Read(0x0A, 2, out uint classCode);
            pci.BarSize(FramebufferBar, out ulong framebufferBytes);
            var display = new BochsDisplay();
            Error error = display.Start(mapped[RegistersBar], classCode == VgaClass, framebufferBytes);
            if (error != Error.None)
                return Report("no Bochs VBE interface", error);
            error = display.SetMode(FirstWidth, FirstHeight);
            if (error != Error.None)
                return Report("cannot set the first mode", error);
            var header = (DisplayChannelHeader*)page;
            header->FramebufferBytes = display.VideoMemoryBytes;
            Publish(header, FirstWidth, FirstHeight);
            Volatile.Write(ref header->Magic, DisplayChannelHeader.ExpectedMagic);
            Console.Write("display_bochs: vbe ");
            Console.WriteHex(display.Version);
            Console.Write(", ");
            Console.Write((long)(display.VideoMemoryBytes >> 20));
            Console.Write(" MiB, mode ");
            WriteMode(header);
            Console.WriteLine();
            client.Signal(DisplayChannelHeader.ClientBit);
            while (own.Wait(out _) == Error.None)
            {
                uint request = Volatile.Read(ref header->RequestSequence);
                if (request != header->AnsweredSequence)
                {
                    uint width = Volatile.Read(ref header->RequestedWidth), height = Volatile.Read(ref header->RequestedHeight);
                    error = display.SetMode(width, height);
                    if (error == Error.None)
                        Publish(header, width, height);
                    else if (display.SetMode(header->Width, header->Height) != Error.None)
                        return Report("cannot set the previous mode again", error);
                    header->AnswerError = (int)error;
                    Volatile.Write(ref header->AnsweredSequence, request);
                    Console.Write("display_bochs: mode ");
                    if (error == Error.None)
                        WriteMode(header);
                    else
                        Console.Write(Errors.Describe(error));
                    Console.WriteLine();
                    client.Signal(DisplayChannelHeader.ClientBit);
                }
                uint damage = Volatile.Read(ref header->DamageSequence);
                if (damage != header->FlushesSeen)
                    header->FlushesSeen = damage;   // the device scans the framebuffer out itself: nothing to copy
            }
            return Report("its notification failed", Error.Invalid);
        }

        private static void Publish(DisplayChannelHeader* header, uint width, uint height)
        {
            header->Width = width;
            header->Height = height;
            header->Pitch = width * DisplayModes.BytesPerPixel;
            header->BitsPerPixel = DisplayModes.BitsPerPixel;
            header->ModeChanges++;
        }

        private static void WriteMode(DisplayChannelHeader* header)
        {
            Console.Write((long)header->Width);
            Console.Write('x');
            Console.Write((long)header->Height);
            Console.Write('x');
            Console.Write((long)header->BitsPerPixel);
        }

        private static int Report(string what, Error error)
        {
            Console.Write("display_bochs: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
