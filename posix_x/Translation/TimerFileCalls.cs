using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Events;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>timerfd_create, timerfd_settime and timerfd_gettime over Vfs.Events.TimerFile.</summary>
    public static unsafe class TimerFileCalls
    {
        private const int AbsoluteTime = 1, CancelOnSet = 2;   // TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET
        private const int CreateFlags = OpenFlags.NonBlocking | OpenFlags.CloseOnExec;
        private const long NanosecondsPerSecond = 1_000_000_000;

        internal static void Register()
        {
            LinuxSystemCalls.Register(TimerfdCreate, &DoCreate, CallPath.Hybrid);
            LinuxSystemCalls.Register(TimerfdSettime, &DoSet, CallPath.Hybrid);
            LinuxSystemCalls.Register(TimerfdGettime, &DoGet, CallPath.Hybrid);
        }

        // struct itimerspec: the interval, then the value (each a timespec).
        private struct TimerSpecification { public long IntervalSeconds, IntervalNanoseconds, Seconds, Nanoseconds; }

        // timerfd_create(clockid, flags)
        private static ulong DoCreate(RegisterFrame* frame)
        {
            int clock = (int)frame->Argument0, flags = (int)frame->Argument1;
            if ((flags & ~CreateFlags) != 0)
                return SystemCallResult.From(Error.Invalid);
            if (clock != TimerFile.RealTimeClock && clock != TimerFile.MonotonicClock && clock != TimerFile.BootTimeClock
                && clock != TimerFile.RealTimeAlarmClock && clock != TimerFile.BootTimeAlarmClock)
                return SystemCallResult.From(Error.Invalid);
            TimerFile file = new TimerFile(clock, flags);
            if (file == null)
                return SystemCallResult.From(Error.OutOfMemory);
            return DescriptorContext.InstallNew(file, (flags & OpenFlags.CloseOnExec) != 0);
        }

        // The timerfd behind 'descriptor' (a reference), or EBADF / EINVAL (another kind of file).
        private static Error Find(ulong descriptor, out TimerFile timer)
        {
            timer = null;
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return Error.BadHandle;
            timer = file as TimerFile;
            if (timer != null)
                return Error.None;
            file.Release();
            return Error.Invalid;
        }

        // timerfd_settime(fd, flags, new*, old*)
        private static ulong DoSet(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument1;
            TimerSpecification requested;
            if (!UserMemory.CopyFromUser(&requested, frame->Argument2, (ulong)sizeof(TimerSpecification)))
                return SystemCallResult.From(Error.BadAddress);
            if ((flags & ~(AbsoluteTime | CancelOnSet)) != 0 || !Valid(requested.Seconds, requested.Nanoseconds)
                || !Valid(requested.IntervalSeconds, requested.IntervalNanoseconds))
                return SystemCallResult.From(Error.Invalid);
            Error error = Find(frame->Argument0, out TimerFile timer);
            if (error != Error.None)
                return SystemCallResult.From(error);
            timer.Set(Nanoseconds(requested.Seconds, requested.Nanoseconds), Nanoseconds(requested.IntervalSeconds, requested.IntervalNanoseconds),
                (flags & AbsoluteTime) != 0, out ulong left, out ulong interval);
            timer.Release();
            return frame->Argument3 == 0 || Write(frame->Argument3, left, interval) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        // timerfd_gettime(fd, curr*)
        private static ulong DoGet(RegisterFrame* frame)
        {
            Error error = Find(frame->Argument0, out TimerFile timer);
            if (error != Error.None)
                return SystemCallResult.From(error);
            timer.Get(out ulong left, out ulong interval);
            timer.Release();
            return Write(frame->Argument1, left, interval) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static bool Valid(long seconds, long nanoseconds) => seconds >= 0 && nanoseconds >= 0 && nanoseconds < NanosecondsPerSecond;

        // A valid timespec's nanoseconds, saturated (a deadline centuries away stays far away).
        private static ulong Nanoseconds(long seconds, long nanoseconds)
            => (ulong)seconds >= (ulong)(long.MaxValue / NanosecondsPerSecond) ? (ulong)long.MaxValue : (ulong)(seconds * NanosecondsPerSecond + nanoseconds);

        private static bool Write(ulong address, ulong left, ulong interval)
        {
            TimerSpecification value = new TimerSpecification
            {
                IntervalSeconds = (long)(interval / NanosecondsPerSecond), IntervalNanoseconds = (long)(interval % NanosecondsPerSecond),
                Seconds = (long)(left / NanosecondsPerSecond), Nanoseconds = (long)(left % NanosecondsPerSecond),
            };
            return UserMemory.CopyToUser(address, &value, (ulong)sizeof(TimerSpecification));
        }
    }
}
