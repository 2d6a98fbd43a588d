using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;
using Exo.Protocols.Display;
using Exo.Protocols.Input;
using Exo.Protocols.Rings;

namespace Compositor
{
    /// <summary>
    /// The compositor, as the device manager starts it for the display client ("compositor display0"), with the handles
    /// display_demo had: the display channel's page, its own notification (the drivers and its clients ring it), the display
    /// driver's (Signal only), the framebuffer (a physical range), the input channel's page, the input driver's notification
    /// (Signal only), the console; with a tablet, its input page and its driver's notification. It listens for clients
    /// under "compositor" (service channels: /dev/exo/compositor for Linux programs) and, each time it is rung: takes new
    /// clients, serves their requests (Clients), routes the input (Desktop), composes what was damaged off-screen and
    /// copies it to the framebuffer (Screen), and publishes the events.
    /// </summary>
    public static unsafe class Program
    {
        /// <summary>Its own notification's bits: the display driver's, the input drivers', new clients', clients' doorbells.</summary>
        private const ulong ListenerBit = 4, ClientBit = 8;
        private const int BatchSize = 16;

        private static DisplayChannelHeader* s_display;
        private static Notification s_own, s_displayDriver;

        public static int Main()
        {
            if (Process.StartupHandleCount < 7)
            {
                Console.WriteLine("compositor: started without its channels (the device manager starts it)");
                return 1;
            }
            if (new MemoryObject(Process.StartupHandle(0)).Map(true, out byte* displayPage) != Error.None
                || new PhysicalRange(Process.StartupHandle(3)).Map(0, true, out byte* framebuffer) != Error.None
                || new MemoryObject(Process.StartupHandle(4)).Map(true, out byte* inputPage) != Error.None)
            {
                Console.WriteLine("compositor: cannot map its channels or the framebuffer");
                return 2;
            }
            s_display = (DisplayChannelHeader*)displayPage;
            var input = (InputChannelHeader*)inputPage;
            s_own = new Notification(Process.StartupHandle(1));
            s_displayDriver = new Notification(Process.StartupHandle(2));
            while (Volatile.Read(ref s_display->Magic) != DisplayChannelHeader.ExpectedMagic
                || Volatile.Read(ref input->Magic) != InputChannelHeader.ExpectedMagic)
                if (s_own.Wait(out _) != Error.None)
                    return 3;
            var events = new SpscConsumer();
            var tabletEvents = new SpscConsumer();
            if (!events.Attach(inputPage + InputChannelHeader.RingOffset))
            {
                Console.WriteLine("compositor: the input channel has no ring");
                return 4;
            }
            bool tablet = Process.StartupHandleCount >= 9 && AttachTablet(ref tabletEvents);
            if (!Screen.Initialize(framebuffer, (int)s_display->Width, (int)s_display->Height, (int)s_display->Pitch)
                || !Clients.Initialize() || !Surfaces.Initialize())
            {
                Console.WriteLine("compositor: out of memory");
                return 5;
            }
            Desktop.Windows = new WindowStack(Screen.Width, Screen.Height);
            Error error = Clients.Listen(s_own, ListenerBit);
            if (error != Error.None)
            {
                Console.Write("compositor: cannot listen: ");
                Console.WriteLine(Errors.Describe(error));
                return 6;
            }
            Compose();
            Console.Write("compositor: desktop ");
            Console.Write(Screen.Width);
            Console.Write('x');
            Console.Write(Screen.Height);
            Console.WriteLine(" drawn, listening as compositor");
            InputEvent* batch = stackalloc InputEvent[BatchSize];
            bool more = true;
            while (true)
            {
                Clients.AcceptAll(s_own, ClientBit);
                more = Clients.ServeAll(Desktop.Windows);
                HandleAll(ref events, batch);
                if (tablet)
                    HandleAll(ref tabletEvents, batch);
                Desktop.UpdateFocus();
                Clients.FlushEvents();
                Compose();
                // A client with requests left is served again at once (after the others had their turn).
                if ((more ? s_own.Poll(out _) : s_own.Wait(out _)) is not (Error.None or Error.WouldBlock))
                    return 7;
            }
        }

        private static void HandleAll(ref SpscConsumer events, InputEvent* batch)
        {
            int count;
            while ((count = events.ReadBatch(batch, BatchSize)) > 0)
            {
                for (int i = 0; i < count; i++)
                    Desktop.Handle(ref batch[i]);
                events.Release();
            }
        }

        /// <summary>The damaged parts composed and copied; the driver told the bounding rectangle (a flush).</summary>
        private static void Compose()
        {
            if (!Screen.ComposeAndFlush(Desktop.Windows, out Rectangle bounds))
                return;
            s_display->DamageX = (uint)bounds.X;
            s_display->DamageY = (uint)bounds.Y;
            s_display->DamageWidth = (uint)bounds.Width;
            s_display->DamageHeight = (uint)bounds.Height;
            Volatile.Write(ref s_display->DamageSequence, s_display->DamageSequence + 1);
            s_displayDriver.Signal(DisplayChannelHeader.DriverBit);
        }

        /// <summary>The tablet's channel (handles 7 and 8), once its driver has laid it out.</summary>
        private static bool AttachTablet(ref SpscConsumer events)
        {
            if (new MemoryObject(Process.StartupHandle(7)).Map(true, out byte* page) != Error.None)
                return false;
            var header = (InputChannelHeader*)page;
            while (Volatile.Read(ref header->Magic) != InputChannelHeader.ExpectedMagic)
                if (s_own.Wait(out _) != Error.None)
                    return false;
            Console.WriteLine("compositor: tablet attached");
            return events.Attach(page + InputChannelHeader.RingOffset);
        }
    }
}
