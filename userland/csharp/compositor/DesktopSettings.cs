using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;
using Exo.Protocols.Display;
using Exo.Protocols.Input;

namespace Compositor
{
    /// <summary>
    /// The desktop's settings requests (CompositorOperation.SetDisplayMode, SetBackground, SetKeyboardLayout): each
    /// answered with a DesktopChanged event to the surface that asked. A mode goes to the display driver through the
    /// display channel's request words and is answered when the driver has set or refused it (Poll, each round); one mode
    /// change at a time, another asked meanwhile is answered Busy. The keyboard layout is written into the input channel,
    /// which the keyboard driver reads at the next key.
    /// </summary>
    internal static unsafe class DesktopSettings
    {
        private static DisplayChannelHeader* s_display;
        private static InputChannelHeader* s_input;
        private static Notification s_displayDriver;
        private static bool s_modePending;
        private static int s_modeClient = -1;
        private static uint s_modeSurface, s_modeSequence;

        public static void Initialize(DisplayChannelHeader* display, InputChannelHeader* input, Notification displayDriver)
        {
            s_display = display;
            s_input = input;
            s_displayDriver = displayDriver;
        }

        /// <summary>One settings request from a client (its values copied out of the channel); a CompositorProblem.</summary>
        public static uint Handle(int client, uint surface, uint operation, int x, int width, int height)
        {
            switch (operation)
            {
                case CompositorOperation.SetDisplayMode:
                    if (!DesktopSettingRules.IsDisplayMode(width, height))
                        return CompositorProblem.BadSetting;
                    if (s_modePending)
                    {
                        Answer(client, surface, Error.Busy);
                        return CompositorProblem.None;
                    }
                    s_modePending = true;
                    s_modeClient = client;
                    s_modeSurface = surface;
                    s_modeSequence = s_display->RequestSequence + 1;
                    s_display->RequestedWidth = (uint)width;
                    s_display->RequestedHeight = (uint)height;
                    Volatile.Write(ref s_display->RequestSequence, s_modeSequence);
                    s_displayDriver.Signal(DisplayChannelHeader.DriverBit);
                    return CompositorProblem.None;
                case CompositorOperation.SetBackground:
                    if ((uint)x > DesktopSettingRules.MaximumColour)
                        return CompositorProblem.BadSetting;
                    Screen.SetBackground((uint)x);
                    Answer(client, surface, Error.None);
                    return CompositorProblem.None;
                case CompositorOperation.SetKeyboardLayout:
                    if ((uint)x >= InputChannelHeader.LayoutCount)
                        return CompositorProblem.BadSetting;
                    Volatile.Write(ref s_input->RequestedLayout, (uint)x);
                    Answer(client, surface, Error.None);
                    return CompositorProblem.None;
                default:
                    return CompositorProblem.UnknownOperation;
            }
        }

        /// <summary>
        /// The driver answered the pending mode: on success the screen, the windows and the panel take the new size (the
        /// maximised windows and the panel are configured to it) and everything is composed again.
        /// </summary>
        public static void Poll(WindowStack windows)
        {
            if (!s_modePending || Volatile.Read(ref s_display->AnsweredSequence) != s_modeSequence)
                return;
            s_modePending = false;
            var error = (Error)s_display->AnswerError;
            int width = (int)s_display->Width, height = (int)s_display->Height;
            if (error == Error.None && (width != Screen.Width || height != Screen.Height))
            {
                Screen.Resize(width, height, (int)s_display->Pitch);
                windows.ResizeScreen(width, height);
                for (int slot = 0; slot < WindowStack.Capacity; slot++)
                {
                    ref Window window = ref windows[slot];
                    if (window.InUse && window.Maximised)
                        Clients.Configure(window.Client, window.Surface, window.Content.Width, window.Content.Height,
                            ConfigureState.Maximised | (slot == windows.Focused ? ConfigureState.Activated : 0));
                }
                Clients.PublishScreenSize();
                Panel.ScreenResized();
                Console.Write("compositor: display ");
                Console.Write(width);
                Console.Write('x');
                Console.Write(height);
                Console.WriteLine();
            }
            else if (error != Error.None)
            {
                Console.Write("compositor: the display driver refused the mode: ");
                Console.WriteLine(Errors.Describe(error));
            }
            if (s_modeClient >= 0)
                Answer(s_modeClient, s_modeSurface, error);
            s_modeClient = -1;
        }

        /// <summary>A client went: a pending mode's answer has no one to go to.</summary>
        public static void Forget(int client)
        {
            if (s_modeClient == client)
                s_modeClient = -1;
        }

        private static void Answer(int client, uint surface, Error error)
        {
            CompositorEvent record = default;
            record.Kind = CompositorEventKind.DesktopChanged;
            record.Surface = surface;
            record.X = (int)error;
            record.Width = Screen.Width;
            record.Height = Screen.Height;
            record.Code = Screen.Background;
            record.State = Volatile.Read(ref s_input->RequestedLayout);
            Clients.Send(client, ref record);
        }
    }
}
