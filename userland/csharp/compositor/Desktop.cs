using Exo.Std;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;
using Exo.Protocols.Input;

namespace Compositor
{
    /// <summary>
    /// The desktop's input: the pointer moves the cursor; a left press focuses and raises the window under it, and on its
    /// title bar starts a drag (the window follows the pointer until the release), on its buttons closes (a Close event to
    /// the client), maximises or restores (a Configure event with the new size), or minimises it; F9 shows the minimised
    /// windows again. The Super keys go to the panel (its launcher), other keys to the focused window's client; pointer
    /// events to the client whose content (or panel) is under the pointer (enter, leave, motion and buttons in
    /// surface-local pixels).
    /// </summary>
    internal static class Desktop
    {
        public const ushort KeyRestoreMinimised = 67;   // F9
        /// <summary>The Super (Meta) keys: the panel's, not the focused window's (the panel opens its launcher).</summary>
        public const ushort KeyLeftMeta = 125, KeyRightMeta = 126;
        private const ushort ButtonLeft = 1;
        /// <summary>s_pointerWindow's value while the pointer is over the panel (Panel), which is above every window.</summary>
        private const int PanelTarget = -2;

        public static WindowStack Windows;
        private static int s_pointerWindow = -1, s_dragWindow = -1;
        private static int s_dragX, s_dragY;
        // A border drag: the window, its edges, its content and the pointer when it began.
        private static int s_resizeWindow = -1, s_resizeX, s_resizeY;
        private static byte s_resizeEdges;
        private static Rectangle s_resizeStart;
        private static ushort s_buttons;
        // The focused window as last told to its client (client slot and surface: a slot may be reused).
        private static int s_toldClient = -1;
        private static uint s_toldSurface;

        public static void Handle(ref InputEvent input)
        {
            switch (input.Kind)
            {
                case InputEventKind.KeyDown:
                case InputEventKind.KeyUp:
                    if (input.Kind == InputEventKind.KeyDown && input.KeyCode == KeyRestoreMinimised)
                    {
                        Windows.RestoreMinimised(ref Screen.Damage);
                        break;
                    }
                    if ((input.KeyCode == KeyLeftMeta || input.KeyCode == KeyRightMeta) && Panel.InUse)
                    {
                        SendKey(ref input, Panel.Client, Panel.Surface);
                        break;
                    }
                    int focused = Windows.Focused;
                    if (focused >= 0)
                        SendKey(ref input, Windows[focused].Client, Windows[focused].Surface);
                    break;
                case InputEventKind.PointerMotion:
                    Screen.MoveCursor(Screen.CursorX + input.X, Screen.CursorY + input.Y);
                    PointerMoved();
                    break;
                case InputEventKind.PointerPosition:
                    Screen.MoveCursor((int)((long)input.X * Screen.Width / (InputEvent.AbsoluteRange + 1)),
                        (int)((long)input.Y * Screen.Height / (InputEvent.AbsoluteRange + 1)));
                    PointerMoved();
                    break;
                case InputEventKind.Buttons:
                    Buttons(input.Buttons);
                    break;
                case InputEventKind.Wheel:
                    // To the window (or panel) under the pointer, as Wayland's wl_pointer.axis; none while a title bar is dragged.
                    if (s_pointerWindow != -1 && s_dragWindow < 0 && input.Y != 0)
                        SendPointer(s_pointerWindow, CompositorEventKind.PointerWheel, input.Y);
                    break;
            }
        }

        /// <summary>Tells the clients whose window lost or gained the focus (and redraws both title bars).</summary>
        public static void UpdateFocus()
        {
            int focused = Windows.Focused;
            int client = focused >= 0 ? Windows[focused].Client : -1;
            uint surface = focused >= 0 ? Windows[focused].Surface : 0;
            if (client == s_toldClient && surface == s_toldSurface)
                return;
            if (s_toldClient >= 0)
            {
                int old = Windows.Find(s_toldClient, s_toldSurface);
                if (old >= 0 && Windows[old].Visible)
                    Screen.Damage.Add(WindowFrame.TitleBar(Windows[old].Content));
                SendFocus(s_toldClient, s_toldSurface, 0);
            }
            s_toldClient = client;
            s_toldSurface = surface;
            if (focused >= 0)
            {
                Screen.Damage.Add(WindowFrame.TitleBar(Windows[focused].Content));
                SendFocus(client, surface, 1);
            }
        }

