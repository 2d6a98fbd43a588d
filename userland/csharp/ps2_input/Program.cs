using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Protocols.Input;
using Exo.Services.Input;

namespace Ps2Input
{
    /// <summary>
    /// The PS/2 keyboard and mouse driver (both on the one i8042) as the device manager starts it: "ps2_input NAME LAYOUT"
    /// (LAYOUT: us or de) holding the ports 0x60 and 0x64 (two ranges: 0x61 is the kernel's), interrupt lines 1 (keyboard)
    /// and 12 (mouse), the input channel's page, the notification it waits on and the client's (Signal only), and the
    /// console. It sets the controller up, asks the mouse for its wheel, then turns each byte into events (KeyboardState,
    /// MousePackets) in the channel's ring (libs/Exo.Protocols/Input/InputChannelHeader.cs) and rings the client. Caps Lock
    /// and Num Lock go to the keyboard's LEDs. Each key press's time-stamp counter goes into the channel's header
    /// (LastKeyTimestamp). Started with "bench" as its third argument (make bench's desktop boot), it also presses the key
    /// A whenever the client asks (BenchKeysRequested): the scan codes go through the same decoder as the controller's
    /// bytes, so gui.key_to_pixel measures the whole path from the driver's byte to the glyph in the framebuffer.
    /// </summary>
    public static unsafe class Program
    {
        private const ulong KeyboardBit = 1, MouseBit = 2;
        /// <summary>A poll of the controller this often even without an interrupt: an edge lost while a line was masked
        /// would otherwise leave a byte waiting for ever.</summary>
        private const ulong PollNanoseconds = 100_000_000;
        private const byte MouseSetDefaults = 0xF6, MouseSampleRate = 0xF3, MouseGetId = 0xF2, EnableReporting = 0xF4,
            KeyboardSetLeds = 0xED, Resend = 0xFE;
        private const byte WheelMouseId = 3;
        /// <summary>Scan code set 1's make and break codes of the key A.</summary>
        private const byte KeyAMake = 0x1E, KeyABreak = 0x9E;
        private static bool s_bench;
        private static uint s_benchKeysPressed;

        private static KeyboardState s_keyboard;
        private static MousePackets s_mouse;
        private static InputChannelWriter s_channel;

        public static int Main()
        {
            if (Process.StartupHandleCount < 8)
            {
                Console.WriteLine("ps2_input: started without its ports and lines (the device manager starts it)");
                return 1;
            }
            if (new IoPortRange(Process.StartupHandle(0)).Enable() != Error.None || new IoPortRange(Process.StartupHandle(1)).Enable() != Error.None)
                return Report("cannot enable its ports", Error.AccessDenied);
            var keyboardLine = new InterruptLine(Process.StartupHandle(2));
            var mouseLine = new InterruptLine(Process.StartupHandle(3));
            if (new MemoryObject(Process.StartupHandle(4)).Map(true, out byte* page) != Error.None)
                return Report("cannot map its input channel", Error.Invalid);
            var own = new Notification(Process.StartupHandle(5));
            var client = new Notification(Process.StartupHandle(6));
            if (!s_channel.Attach(page, client))
                return Report("cannot lay out its ring", Error.Invalid);
            s_keyboard.Layout = Process.ArgumentIs(2, "de") ? InputChannelHeader.LayoutGerman : InputChannelHeader.LayoutUnitedStates;
            s_channel.Header->RequestedLayout = s_channel.Header->ActiveLayout = s_keyboard.Layout;
            if (!I8042Controller.Initialize())
                return Report("the i8042 does not answer", Error.TimedOut);
            uint devices = 0;
            if (I8042Controller.KeyboardCommand(EnableReporting))
                devices |= InputChannelHeader.DeviceKeyboard;
            if (StartMouse(out bool wheel))
                devices |= InputChannelHeader.DeviceMouse | (wheel ? InputChannelHeader.DeviceWheel : 0);
            s_mouse.PacketBytes = wheel ? 4 : 3;
            Error error = keyboardLine.Bind(own, KeyboardBit);
            if (error == Error.None)
                error = mouseLine.Bind(own, MouseBit);
            if (error != Error.None)
                return Report("cannot bind its interrupt lines", error);
            Console.Write("ps2_input: keyboard ");
            Console.Write((devices & InputChannelHeader.DeviceKeyboard) != 0 ? "on" : "absent");
            Console.Write(", mouse ");
            Console.Write((devices & InputChannelHeader.DeviceMouse) == 0 ? "absent" : wheel ? "with wheel" : "without wheel");
            Console.Write(", layout ");
            Console.WriteLine(s_keyboard.Layout == InputChannelHeader.LayoutGerman ? "de" : "us");
            s_bench = Process.ArgumentIs(3, "bench");
            s_channel.Open(devices);
            while (true)
            {
                error = own.WaitUntil(MonotonicClock.Nanoseconds + PollNanoseconds, out _);
                if (error != Error.None && error != Error.TimedOut)
                    return Report("its notification failed", error);
                if (s_bench)
                    PressBenchKeys();
                Drain();
                keyboardLine.Acknowledge();
                mouseLine.Acknowledge();
                Drain();   // a byte that came while the lines were masked raised no edge we saw
                s_channel.Flush();
            }
        }

