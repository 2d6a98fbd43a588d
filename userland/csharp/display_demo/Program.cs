using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Protocols.Display;
using Exo.Protocols.Input;
using Exo.Protocols.Rings;

namespace DisplayDemo
{
    /// <summary>
    /// The display and input drivers' test client (the compositor's place later), as the device manager starts it:
    /// "display_demo display0" with the display channel's page, its notification (both drivers ring it), the display
    /// driver's (Signal only), the framebuffer (a physical range), the input channel's page, the input driver's
    /// notification (Signal only) and the console. It draws the Pattern, moves the box with the pointer, reports every key,
    /// button and wheel event on the console ("display_demo: key down ..."), and on keys: F2 switches the keyboard layout
    /// (us, de), F3 the mode (1024x768, 1920x1080). The screenshot tests (DisplayBootTests) read the screen and these lines.
    /// </summary>
    public static unsafe class Program
    {
        private const ushort KeyF2 = 60, KeyF3 = 61;
        private const uint SmallWidth = 1024, SmallHeight = 768, LargeWidth = 1920, LargeHeight = 1080;
        private const int ButtonLeft = 1;
        private const int BatchSize = 16;

        private static DisplayClientChannels s_channels;
        private static DisplayChannelHeader* s_display;
        private static InputChannelHeader* s_input;
        private static Notification s_own, s_displayDriver, s_inputDriver;
        private static Pattern s_pattern;
        private static byte* s_framebuffer;
        private static int s_x, s_y, s_clicks;
        private static ushort s_buttons;
        private static uint s_answered;

        public static int Main()
        {
            int failure = s_channels.Open("display_demo");
            if (failure != 0)
                return failure;
            s_display = s_channels.Display;
            s_input = s_channels.Input;
            s_framebuffer = s_channels.Framebuffer;
            s_own = s_channels.Own;
            s_displayDriver = s_channels.DisplayDriver;
            s_inputDriver = s_channels.InputDriver;
            s_answered = s_display->AnsweredSequence;
            DrawAll();
            InputEvent* batch = stackalloc InputEvent[BatchSize];
            // Events that came before the first wait (its bits may have been taken while attaching) are read at once.
            do
            {
                if (Volatile.Read(ref s_display->AnsweredSequence) != s_answered)
                {
                    s_answered = s_display->AnsweredSequence;
                    if (s_display->AnswerError != 0)
                        Console.WriteLine("display_demo: mode refused");
                    DrawAll();
                }
                int x = s_x, y = s_y, clicks = s_clicks;
                HandleAll(ref s_channels.Events, batch);
                if (s_channels.HasTablet)
                    HandleAll(ref s_channels.TabletEvents, batch);
                if (x != s_x || y != s_y || clicks != s_clicks)
                {
                    s_pattern.EraseBox(x, y);
                    DrawBox();
                    Flush(x - Pattern.BoxSize, y - Pattern.BoxSize, 2 * Pattern.BoxSize, 2 * Pattern.BoxSize);
                    Console.Write("display_demo: pointer ");
                    Console.Write(s_x);
                    Console.Write(',');
                    Console.Write(s_y);
                    Console.Write(" clicks ");
                    Console.Write(s_clicks);
                    Console.WriteLine();
                }
            } while (s_own.Wait(out _) == Error.None);
            return 5;
        }

        private static void HandleAll(ref SpscConsumer events, InputEvent* batch)
        {
            int count;
            while ((count = events.ReadBatch(batch, BatchSize)) > 0)
            {
                for (int i = 0; i < count; i++)
                    Handle(&batch[i]);
                events.Release();
            }
        }

        private static void Handle(InputEvent* record)
        {
            switch (record->Kind)
            {
                case InputEventKind.KeyDown:
                case InputEventKind.KeyUp:
                    ReportKey(record);
                    if (record->Kind == InputEventKind.KeyDown && record->KeyCode == KeyF2)
                        SwitchLayout();
                    else if (record->Kind == InputEventKind.KeyDown && record->KeyCode == KeyF3)
                        SwitchMode();
                    break;
                case InputEventKind.PointerMotion:
                    MoveTo(s_x + record->X, s_y + record->Y);
                    break;
                case InputEventKind.PointerPosition:
                    MoveTo((int)((long)record->X * s_pattern.Width / (InputEvent.AbsoluteRange + 1)),
                        (int)((long)record->Y * s_pattern.Height / (InputEvent.AbsoluteRange + 1)));
                    break;
                case InputEventKind.Buttons:
                    if ((record->Buttons & ButtonLeft) != 0 && (s_buttons & ButtonLeft) == 0)
                        s_clicks++;
                    s_buttons = record->Buttons;
                    Console.Write("display_demo: buttons ");
                    Console.Write((uint)record->Buttons);
                    Console.WriteLine();
                    break;
                case InputEventKind.Wheel:
                    Console.Write("display_demo: wheel ");
                    Console.Write(record->Y);
                    Console.WriteLine();
                    break;
            }
        }

