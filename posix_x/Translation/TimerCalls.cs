using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.Kernel.Time;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// alarm, setitimer and getitimer over each process's interval timers (Signals.IntervalTimers: ITIMER_REAL sends
    /// SIGALRM, ITIMER_VIRTUAL SIGVTALRM, ITIMER_PROF SIGPROF at each expiry).
    /// </summary>
    public static unsafe class TimerCalls
    {

        internal static void Register()
        {
            LinuxSystemCalls.Register(Alarm, &DoAlarm, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setitimer, &DoSetTimer, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getitimer, &DoGetTimer, CallPath.Fast);
        }

        private static ulong TicksOfMicroseconds(ulong microseconds)
            => microseconds / 1_000_000 * SystemClock.TscFrequency + microseconds % 1_000_000 * SystemClock.TscFrequency / 1_000_000;

        private static ulong MicrosecondsOfTicks(ulong ticks)
            => ticks / SystemClock.TscFrequency * 1_000_000 + ticks % SystemClock.TscFrequency * 1_000_000 / SystemClock.TscFrequency;

        // alarm(seconds): the seconds left of the previous alarm, rounded (a pending one never reads as 0).
        private static ulong DoAlarm(RegisterFrame* frame)
        {
            ulong seconds = (uint)frame->Argument0;
            Error error = IntervalTimers.Set(LinuxProcess.Current, IntervalTimers.Real, seconds * SystemClock.TscFrequency, 0, out ulong left, out _);
            if (error != Error.None)
                return SystemCallResult.From(error);
            ulong previous = MicrosecondsOfTicks(left);
            return previous == 0 ? 0 : (previous + 500_000) / 1_000_000 == 0 ? 1 : (previous + 500_000) / 1_000_000;
        }

        // struct itimerval: the interval, then the value (each a timeval).
        private struct TimerValue { public long IntervalSeconds, IntervalMicroseconds, Seconds, Microseconds; }

        private static ulong DoSetTimer(RegisterFrame* frame)
        {
            int which = (int)frame->Argument0;
            if ((uint)which >= IntervalTimers.Count)
                return SystemCallResult.From(Error.Invalid);
            TimerValue requested = default;
            if (frame->Argument1 != 0 && !UserMemory.CopyFromUser(&requested, frame->Argument1, (ulong)sizeof(TimerValue)))
                return SystemCallResult.From(Error.BadAddress);
            if (requested.Seconds < 0 || requested.Microseconds < 0 || requested.Microseconds >= 1_000_000
                || requested.IntervalSeconds < 0 || requested.IntervalMicroseconds < 0 || requested.IntervalMicroseconds >= 1_000_000)
                return SystemCallResult.From(Error.Invalid);
            ulong delay = TicksOfMicroseconds((ulong)requested.Seconds * 1_000_000 + (ulong)requested.Microseconds);
            ulong interval = TicksOfMicroseconds((ulong)requested.IntervalSeconds * 1_000_000 + (ulong)requested.IntervalMicroseconds);
            Error error = IntervalTimers.Set(LinuxProcess.Current, which, delay, interval, out ulong left, out ulong previousInterval);
            if (error != Error.None)
                return SystemCallResult.From(error);
            return frame->Argument2 == 0 || Write(frame->Argument2, left, previousInterval) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoGetTimer(RegisterFrame* frame)
        {
            int which = (int)frame->Argument0;
            if ((uint)which >= IntervalTimers.Count)
                return SystemCallResult.From(Error.Invalid);
            IntervalTimers.Get(LinuxProcess.Current, which, out ulong left, out ulong interval);
            return Write(frame->Argument1, left, interval) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static bool Write(ulong address, ulong left, ulong interval)
        {
            ulong leftMicroseconds = MicrosecondsOfTicks(left), intervalMicroseconds = MicrosecondsOfTicks(interval);
            TimerValue value = new TimerValue
            {
                IntervalSeconds = (long)(intervalMicroseconds / 1_000_000), IntervalMicroseconds = (long)(intervalMicroseconds % 1_000_000),
                Seconds = (long)(leftMicroseconds / 1_000_000), Microseconds = (long)(leftMicroseconds % 1_000_000),
            };
            return UserMemory.CopyToUser(address, &value, (ulong)sizeof(TimerValue));
        }
    }
}
