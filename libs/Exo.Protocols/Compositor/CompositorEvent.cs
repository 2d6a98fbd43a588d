using System.Runtime.InteropServices;

namespace Exo.Protocols.Compositor
{
    /// <summary>
    /// Events (CompositorEvent.Kind), in Wayland's terms:
    /// Configure (xdg_toplevel.configure): Surface; Width, Height the size to draw at; State the ConfigureState bits.
    /// Close (xdg_toplevel.close): Surface; the user asked the window to close (the client destroys it or not).
    /// KeyDown, KeyUp (wl_keyboard.key): Surface the focused one; Code the key (Linux's input numbers), Character the
    ///   Unicode code point in the active layout (0 for none), Modifiers (Input.KeyModifiers), State 1 for a repeat.
    /// PointerEnter, PointerLeave, PointerMotion (wl_pointer): Surface; X, Y surface-local pixels.
    /// PointerButton (wl_pointer.button): Surface; Code the buttons held now (bit 0 left, 1 right, 2 middle), X, Y.
    /// PointerWheel (wl_pointer.axis, vertical, in the wheel's steps): Surface the window under the pointer; X, Y
    ///   surface-local pixels; WheelSteps (positive: towards the user, to see what is further down).
    /// Focus (wl_keyboard.enter/leave): Surface; State 1 gained, 0 lost.
    /// WindowsChanged (zwlr_foreign_toplevel_manager_v1's toplevel, title, state and closed events, folded into one): Surface
    ///   the panel; the window list in the channel (CompositorLayout.WindowListOffset) was written again.
    /// DesktopChanged (the answer to a settings request): Surface the one the request named; Width, Height the screen's size,
    ///   Code the background colour, State the keyboard layout, X 0 or the Exo.Abi.Error of a refused request (the driver
    ///   refused the mode: NotSupported; another mode change under way: Busy).
    /// </summary>
    public static class CompositorEventKind
    {
        public const uint Configure = 1, Close = 2, KeyDown = 3, KeyUp = 4, PointerEnter = 5, PointerLeave = 6,
            PointerMotion = 7, PointerButton = 8, Focus = 9, WindowsChanged = 10, PointerWheel = 11, DesktopChanged = 12;
    }

    public static class ConfigureState
    {
        public const uint Activated = 1, Maximised = 2, Minimised = 4;
    }

    /// <summary>One event record (CompositorLayout.RecordBytes) in the event ring.</summary>
    [StructLayout(LayoutKind.Explicit, Size = CompositorLayout.RecordBytes)]
    public struct CompositorEvent
    {
        [FieldOffset(0)] public uint Kind;
        [FieldOffset(4)] public uint Surface;
        [FieldOffset(8)] public int X;
        [FieldOffset(12)] public int Y;
        [FieldOffset(16)] public int Width;
        /// <summary>PointerWheel's steps (the same bytes as Width, which that event does not use).</summary>
        [FieldOffset(16)] public int WheelSteps;
        [FieldOffset(20)] public int Height;
        [FieldOffset(24)] public uint Code;
        [FieldOffset(28)] public uint Character;
        [FieldOffset(32)] public uint Modifiers;
        [FieldOffset(36)] public uint State;
        /// <summary>The event's number since the connection began (gaps: events dropped while the ring was full).</summary>
        [FieldOffset(40)] public ulong Sequence;
    }
}
