using System.Threading;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;

namespace Compositor
{
    /// <summary>
    /// The panel (CompositorOperation.MakePanel): one client's surface across the screen's top edge, drawn above every
    /// window, reserving its rows (windows are placed and maximised below it). Its client gets pointer events over it but
    /// never the keyboard focus, and is told the toplevel windows: after each round the list is built again and, when it
    /// differs from the last one written, written into the client's channel under its sequence lock with a WindowsChanged
    /// event. Its ActivateWindow requests bring back, raise and focus, or minimise a window.
    /// </summary>
    internal static unsafe class Panel
    {
        private static int s_client = -1;
        private static uint s_surface;
        private static int s_height;
        private static bool s_shown;
        private static WindowListEntry* s_list, s_written;
        private static int s_writtenCount = -1;

        public static bool Initialize()
        {
            s_list = (WindowListEntry*)Exo.Std.Memory.UserHeap.Allocate((nuint)(sizeof(WindowListEntry) * CompositorLayout.WindowListCapacity * 2));
            s_written = s_list + CompositorLayout.WindowListCapacity;
            return s_list != null;
        }

        public static bool InUse => s_client >= 0;
        public static int Client => s_client;
        public static uint Surface => s_surface;
        /// <summary>Where the panel is on screen; empty until its first buffer is committed.</summary>
        public static Rectangle Area => s_shown ? new Rectangle(0, 0, Screen.Width, s_height) : default;

        /// <summary>The client's surface becomes the panel (the caller checked that none is and that the height is allowed).</summary>
        public static void Claim(int client, uint surface, int height, WindowStack windows)
        {
            s_client = client;
            s_surface = surface;
            s_height = height;
            s_shown = false;
            s_writtenCount = -1;   // the new client gets the list at once
            windows.TopReserved = height;
            Clients.Configure(client, surface, Screen.Width, height, 0);
        }

        /// <summary>The screen changed size: the panel is configured to the new width (it spans the top edge).</summary>
        public static void ScreenResized()
        {
            if (s_client >= 0)
                Clients.Configure(s_client, s_surface, Screen.Width, s_height, 0);
        }

        /// <summary>A commit of the panel's buffer: shown, its damaged part (all of it the first time) composed again.</summary>
        public static void Committed(Rectangle damage, bool resized)
        {
            bool first = !s_shown;
            s_shown = true;
            Screen.Damage.Add(first || resized ? Area : damage.Intersect(Area));
        }

        /// <summary>The panel's client or surface went: its rows are given back to the background.</summary>
        public static void Remove(WindowStack windows)
        {
            if (s_client < 0)
                return;
            Screen.Damage.Add(Area);
            s_client = -1;
            s_surface = 0;
            s_shown = false;
            windows.TopReserved = 0;
        }

        public static void Draw(Rectangle area, uint* back, int backWidth)
        {
            Rectangle place = Area;
            if (!place.IsEmpty && place.Overlaps(area))
                Surfaces.DrawContent(s_client, s_surface, place, area, back, backWidth);
        }

        /// <summary>The panel asked for a window: minimised, it comes back; focused, it is minimised; else raised and focused.</summary>
        public static void Activate(uint serial, WindowStack windows)
        {
            int slot = windows.FindSerial(serial);
            if (slot < 0 || !windows[slot].Mapped)
                return;   // gone meanwhile: the next list says so
            if (windows[slot].Minimised)
                windows.Unminimise(slot, ref Screen.Damage);
            else if (windows.Focused == slot)
                windows.Minimise(slot, ref Screen.Damage);
            else
            {
                windows.Raise(slot, ref Screen.Damage);
                windows.Focused = slot;
            }
        }

        /// <summary>Writes the window list to the panel's client when it changed, and tells it.</summary>
        public static void Publish(WindowStack windows)
        {
            if (s_client < 0)
                return;
            int count = windows.ListWindows(s_list, CompositorLayout.WindowListCapacity);
            if (count == s_writtenCount && Same(s_list, s_written, count))
                return;
            byte* payload = Clients.Payload(s_client);
            if (payload == null)
                return;
            var header = (WindowListHeader*)(payload + CompositorLayout.WindowListOffset);
            var entries = (WindowListEntry*)(payload + CompositorLayout.WindowListOffset + WindowListHeader.Bytes);
            uint sequence = header->Sequence | 1;   // odd: being written (whatever the client wrote there)
            Volatile.Write(ref header->Sequence, sequence);
            for (int i = 0; i < count; i++)
            {
                entries[i] = s_list[i];
                s_written[i] = s_list[i];
            }
            header->Count = (uint)count;
            Volatile.Write(ref header->Sequence, sequence + 1);
            s_writtenCount = count;
            CompositorEvent changed = default;
            changed.Kind = CompositorEventKind.WindowsChanged;
            changed.Surface = s_surface;
            changed.Width = count;
            Clients.Send(s_client, ref changed);
        }

        private static bool Same(WindowListEntry* a, WindowListEntry* b, int count)
        {
            byte* x = (byte*)a, y = (byte*)b;
            for (int i = 0; i < count * sizeof(WindowListEntry); i++)
                if (x[i] != y[i])
                    return false;
            return true;
        }
    }
}
