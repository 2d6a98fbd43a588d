using Exo.Abi;
using Exo.Std;
using Exo.Compositor.Scene;

namespace Compositor
{
    /// <summary>
    /// `compositor display0 bench` (make bench's desktop boot, init=bench_desktop.conf; tools/Exo.Bench): the rows
    /// boot.to_desktop (the time-stamp counter when the first complete frame is in the framebuffer: instructions since reset
    /// under -icount shift=0), gui.compose_full (one 1920x1080 frame composed off-screen and copied) and gui.compose_damage
    /// (a 64x64 damaged rectangle); the compositor then goes on as usual. The frame rows compose a 1920x1080 scene of their
    /// own, whatever mode the display is in: the background, two windows (decorations and empty content) and the cursor,
    /// copied into memory laid out as a 1920x1080 framebuffer. Then gui.key_to_pixel, on the real desktop: once a
    /// window (the terminal bench_desktop.conf starts) has drawn, the compositor asks ps2_input (started with "bench") to
    /// press A, KeyToPixelSamples times, one at a time; each sample runs from the time-stamp counter the driver wrote when
    /// it took the key's byte (InputChannelHeader.LastKeyTimestamp) to the end of the first frame copied to the
    /// framebuffer after that key with a commit of a window in it (the terminal drew the echoed glyph). Then EXO-BENCH-DONE.
    /// </summary>
    internal static unsafe class CompositorBenchmark
    {
        private const int Width = 1920, Height = 1080, DamageSide = 64;
        private const int FullFrames = 16, DamageFrames = 256;
        private const int FirstWindowWidth = 800, FirstWindowHeight = 600, SecondWindowWidth = 640, SecondWindowHeight = 480;

        /// <summary>Reports the boot row at the first frame (call right after it was copied).</summary>
        public static void ReportFirstFrame()
        {
            ulong now = Benchmark.ReadTimestamp();
            Benchmark.Print("boot.to_desktop", now, now, 1);
        }

        /// <summary>
        /// Measures the frame rows on a scene of their own, then sets the screen up again for the real framebuffer (with
        /// whole-screen damage). The scratch framebuffer and the first back buffer stay mapped: a bench boot's cost only.
        /// </summary>
        public static bool MeasureFrames(byte* framebuffer, int width, int height, int pitch)
        {
            if (Exo.Std.Memory.VirtualMemory.Map(0, (ulong)Width * Height * 4, true, out byte* scratch) != Error.None
                || !Screen.Initialize(scratch, Width, Height, Width * 4))
                return false;
            var windows = new WindowStack(Width, Height);
            int first = windows.Add(0, 0), second = windows.Add(0, 0);
            windows.Map(first, FirstWindowWidth, FirstWindowHeight, ref Screen.Damage);
            windows.Map(second, SecondWindowWidth, SecondWindowHeight, ref Screen.Damage);
            Screen.ComposeAndFlush(windows, out _);   // warms the caches and the back buffer's pages
            ulong* samples = stackalloc ulong[DamageFrames];
            for (int i = 0; i < FullFrames; i++)
                samples[i] = Frame(windows, new Rectangle(0, 0, Width, Height));
            Benchmark.PrintSamples("gui.compose_full", samples, FullFrames, FullFrames);
            // Across the second window's title bar: background, frame, title bar and content in the one rectangle.
            Rectangle bar = WindowFrame.TitleBar(windows[second].Content);
            Rectangle damage = new Rectangle(bar.X + 8, bar.Y - 16, DamageSide, DamageSide);
            for (int i = 0; i < DamageFrames; i++)
                samples[i] = Frame(windows, damage);
            Benchmark.PrintSamples("gui.compose_damage", samples, DamageFrames, DamageFrames);
            return Screen.Initialize(framebuffer, width, height, pitch);
        }

        // gui.key_to_pixel's state: keys asked for, the one under way, the samples taken.
        public const int KeyToPixelSamples = 16;
        /// <summary>A pause between keys (the previous key's last redraws are done), and how long one key may take.</summary>
        private const ulong KeyGapNanoseconds = 100_000_000, KeyPatienceNanoseconds = 3_000_000_000;
        private static ulong* s_keySamples;
        private static int s_keysMeasured;
        private static bool s_keyUnderWay, s_keyArrived, s_windowCommitted, s_done;
        private static ulong s_keyAsked, s_keyTimestamp, s_nextKey;

        /// <summary>Measuring gui.key_to_pixel (a bench boot, after the frame rows).</summary>
        public static bool MeasuringKeys { get; private set; }

        public static bool StartKeys()
        {
            s_keySamples = (ulong*)Exo.Std.Memory.UserHeap.Allocate((nuint)(sizeof(ulong) * KeyToPixelSamples));
            MeasuringKeys = s_keySamples != null;
            return MeasuringKeys;
        }

        /// <summary>A window's client committed (its pixels go into the next frame).</summary>
        public static void WindowCommitted()
        {
            if (MeasuringKeys)
                s_windowCommitted = true;
        }

        /// <summary>The key this bench asked for came through the input ring: its start is the driver's time stamp.</summary>
        public static void KeyPressed(ulong driverTimestamp)
        {
            if (!s_keyUnderWay || s_keyArrived)
                return;
            s_keyArrived = true;
            s_keyTimestamp = driverTimestamp;
            s_windowCommitted = false;
        }

        /// <summary>
        /// After each round's frame ('copied': one went to the framebuffer): ends the key under way when the frame held a
        /// window's commit after it, and asks the driver for the next key once a window is there and the gap has passed.
        /// </summary>
        public static void AfterFrame(bool copied, WindowStack windows, ref uint keysRequested, Exo.Std.Ipc.Notification inputDriver)
        {
            if (!MeasuringKeys || s_done)
                return;
            ulong now = MonotonicClock.Nanoseconds;
            if (s_keyUnderWay)
            {
                if (s_keyArrived && copied && s_windowCommitted)
                {
                    s_keySamples[s_keysMeasured++] = Benchmark.ReadTimestamp() - s_keyTimestamp;
                    s_keyUnderWay = false;
                    s_nextKey = now + KeyGapNanoseconds;
                }
                else if (now - s_keyAsked > KeyPatienceNanoseconds)
                {
                    Console.WriteLine("compositor: bench key lost (no redraw after it); asking again");
                    s_keyUnderWay = false;
                }
                if (s_keysMeasured == KeyToPixelSamples)
                {
                    Benchmark.PrintSamples("gui.key_to_pixel", s_keySamples, KeyToPixelSamples, KeyToPixelSamples);
                    Console.WriteLine("EXO-BENCH-DONE");
                    s_done = true;
                }
                return;
            }
            // A window with the focus that has drawn: the terminal is up (the first key waits a gap after its first frame).
            if (windows.Focused < 0 || !s_windowCommitted)
                return;
            if (s_nextKey == 0)
                s_nextKey = now + 10 * KeyGapNanoseconds;
            if (now < s_nextKey)
                return;
            s_keyUnderWay = true;
            s_keyArrived = false;
            s_keyAsked = now;
            System.Threading.Volatile.Write(ref keysRequested, keysRequested + 1);
            inputDriver.Signal(Exo.Protocols.Input.InputChannelHeader.DriverBit);
        }

        private static ulong Frame(WindowStack windows, Rectangle damage)
        {
            Screen.Damage.Add(damage);
            ulong start = Benchmark.ReadTimestamp();
            Screen.ComposeAndFlush(windows, out _);
            return Benchmark.ReadTimestamp() - start;
        }
    }
}
