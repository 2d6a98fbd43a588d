using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Display;

namespace DisplayFramebuffer
{
    /// <summary>
    /// The display fallback: the framebuffer GRUB set up (multiboot2), which the device manager gives the client when no
    /// display driver knows the device. "display_framebuffer display0 WIDTH HEIGHT PITCH BYTES" with the display channel's
    /// page, the notification it waits on, the client's (Signal only) and the console. The mode is the boot loader's and
    /// stays: a request for it is answered, any other refused (NotSupported). Flushes are counted (nothing to copy).
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            if (Process.StartupHandleCount < 4 || !Process.TryParseArgument(2, out ulong width) || !Process.TryParseArgument(3, out ulong height)
                || !Process.TryParseArgument(4, out ulong pitch) || !Process.TryParseArgument(5, out ulong bytes))
            {
                Console.WriteLine("display_framebuffer: started without its mode and channel (the device manager starts it)");
                return 1;
            }
            if (new MemoryObject(Process.StartupHandle(0)).Map(true, out byte* page) != Error.None)
            {
                Console.WriteLine("display_framebuffer: cannot map its display channel");
                return 2;
            }
            var own = new Notification(Process.StartupHandle(1));
            var client = new Notification(Process.StartupHandle(2));
            var header = (DisplayChannelHeader*)page;
            header->Width = (uint)width;
            header->Height = (uint)height;
            header->Pitch = (uint)pitch;
            header->BitsPerPixel = DisplayModes.BitsPerPixel;
            header->FramebufferBytes = bytes;
            header->ModeChanges = 1;
            Volatile.Write(ref header->Magic, DisplayChannelHeader.ExpectedMagic);
            Console.Write("display_framebuffer: boot framebuffer ");
            Console.Write(width);
            Console.Write('x');
            Console.Write(height);
            Console.Write("x32, pitch ");
            Console.Write(pitch);
            Console.WriteLine();
            client.Signal(DisplayChannelHeader.ClientBit);
            while (own.Wait(out _) == Error.None)
            {
                uint request = Volatile.Read(ref header->RequestSequence);
                if (request != header->AnsweredSequence)
                {
                    bool same = header->RequestedWidth == header->Width && header->RequestedHeight == header->Height;
                    header->AnswerError = (int)(same ? Error.None : Error.NotSupported);
                    Volatile.Write(ref header->AnsweredSequence, request);
                    client.Signal(DisplayChannelHeader.ClientBit);
                }
                header->FlushesSeen = Volatile.Read(ref header->DamageSequence);
            }
            return 3;
        }
    }
}