        /// <summary>A client went: forgets the pointer's and the drag's windows if they were its.</summary>
        public static void Forget(int client)
        {
            if ((s_pointerWindow >= 0 && !Windows[s_pointerWindow].InUse) || (s_pointerWindow == PanelTarget && !Panel.InUse))
                s_pointerWindow = -1;
            if (s_dragWindow >= 0 && !Windows[s_dragWindow].InUse)
                s_dragWindow = -1;
            if (s_resizeWindow >= 0 && !Windows[s_resizeWindow].InUse)
                s_resizeWindow = -1;
            if (s_toldClient == client)
                s_toldClient = -1;
        }

        private static void PointerMoved()
        {
            int x = Screen.CursorX, y = Screen.CursorY;
            if (s_dragWindow >= 0)
            {
                Windows.Move(s_dragWindow, x - s_dragX, y - s_dragY, ref Screen.Damage);
                s_dragX = x;
                s_dragY = y;
                return;
            }
            if (s_resizeWindow >= 0)
            {
                Windows.Resize(s_resizeWindow, WindowFrame.Resized(s_resizeStart, s_resizeEdges, x - s_resizeX, y - s_resizeY,
                    Screen.Width - 2 * WindowFrame.Border, Screen.Height - Windows.TopReserved - WindowFrame.TitleHeight - 2 * WindowFrame.Border), ref Screen.Damage);
                return;
            }
            int slot = Windows.TopmostAt(x, y, out FramePart part);
            if (part != FramePart.Content)
                slot = -1;
            if (Panel.Area.Contains(x, y))
                slot = PanelTarget;
            if (slot != s_pointerWindow)
            {
                if (s_pointerWindow != -1)
                    SendPointer(s_pointerWindow, CompositorEventKind.PointerLeave);
                s_pointerWindow = slot;
                if (slot != -1)
                    SendPointer(slot, CompositorEventKind.PointerEnter);
            }
            else if (slot != -1)
            {
                SendPointer(slot, CompositorEventKind.PointerMotion);
            }
        }

