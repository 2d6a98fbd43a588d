using System.Threading;
using Exo.Abi;
using Exo.Protocols.Display;
using Exo.Protocols.Input;
using Exo.Protocols.Rings;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Services
{
    /// <summary>
    /// The display client's side of the desktop drivers' channels, as the device manager hands them over (the compositor,
    /// or display_demo in the drivers' own test): handle 0 the display channel's page, 1 the client's own notification (the
    /// drivers ring it), 2 the display driver's notification (Signal only), 3 the framebuffer (a physical range), 4 the
    /// input channel's page, 5 the input driver's notification (Signal only), 6 the console; with a tablet, 7 its input page
    /// and 8 its driver's notification. Written once so that every display client starts the same way.
    /// </summary>
    public unsafe struct DisplayClientChannels
    {
        /// <summary>Handles the device manager gives every display client, and with a tablet.</summary>
        public const int RequiredHandles = 7, HandlesWithTablet = 9;

        public DisplayChannelHeader* Display;
        public InputChannelHeader* Input;
        public byte* Framebuffer;
        public Notification Own, DisplayDriver, InputDriver;
        /// <summary>The keyboard and mouse events, and the tablet's (HasTablet).</summary>
        public SpscConsumer Events, TabletEvents;
        public bool HasTablet;

        /// <summary>
        /// Maps the channels and the framebuffer, waits until both drivers have laid their channels out and attaches the
        /// event rings. 0, or the exit status of the failure after a console line naming 'program': 1 started without
        /// the handles, 2 a mapping refused, 3 the wait failed, 4 the input channel without a ring.
        /// </summary>
        public int Open(string program)
        {
            if (Process.StartupHandleCount < RequiredHandles)
                return Fail(program, ": started without its channels (the device manager starts it)", 1);
            if (new MemoryObject(Process.StartupHandle(0)).Map(true, out byte* displayPage) != Error.None
                || new PhysicalRange(Process.StartupHandle(3)).Map(0, true, out Framebuffer) != Error.None
                || new MemoryObject(Process.StartupHandle(4)).Map(true, out byte* inputPage) != Error.None)
                return Fail(program, ": cannot map its channels or the framebuffer", 2);
            Display = (DisplayChannelHeader*)displayPage;
            Input = (InputChannelHeader*)inputPage;
            Own = new Notification(Process.StartupHandle(1));
            DisplayDriver = new Notification(Process.StartupHandle(2));
            InputDriver = new Notification(Process.StartupHandle(5));
            while (Volatile.Read(ref Display->Magic) != DisplayChannelHeader.ExpectedMagic
                || Volatile.Read(ref Input->Magic) != InputChannelHeader.ExpectedMagic)
                if (Own.Wait(out _) != Error.None)
                    return 3;
            if (!Events.Attach(inputPage + InputChannelHeader.RingOffset))
                return Fail(program, ": the input channel has no ring", 4);
            HasTablet = Process.StartupHandleCount >= HandlesWithTablet && AttachTablet(program);
            return 0;
        }

        /// <summary>The tablet's channel (handles 7 and 8), once its driver has laid it out.</summary>
        private bool AttachTablet(string program)
        {
            if (new MemoryObject(Process.StartupHandle(7)).Map(true, out byte* page) != Error.None)
                return false;
            var header = (InputChannelHeader*)page;
            while (Volatile.Read(ref header->Magic) != InputChannelHeader.ExpectedMagic)
                if (Own.Wait(out _) != Error.None)
                    return false;
            Console.Write(program);
            Console.WriteLine(": tablet attached");
            return TabletEvents.Attach(page + InputChannelHeader.RingOffset);
        }

        private static int Fail(string program, string reason, int status)
        {
            Console.Write(program);
            Console.WriteLine(reason);
            return status;
        }
    }
}
