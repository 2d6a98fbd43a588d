using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;

namespace Exo.Kernel.Time
{
    /// <summary>
    /// Time since boot from the TSC (calibrated against the PIT), plus the count of timer ticks (processor 0's, a
    /// burst of late ones counted once: see OnTick).
    /// Nanoseconds are (elapsed ticks x multiplier) >> 32, the multiplier being nanoseconds per tick in 32.32 fixed
    /// point: the same formula, on the same numbers, as the vDSO computes in ring 3 from the time page
    /// (TimeDataPage), so a program's clock_gettime reads the same with or without a system call. Its rate error
    /// (under 2^-33) is far below the calibration's own (a 10 ms PIT interval).
    /// </summary>
    public static unsafe class SystemClock
    {
        public const uint TickHertz = 1000;
        private static ulong s_tscFrequency;
        private static ulong s_bootTsc;
        private static ulong s_multiplier;
        private static ulong s_tickPeriod;       // TSC ticks per tick (1 / TickHertz), at least 1
        private static ulong s_ticks;
        private static ulong s_lastCountedTsc;   // when processor 0's last counted tick came

        public static ulong TscFrequency => s_tscFrequency;
        public static ulong Ticks => s_ticks;

        /// <summary>The tick's period in TSC ticks.</summary>
        public static ulong TickPeriod => s_tickPeriod;

        /// <summary>The TSC at uptime zero.</summary>
        public static ulong BootTsc => s_bootTsc;
        /// <summary>Nanoseconds per TSC tick x 2^32 (rounded).</summary>
        public static ulong NanosecondsPerTickMultiplier => s_multiplier;

        public static void CalibrateTsc()
        {
            s_bootTsc = Cpu.ReadTimeStampCounter();
            const ushort pitTicks = (ushort)(ProgrammableIntervalTimer.Frequency / 100);   // 10 ms
            ProgrammableIntervalTimer.StartOneShot(pitTicks);
            ulong start = Cpu.ReadTimeStampCounter();
            ulong spins = 0;
            while (!ProgrammableIntervalTimer.Expired)
            {
                if (++spins > 100_000_000)
                    Panic.Fail("the PIT never expired while calibrating the TSC");
            }
            s_tscFrequency = (Cpu.ReadTimeStampCounter() - start) * 100;
            if (s_tscFrequency == 0)
                s_tscFrequency = 1;
            // 10^9 x 2^32 fits 64 bits (4.3 x 10^18); any frequency of 1 Hz or more gives a multiplier that fits.
            s_multiplier = ((1_000_000_000UL << 32) + s_tscFrequency / 2) / s_tscFrequency;
            s_tickPeriod = s_tscFrequency / TickHertz > 0 ? s_tscFrequency / TickHertz : 1;
        }

        public static void StartTick()
        {
            InterruptDispatcher.Register(LocalApic.TimerVector, &OnTick);
            StartTickOnThisProcessor();
        }

        /// <summary>An application processor's own tick, on the same grid as every other's.</summary>
        public static void StartTickOnThisProcessor()
        {
            LocalApic.PrepareOneShotTimer();
            ArmNextTick(Cpu.ReadTimeStampCounter());
        }

        // Every processor's tick comes at the same instants: multiples of the period on the TSC (the next one at least
        // half a period away, so a tick that comes a little early does not bring another at once). Returns the index
        // of the period the tick belongs to.
        private static ulong ArmNextTick(ulong now)
        {
            ulong index = (now + s_tickPeriod / 2) / s_tickPeriod;
            LocalApic.ArmOneShot((index + 1) * s_tickPeriod - now, s_tscFrequency);
            return index;
        }

        // Every processor's timer lands here; the tick count counts processor 0's, but not one that comes less than
        // half a period after the last one counted. The emulator delivers the ticks a stalled processor missed in a
        // burst when it runs again (QEMU TCG on a loaded host: 15 within 1.3 ms), and the scheduler's aging, in
        // ticks, must not count a stall as waiting (Scheduler.AgingIntervalTicks).
        private static void OnTick(RegisterFrame* frame)
        {
            ulong now = Cpu.ReadTimeStampCounter();
            ulong period = ArmNextTick(now);
            int processor = Cpu.CurrentProcessor();
            if (processor == 0 && now - s_lastCountedTsc >= s_tickPeriod / 2)
            {
                s_ticks++;
                s_lastCountedTsc = now;
            }
            Scheduler.Scheduler.OnTick();
            // Each period belongs to one processor in turn, and the others end their emulator turn at its tick (a
            // PAUSE: on hardware a short hint). QEMU under -icount (before 8.1) runs one virtual processor at a time, in
            // order, each until the next timer deadline or until it halts or pauses: one that never did kept the next
            // from running at all, with threads queued there, for as long as it stayed busy (docs/audio.md).
            int online = Smp.Processors.Online;
            if (online > 1 && (int)(period % (ulong)online) != processor)
                Cpu.Pause();
        }

        public static ulong UptimeMicroseconds => UptimeNanoseconds / 1000;

        /// <summary>Time since boot in nanoseconds (the TSC's resolution, for clock_gettime).</summary>
        public static ulong UptimeNanoseconds => NanosecondsFromTicks(Cpu.ReadTimeStampCounter() - s_bootTsc);

        /// <summary>'ticks' of the TSC in nanoseconds (Exo.Abi.TimePage's conversion, which ring 3 uses on the time page).</summary>
        public static ulong NanosecondsFromTicks(ulong ticks) => TimePage.NanosecondsFromTicks(ticks, s_multiplier);

        /// <summary>The TSC value 'nanoseconds' from now (a deadline for the scheduler).</summary>
        public static ulong TscAfterNanoseconds(ulong nanoseconds)
            => Cpu.ReadTimeStampCounter() + nanoseconds / 1_000_000_000 * s_tscFrequency + nanoseconds % 1_000_000_000 * s_tscFrequency / 1_000_000_000;

        /// <summary>Busy-waits 'microseconds' on the TSC (for drivers' short delays).</summary>
        public static void SpinMicroseconds(ulong microseconds)
        {
            ulong end = Cpu.ReadTimeStampCounter() + microseconds * s_tscFrequency / 1_000_000;
            while (Cpu.ReadTimeStampCounter() < end)
                Cpu.Pause();
        }

        /// <summary>Sleeps until 'milliseconds' have passed: the thread blocks (or, before the scheduler runs, the CPU halts).</summary>
        public static void SleepMilliseconds(ulong milliseconds)
        {
            if (Scheduler.Scheduler.IsStarted)
            {
                Scheduler.Scheduler.Sleep(milliseconds);
                return;
            }
            ulong end = UptimeMicroseconds + milliseconds * 1000;
            while (UptimeMicroseconds < end)
                Cpu.EnableInterruptsAndHalt();
        }
    }
}