        private static void Buttons(ushort buttons)
        {
            ushort pressed = (ushort)(buttons & ~s_buttons);
            s_buttons = buttons;
            if ((buttons & ButtonLeft) == 0 && s_dragWindow >= 0)
            {
                Console.Write("compositor: window moved to ");
                Console.Write(Windows[s_dragWindow].Content.X);
                Console.Write(',');
                Console.Write(Windows[s_dragWindow].Content.Y);
                Console.WriteLine();
                s_dragWindow = -1;
            }
            if ((buttons & ButtonLeft) == 0 && s_resizeWindow >= 0)
            {
                // The client is asked to draw at the new size once the drag ends (until then its old buffer shows, cut or
                // with the empty colour beside it).
                ref Window resized = ref Windows[s_resizeWindow];
                Clients.Configure(resized.Client, resized.Surface, resized.Content.Width, resized.Content.Height,
                    s_resizeWindow == Windows.Focused ? ConfigureState.Activated : 0);
                Console.Write("compositor: window resized to ");
                Console.Write(resized.Content.Width);
                Console.Write('x');
                Console.Write(resized.Content.Height);
                Console.WriteLine();
                s_resizeWindow = -1;
            }
            if (Panel.Area.Contains(Screen.CursorX, Screen.CursorY))
            {
                // The panel's: no window is focused or raised by it (the panel never takes the keyboard).
                CompositorEvent press = default;
                press.Kind = CompositorEventKind.PointerButton;
                press.Surface = Panel.Surface;
                press.Code = buttons;
                press.X = Screen.CursorX;
                press.Y = Screen.CursorY;
                Clients.Send(Panel.Client, ref press);
                return;
            }
            int slot = Windows.TopmostAt(Screen.CursorX, Screen.CursorY, out FramePart part);
            if ((pressed & ButtonLeft) != 0 && slot >= 0)
            {
                Windows.Raise(slot, ref Screen.Damage);
                Windows.Focused = slot;
                switch (part)
                {
                    case FramePart.TitleBar:
                        s_dragWindow = slot;
                        s_dragX = Screen.CursorX;
                        s_dragY = Screen.CursorY;
                        break;
                    case FramePart.Close:
                    {
                        CompositorEvent close = default;
                        close.Kind = CompositorEventKind.Close;
                        close.Surface = Windows[slot].Surface;
                        Clients.Send(Windows[slot].Client, ref close);
                        break;
                    }
                    case FramePart.Maximise:
                    {
                        Rectangle size = Windows.ToggleMaximised(slot, ref Screen.Damage);
                        Clients.Configure(Windows[slot].Client, Windows[slot].Surface, size.Width, size.Height,
                            ConfigureState.Activated | (Windows[slot].Maximised ? ConfigureState.Maximised : 0));
                        break;
                    }
                    case FramePart.Minimise:
                        Windows.Minimise(slot, ref Screen.Damage);
                        break;
                    case FramePart.Border:
                        s_resizeEdges = WindowFrame.EdgesAt(Windows[slot].Content, Screen.CursorX, Screen.CursorY);
                        if (s_resizeEdges == ResizeEdges.None || Windows[slot].Maximised)
                            break;
                        s_resizeWindow = slot;
                        s_resizeStart = Windows[slot].Content;
                        s_resizeX = Screen.CursorX;
                        s_resizeY = Screen.CursorY;
                        break;
                }
            }
            if (slot >= 0 && part == FramePart.Content)
            {
                CompositorEvent record = default;
                record.Kind = CompositorEventKind.PointerButton;
                record.Surface = Windows[slot].Surface;
                record.Code = buttons;
                record.X = Screen.CursorX - Windows[slot].Content.X;
                record.Y = Screen.CursorY - Windows[slot].Content.Y;
                Clients.Send(Windows[slot].Client, ref record);
            }
        }

        private static void SendKey(ref InputEvent input, int client, uint surface)
        {
            CompositorEvent record = default;
            record.Kind = input.Kind == InputEventKind.KeyDown ? CompositorEventKind.KeyDown : CompositorEventKind.KeyUp;
            record.Surface = surface;
            record.Code = input.KeyCode;
            record.Character = input.Character;
            record.Modifiers = input.Modifiers;
            record.State = (input.Flags & InputEvent.FlagRepeat) != 0 ? 1u : 0u;
            Clients.Send(client, ref record);
        }

        /// <summary>A pointer event for a window's content or (slot PanelTarget) the panel, in its surface's pixels.</summary>
        private static void SendPointer(int slot, uint kind, int wheelSteps = 0)
        {
            bool panel = slot == PanelTarget;
            Rectangle place = panel ? Panel.Area : Windows[slot].Content;
            CompositorEvent record = default;
            record.Kind = kind;
            record.Surface = panel ? Panel.Surface : Windows[slot].Surface;
            record.X = Screen.CursorX - place.X;
            record.Y = Screen.CursorY - place.Y;
            record.Code = s_buttons;
            record.WheelSteps = wheelSteps;
            Clients.Send(panel ? Panel.Client : Windows[slot].Client, ref record);
        }

        private static void SendFocus(int client, uint surface, uint gained)
        {
            CompositorEvent record = default;
            record.Kind = CompositorEventKind.Focus;
            record.Surface = surface;
            record.State = gained;
            Clients.Send(client, ref record);
        }
    }
}