        /// <summary>Set defaults, then the IntelliMouse knock (sample rates 200, 100, 80): a wheel mouse answers ID 3 after it
        /// and sends 4-byte packets. Then reporting on.</summary>
        private static bool StartMouse(out bool wheel)
        {
            wheel = false;
            if (!I8042Controller.MouseCommand(MouseSetDefaults))
                return false;
            if (SetSampleRate(200) && SetSampleRate(100) && SetSampleRate(80) && I8042Controller.MouseCommand(MouseGetId)
                && I8042Controller.Read(out byte id))
                wheel = id == WheelMouseId;
            return I8042Controller.MouseCommand(EnableReporting);
        }

        private static bool SetSampleRate(byte rate) => I8042Controller.MouseCommand(MouseSampleRate) && I8042Controller.MouseCommand(rate);

        /// <summary>Every byte the controller holds, to the keyboard's or the mouse's decoder by the status's auxiliary bit.</summary>
        private static void Drain()
        {
            byte status;
            while (((status = I8042Controller.Status) & I8042Controller.StatusOutputFull) != 0)
            {
                byte value = Ports.InByte(I8042Controller.DataPort);
                if ((status & I8042Controller.StatusAuxiliaryData) != 0)
                    MouseByte(value);
                else
                    KeyboardByte(value);
            }
        }

        /// <summary>The keys the client asked for in a bench boot, fed to the decoder as if the controller had sent them.</summary>
        private static void PressBenchKeys()
        {
            uint requested = Volatile.Read(ref s_channel.Header->BenchKeysRequested);
            while (s_benchKeysPressed != requested)
            {
                s_benchKeysPressed++;
                KeyboardByte(KeyAMake);
                KeyboardByte(KeyABreak);
            }
        }

        private static void KeyboardByte(byte value)
        {
            ulong arrived = Benchmark.ReadTimestamp();
            if (value == I8042Controller.Acknowledge || value == Resend)
                return;
            uint requested = Volatile.Read(ref s_channel.Header->RequestedLayout);
            if (requested != s_keyboard.Layout && KeyboardLayouts.IsKnown(requested))
            {
                s_keyboard.Layout = requested;
                Volatile.Write(ref s_channel.Header->ActiveLayout, requested);
            }
            byte leds = s_keyboard.Leds;
            if (!s_keyboard.Feed(value, out InputEvent key))
                return;
            if (key.Kind == InputEventKind.KeyDown)
                Volatile.Write(ref s_channel.Header->LastKeyTimestamp, arrived);
            s_channel.Emit(&key);
            if (s_keyboard.Leds != leds)
            {
                I8042Controller.SendToKeyboard(KeyboardSetLeds);
                I8042Controller.SendToKeyboard(s_keyboard.Leds);
            }
        }

        private static void MouseByte(byte value)
        {
            if (!s_mouse.Feed(value, out InputEvent motion, out InputEvent buttons, out InputEvent wheel))
                return;
            s_channel.Emit(&motion);
            s_channel.Emit(&buttons);
            s_channel.Emit(&wheel);
        }

        private static int Report(string what, Error error)
        {
            Console.Write("ps2_input: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
