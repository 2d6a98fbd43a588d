using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;
using Exo.Protocols.Display;
using Exo.Protocols.Input;
using Exo.Protocols.Rings;

namespace Compositor
{
    /// <summary>
    /// The compositor, as the device manager starts it for the display client ("compositor display0"), with a display
    /// client's handles (DisplayClientChannels: the display and input channels, the framebuffer, its own notification that
    /// the drivers and its clients ring). It listens for clients
    /// under "compositor" (service channels: /dev/exo/compositor for Linux programs) and, each time it is rung: takes new
    /// clients, serves their requests (Clients), routes the input (Desktop), composes what was damaged off-screen and
    /// copies it to the framebuffer (Screen), and publishes the events.
    /// </summary>
    public static unsafe class Program
    {
        /// <summary>Its own notification's bits: the display driver's, the input drivers', new clients', clients' doorbells.</summary>
        private const ulong ListenerBit = 4, ClientBit = 8;
        private const int BatchSize = 16;

        private static DisplayClientChannels s_channels;
        private static DisplayChannelHeader* s_display;
        private static Notification s_own, s_displayDriver;

        public static int Main()
        {
            int failure = s_channels.Open("compositor");
            if (failure != 0)
                return failure;
            s_display = s_channels.Display;
            s_own = s_channels.Own;
            s_displayDriver = s_channels.DisplayDriver;
            if (!Screen.Initialize(s_channels.Framebuffer, (int)s_display->Width, (int)s_display->Height, (int)s_display->Pitch)
                || !Clients.Initialize() || !Surfaces.Initialize() || !Panel.Initialize())
            {
                Console.WriteLine("compositor: out of memory");
                return 5;
            }
            Desktop.Windows = new WindowStack(Screen.Width, Screen.Height);
            DesktopSettings.Initialize(s_display, s_channels.Input, s_displayDriver);
            Error error = Clients.Listen(s_own, ListenerBit);
            if (error != Error.None)
            {
                Console.Write("compositor: cannot listen: ");
                Console.WriteLine(Errors.Describe(error));
                return 6;
            }
            Compose();
            if (Process.ArgumentIs(2, "bench"))
            {
                CompositorBenchmark.ReportFirstFrame();
                if (!CompositorBenchmark.MeasureFrames(s_channels.Framebuffer, Screen.Width, Screen.Height, (int)s_display->Pitch)
                    || !CompositorBenchmark.StartKeys())
                    return 5;
                Compose();
            }
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
                HandleAll(ref s_channels.Events, batch);
                if (s_channels.HasTablet)
                    HandleAll(ref s_channels.TabletEvents, batch);
                DesktopSettings.Poll(Desktop.Windows);
                Desktop.UpdateFocus();
                Panel.Publish(Desktop.Windows);
                Clients.FlushEvents();
                bool copied = Compose();
                Error woken;
                if (CompositorBenchmark.MeasuringKeys)
                {
                    CompositorBenchmark.AfterFrame(copied, Desktop.Windows, ref s_channels.Input->BenchKeysRequested, s_channels.InputDriver);
                    // The bench's keys are paced by the clock: wake at least every 10 ms.
                    woken = more ? s_own.Poll(out _) : s_own.WaitUntil(MonotonicClock.Nanoseconds + 10_000_000, out _);
                }
                else
                    woken = more ? s_own.Poll(out _) : s_own.Wait(out _);
                // A client with requests left is served again at once (after the others had their turn).
                if (woken is not (Error.None or Error.WouldBlock or Error.TimedOut))
                    return 7;
            }
        }

        private static void HandleAll(ref SpscConsumer events, InputEvent* batch)
        {
            int count;
            while ((count = events.ReadBatch(batch, BatchSize)) > 0)
            {
                for (int i = 0; i < count; i++)
                {
                    if (CompositorBenchmark.MeasuringKeys && batch[i].Kind == InputEventKind.KeyDown)
                        CompositorBenchmark.KeyPressed(Volatile.Read(ref s_channels.Input->LastKeyTimestamp));
                    Desktop.Handle(ref batch[i]);
                }
                events.Release();
            }
        }

        /// <summary>The damaged parts composed and copied; the driver told the bounding rectangle (a flush).</summary>
        private static bool Compose()
        {
            if (!Screen.ComposeAndFlush(Desktop.Windows, out Rectangle bounds))
                return false;
            s_display->DamageX = (uint)bounds.X;
            s_display->DamageY = (uint)bounds.Y;
            s_display->DamageWidth = (uint)bounds.Width;
            s_display->DamageHeight = (uint)bounds.Height;
            Volatile.Write(ref s_display->DamageSequence, s_display->DamageSequence + 1);
            s_displayDriver.Signal(DisplayChannelHeader.DriverBit);
            return true;
        }
    }
}