        /// <summary>"display_demo: key down 0x1e key 30 char 'a' U+0061 mods 0x0 layout us" (char only when printable ASCII).</summary>
        private static void ReportKey(InputEvent* key)
        {
            Console.Write("display_demo: key ");
            Console.Write(key->Kind == InputEventKind.KeyDown ? ((key->Flags & InputEvent.FlagRepeat) != 0 ? "repeat " : "down ") : "up ");
            Console.WriteHex(key->Code);
            Console.Write(" key ");
            Console.Write((uint)key->KeyCode);
            if (key->Character != 0)
            {
                if (key->Character >= 0x20 && key->Character < 0x7F)
                {
                    Console.Write(" char '");
                    Console.Write((char)key->Character);
                    Console.Write('\'');
                }
                Console.Write(" U+");
                WriteHexDigits(key->Character, 4);
            }
            Console.Write(" mods ");
            Console.WriteHex(key->Modifiers);
            Console.Write(" layout ");
            Console.WriteLine(Volatile.Read(ref s_input->ActiveLayout) == InputChannelHeader.LayoutGerman ? "de" : "us");
        }

        private static void WriteHexDigits(uint value, int digits)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                uint nibble = (value >> shift) & 0xF;
                Console.Write((char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10));
            }
        }

        private static void SwitchLayout()
        {
            uint next = s_input->RequestedLayout == InputChannelHeader.LayoutGerman ? InputChannelHeader.LayoutUnitedStates : InputChannelHeader.LayoutGerman;
            Volatile.Write(ref s_input->RequestedLayout, next);
            s_inputDriver.Signal(InputChannelHeader.DriverBit);
            Console.Write("display_demo: layout ");
            Console.WriteLine(next == InputChannelHeader.LayoutGerman ? "de" : "us");
        }

        private static void SwitchMode()
        {
            bool small = s_display->Width == SmallWidth;
            s_display->RequestedWidth = small ? LargeWidth : SmallWidth;
            s_display->RequestedHeight = small ? LargeHeight : SmallHeight;
            Volatile.Write(ref s_display->RequestSequence, s_display->RequestSequence + 1);
            s_displayDriver.Signal(DisplayChannelHeader.DriverBit);
        }

        private static void MoveTo(int x, int y)
        {
            s_x = x < 0 ? 0 : x >= s_pattern.Width ? s_pattern.Width - 1 : x;
            s_y = y < 0 ? 0 : y >= s_pattern.Height ? s_pattern.Height - 1 : y;
        }

        /// <summary>The whole pattern in the current mode, the pointer back in the middle.</summary>
        private static void DrawAll()
        {
            s_pattern.Attach(s_framebuffer, s_display);
            s_x = s_pattern.Width / 2;
            s_y = s_pattern.Height / 2;
            s_pattern.DrawBackground(0, 0, s_pattern.Width, s_pattern.Height);
            DrawBox();
            Flush(0, 0, s_pattern.Width, s_pattern.Height);
            Console.Write("display_demo: drawn ");
            Console.Write(s_pattern.Width);
            Console.Write('x');
            Console.Write(s_pattern.Height);
            Console.Write(" pitch ");
            Console.Write(s_pattern.Pitch);
            Console.WriteLine();
        }

        private static void DrawBox() => s_pattern.DrawBox(s_x, s_y, (s_clicks & 1) != 0 ? Pattern.Magenta : Pattern.Yellow);

        private static void Flush(int x, int y, int width, int height)
        {
            s_display->DamageX = (uint)(x < 0 ? 0 : x);
            s_display->DamageY = (uint)(y < 0 ? 0 : y);
            s_display->DamageWidth = (uint)width;
            s_display->DamageHeight = (uint)height;
            Volatile.Write(ref s_display->DamageSequence, s_display->DamageSequence + 1);
            s_displayDriver.Signal(DisplayChannelHeader.DriverBit);
        }
    }
}
