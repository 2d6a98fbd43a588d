using Exo.Kernel.Arch.X64;
using Exo.Kernel.Time;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// The clock and the tick. Bounds are loose on purpose: under TCG, virtual time can stall while the host
    /// is busy, so these check that things are calibrated and move, not that they are precise.
    /// </summary>
    public static unsafe class TimerTests
    {
        public static void Run()
        {
            Test("tsc_calibrated", &TscCalibrated);
            Test("apic_timer_calibrated", &ApicTimerCalibrated);
            Test("uptime_monotonic", &UptimeMonotonic);
            Test("sleep_50ms", &Sleep50);
        }

        private static void TscCalibrated()
        {
            Check(SystemClock.TscFrequency > 10_000_000, "TSC faster than 10 MHz", SystemClock.TscFrequency);
            Check(SystemClock.TscFrequency < 100_000_000_000, "TSC slower than 100 GHz", SystemClock.TscFrequency);
        }

        private static void ApicTimerCalibrated() => Check(LocalApic.TimerFrequency > 10_000, "APIC timer counts", LocalApic.TimerFrequency);

        private static void UptimeMonotonic()
        {
            ulong previous = SystemClock.UptimeMicroseconds;
            bool monotonic = true;
            for (int i = 0; i < 10000; i++)
            {
                ulong now = SystemClock.UptimeMicroseconds;
                monotonic &= now >= previous;
                previous = now;
            }
            Check(monotonic, "uptime never goes backwards");
        }

        private static void Sleep50()
        {
            ulong startTicks = SystemClock.Ticks;
            ulong start = SystemClock.UptimeMicroseconds;
            SystemClock.SleepMilliseconds(50);
            ulong elapsed = SystemClock.UptimeMicroseconds - start;
            ulong ticks = SystemClock.Ticks - startTicks;
            Check(elapsed >= 50_000, "slept at least 50 ms", elapsed);
            Check(elapsed < 5_000_000, "woke within 5 s", elapsed);
            // QEMU coalesces periodic ticks the host missed, so only "it advanced" is a fact under TCG.
            Check(ticks >= 1, "the tick advanced while sleeping", ticks);
        }
    }
}
