using System.Runtime.InteropServices;

namespace Exo.Protocols.Compositor
{
    /// <summary>
    /// Requests (CompositorRequest.Operation), in Wayland's terms:
    /// CreateSurface (wl_compositor.create_surface): Surface a new id of the client's choosing (1..2^31).
    /// Attach (wl_surface.attach with a wl_shm buffer): Surface; Offset, Width, Height, Stride place the buffer in the
    ///   channel's buffer area (Offset and Stride in bytes, Stride at least Width * 4, the whole buffer inside the area).
    /// Damage (wl_surface.damage_buffer): Surface; X, Y, Width, Height inside the attached buffer.
    /// Commit (wl_surface.commit): Surface; what was attached and damaged is shown.
    /// MakeToplevel (xdg_surface.get_toplevel + set_title): Surface; Title the window's title. The compositor answers
    ///   with a Configure event (the size to draw at); the window appears at the first commit of a buffer.
    /// SetTitle (xdg_toplevel.set_title): Surface; Title.
    /// Destroy (wl_surface.destroy): Surface.
    /// MakePanel (the model of wlr-layer-shell's top layer with an exclusive zone, and its foreign-toplevel list): Surface;
    ///   Height the panel's height (1..MaximumPanelHeight). The panel spans the screen's top edge above every window, windows
    ///   are placed and maximised below it, it gets pointer events but never the keyboard focus, and its client is told the
    ///   toplevel windows (WindowsChanged events, the list in the channel at WindowListOffset). One panel at a time.
    /// ActivateWindow (zwlr_foreign_toplevel_handle_v1.activate): Surface the panel; X a window's serial from the list. A
    ///   minimised window comes back, an unfocused one is raised and focused, the focused one is minimised.
    /// The desktop's settings (the model of wlr-output-management's mode and of a shell's settings daemon; any client may
    /// ask: the desktop has one user). Surface one of the client's surfaces, to which the answer goes: a DesktopChanged event.
    /// SetDisplayMode: Width, Height the new screen size (DesktopSettingRules.IsDisplayMode). The display driver sets it or
    ///   refuses it; windows are kept on the new screen, maximised ones and the panel configured to its size.
    /// SetBackground: X the desktop's colour (0x00RRGGBB).
    /// SetKeyboardLayout: X the layout (Exo.Protocols.Input.InputChannelHeader's numbers), from the next key on.
    /// </summary>
    public static class CompositorOperation
    {
        public const uint CreateSurface = 1, Attach = 2, Damage = 3, Commit = 4, MakeToplevel = 5, SetTitle = 6, Destroy = 7,
            MakePanel = 8, ActivateWindow = 9, SetDisplayMode = 10, SetBackground = 11, SetKeyboardLayout = 12;
    }

    /// <summary>One request record (CompositorLayout.RecordBytes) in the request ring.</summary>
    [StructLayout(LayoutKind.Explicit, Size = CompositorLayout.RecordBytes)]
    public unsafe struct CompositorRequest
    {
        /// <summary>Where Title starts (for code that reaches it through a pointer to the record).</summary>
        public const int TitleOffset = 32;

        [FieldOffset(0)] public uint Operation;
        [FieldOffset(4)] public uint Surface;
        [FieldOffset(8)] public int X;
        [FieldOffset(12)] public int Y;
        [FieldOffset(16)] public int Width;
        [FieldOffset(20)] public int Height;
        [FieldOffset(24)] public uint Offset;
        [FieldOffset(28)] public uint Stride;
        [FieldOffset(TitleOffset)] public fixed byte Title[CompositorLayout.MaximumTitleBytes];
    }

    /// <summary>The values the desktop's settings requests may carry (checked by the compositor, offered by Settings).</summary>
    public static class DesktopSettingRules
    {
        public const int MinimumWidth = 640, MinimumHeight = 480;
        /// <summary>The largest colour (0x00RRGGBB) and the number of keyboard layouts.</summary>
        public const uint MaximumColour = 0xFFFFFF, KeyboardLayouts = 2;

        /// <summary>A screen size the compositor asks the driver for: 640x480 up to the largest surface, widths a multiple of 8.</summary>
        public static bool IsDisplayMode(int width, int height)
            => width >= MinimumWidth && height >= MinimumHeight && width <= CompositorLayout.MaximumSurfaceWidth
               && height <= CompositorLayout.MaximumSurfaceHeight && (width & 7) == 0;
    }

    /// <summary>Why the compositor disconnected a client (CompositorChannelHeader.Problem, and its console report).</summary>
    public static class CompositorProblem
    {
        public const uint None = 0, UnknownOperation = 1, UnknownSurface = 2, SurfaceExists = 3, TooManySurfaces = 4,
            BadBuffer = 5, BadDamage = 6, NoBuffer = 7, NotToplevel = 8, Flood = 9, BadRing = 10, BadTitle = 11,
            BadPanel = 12, NotPanel = 13, BadSetting = 14;

        public static string Describe(uint problem) => problem switch
        {
            UnknownOperation => "unknown operation",
            UnknownSurface => "unknown surface",
            SurfaceExists => "surface id in use",
            TooManySurfaces => "too many surfaces",
            BadBuffer => "bad buffer (size, stride or place)",
            BadDamage => "damage outside the surface",
            NoBuffer => "commit without a buffer",
            NotToplevel => "not a toplevel",
            Flood => "flood of requests",
            BadRing => "bad ring",
            BadTitle => "bad title",
            BadPanel => "bad panel (its height, a role already given, or a panel already shown)",
            NotPanel => "not the panel",
            BadSetting => "bad desktop setting (a display mode, colour or keyboard layout out of range)",
            _ => "none",
        };
    }
}
