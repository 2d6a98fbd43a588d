using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Sync;
using Exo.Kernel.Syscalls;
using Exo.Kernel.Time;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Clocks and sleeping: time, gettimeofday, settimeofday, clock_gettime, clock_getres, clock_settime, nanosleep,
    /// clock_nanosleep. The real-time clock is the RTC read at boot plus the TSC since; the monotonic and boot clocks
    /// are the TSC since boot; CPU-time clocks are the scheduler's accounting. A sleep is an interruptible wait with
    /// a deadline: a signal ends it with EINTR and the time left (Linux restarts it instead when no handler runs; here
    /// the caller sees EINTR then too).
    /// </summary>
    public static unsafe class TimeCalls
    {
        public const int RealTime = 0, Monotonic = 1, ProcessCpuTime = 2, ThreadCpuTime = 3, MonotonicRaw = 4,
            RealTimeCoarse = 5, MonotonicCoarse = 6, BootTime = 7, RealTimeAlarm = 8, BootTimeAlarm = 9;
        private const int AbsoluteTime = 1;   // TIMER_ABSTIME

        private static readonly Exo.Kernel.Scheduler.WaitQueue s_sleepers = new Exo.Kernel.Scheduler.WaitQueue();

        internal static void Register()
        {
            LinuxSystemCalls.Register(Time, &DoTime, CallPath.Fast);
            LinuxSystemCalls.Register(Gettimeofday, &DoGetTimeOfDay, CallPath.Fast);
            LinuxSystemCalls.Register(Settimeofday, &DoSetTimeOfDay, CallPath.Hybrid);
            LinuxSystemCalls.Register(ClockGettime, &DoClockGetTime, CallPath.Fast);
            LinuxSystemCalls.Register(ClockGetres, &DoClockGetResolution, CallPath.Fast);
            LinuxSystemCalls.Register(ClockSettime, &DoClockSetTime, CallPath.Hybrid);
            LinuxSystemCalls.Register(Nanosleep, &DoNanosleep, CallPath.Hybrid);
            LinuxSystemCalls.Register(ClockNanosleep, &DoClockNanosleep, CallPath.Hybrid);
        }

        /// <summary>Reads a struct timespec as nanoseconds; EINVAL for a negative or unnormalized one.</summary>
        public static Error ReadTimespec(ulong address, out long nanoseconds)
        {
            nanoseconds = 0;
            long* value = stackalloc long[2];
            if (!UserMemory.CopyFromUser(value, address, 16))
                return Error.BadAddress;
            if (value[0] < 0 || value[1] < 0 || value[1] >= 1_000_000_000)
                return Error.Invalid;
            nanoseconds = value[0] > long.MaxValue / 1_000_000_000 - 1 ? long.MaxValue : value[0] * 1_000_000_000 + value[1];
            return Error.None;
        }

        public static bool WriteTimespec(ulong address, long nanoseconds)
        {
            long* value = stackalloc long[2];
            value[0] = nanoseconds / 1_000_000_000;
            value[1] = nanoseconds % 1_000_000_000;
            return UserMemory.CopyToUser(address, value, 16);
        }

        // The clock's reading in nanoseconds, or false for a clock POSIX-X does not have.
        private static bool Read(int clock, out long nanoseconds)
        {
            switch (clock)
            {
                case RealTime:
                case RealTimeCoarse:
                case RealTimeAlarm:
                    nanoseconds = WallClock.NowNanoseconds;
                    return true;
                case Monotonic:
                case MonotonicRaw:
                case MonotonicCoarse:
                case BootTime:
                case BootTimeAlarm:
                    nanoseconds = (long)SystemClock.UptimeNanoseconds;
                    return true;
                case ProcessCpuTime:
                    nanoseconds = (long)ResourceCalls.CpuMicroseconds(threadOnly: false) * 1000;
                    return true;
                case ThreadCpuTime:
                    nanoseconds = (long)ResourceCalls.CpuMicroseconds(threadOnly: true) * 1000;
                    return true;
                default:
                    nanoseconds = 0;
                    return false;
            }
        }

        private static ulong DoTime(RegisterFrame* frame)
        {
            long seconds = WallClock.NowNanoseconds / 1_000_000_000;
            if (frame->Argument0 != 0 && !UserMemory.CopyToUser(frame->Argument0, &seconds, 8))
                return SystemCallResult.From(Error.BadAddress);
            return (ulong)seconds;
        }

        // gettimeofday(timeval*, timezone*): the zone is always UTC.
        private static ulong DoGetTimeOfDay(RegisterFrame* frame)
        {
            long now = WallClock.NowNanoseconds;
            if (frame->Argument0 != 0)
            {
                long* value = stackalloc long[2];
                value[0] = now / 1_000_000_000;
                value[1] = now % 1_000_000_000 / 1000;
                if (!UserMemory.CopyToUser(frame->Argument0, value, 16))
                    return SystemCallResult.From(Error.BadAddress);
            }
            if (frame->Argument1 != 0)
            {
                ulong zone = 0;
                if (!UserMemory.CopyToUser(frame->Argument1, &zone, 8))
                    return SystemCallResult.From(Error.BadAddress);
            }
            return 0;
        }

        private static ulong DoSetTimeOfDay(RegisterFrame* frame)
        {
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            if (frame->Argument0 == 0)
                return 0;
            long* value = stackalloc long[2];
            if (!UserMemory.CopyFromUser(value, frame->Argument0, 16))
                return SystemCallResult.From(Error.BadAddress);
            if (value[0] < 0 || value[1] < 0 || value[1] >= 1_000_000)
                return SystemCallResult.From(Error.Invalid);
            WallClock.Set(value[0] * 1_000_000_000 + value[1] * 1000);
            return 0;
        }

        private static ulong DoClockGetTime(RegisterFrame* frame)
        {
            if (!Read((int)frame->Argument0, out long now))
                return SystemCallResult.From(Error.Invalid);
            return WriteTimespec(frame->Argument1, now) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoClockGetResolution(RegisterFrame* frame)
        {
            if (!Read((int)frame->Argument0, out _))
                return SystemCallResult.From(Error.Invalid);
            int clock = (int)frame->Argument0;
            long resolution = clock == RealTimeCoarse || clock == MonotonicCoarse ? 1_000_000 : 1;   // coarse: the tick
            return frame->Argument1 == 0 || WriteTimespec(frame->Argument1, resolution) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoClockSetTime(RegisterFrame* frame)
        {
            if ((int)frame->Argument0 != RealTime)
                return SystemCallResult.From(Error.Invalid);
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            Error error = ReadTimespec(frame->Argument1, out long value);
            if (error != Error.None)
                return SystemCallResult.From(error);
            WallClock.Set(value);
            return 0;
        }

        private static ulong DoNanosleep(RegisterFrame* frame)
        {
            Error error = ReadTimespec(frame->Argument0, out long duration);
            if (error != Error.None)
                return SystemCallResult.From(error);
            return SleepFor(duration, frame->Argument1);
        }

        // clock_nanosleep(clock, flags, request, remain)
        private static ulong DoClockNanosleep(RegisterFrame* frame)
        {
            int clock = (int)frame->Argument0;
            if (clock == ThreadCpuTime || !Read(clock, out long now))
                return SystemCallResult.From(Error.Invalid);
            if (clock == ProcessCpuTime)
                return SystemCallResult.From(Error.NotSupported);
            Error error = ReadTimespec(frame->Argument2, out long request);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (((int)frame->Argument1 & AbsoluteTime) != 0)
            {
                // An absolute deadline: restarting after a signal sleeps only what is left, so Linux restarts it.
                long left = request - now;
                ulong result = SleepFor(left < 0 ? 0 : left, 0);
                return result == SystemCallResult.From(Error.Interrupted) ? SystemCallResult.From(Error.RestartNoHandler) : result;
            }
            return SleepFor(request, frame->Argument3);
        }

        // Sleeps 'nanoseconds' unless a signal comes first: then EINTR, with the time left in 'remain' if given.
        private static ulong SleepFor(long nanoseconds, ulong remain)
        {
            if (nanoseconds <= 0)
                return 0;
            ulong deadline = SystemClock.TscAfterNanoseconds((ulong)nanoseconds);
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            bool interrupted;
            using (InterruptMask.Enter())
            {
                Exo.Kernel.Scheduler.Scheduler.ArmTimeout(deadline);
                while (!current.WaitEnds)
                {
                    s_sleepers.Lock.Enter();
                    Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(s_sleepers);
                }
                bool timedOut = Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                interrupted = !timedOut && current.WaitInterrupted;
            }
            if (!interrupted)
                return 0;
            if (remain != 0)
            {
                ulong now = Cpu.ReadTimeStampCounter();
                long left = now >= deadline ? 0 : (long)((deadline - now) / (SystemClock.TscFrequency / 1_000_000)) * 1000;
                WriteTimespec(remain, left);
            }
            return SystemCallResult.From(Error.Interrupted);
        }
    }
}
