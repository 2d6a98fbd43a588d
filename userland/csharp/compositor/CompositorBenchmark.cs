using Exo.Abi;
using Exo.Std;
using Exo.Compositor.Scene;

namespace Compositor
{
    /// <summary>
    /// `compositor display0 bench` (make bench's desktop boot, init=bench_desktop.conf; tools/Exo.Bench): the rows
    /// boot.to_desktop (the time-stamp counter when the first complete frame is in the framebuffer: instructions since reset
    /// under -icount shift=0), gui.compose_full (one 1920x1080 frame composed off-screen and copied) and gui.compose_damage
    /// (a 64x64 damaged rectangle), then EXO-BENCH-DONE; the compositor then goes on as usual. The frame rows compose a
    /// 1920x1080 scene of their own, whatever mode the display is in: the background, two windows (decorations and empty
    /// content) and the cursor, copied into memory laid out as a 1920x1080 framebuffer.
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
            Console.WriteLine("EXO-BENCH-DONE");
            return Screen.Initialize(framebuffer, width, height, pitch);
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
