using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux resource limits (getrlimit, setrlimit, prlimit64 on the calling process) and usage (getrusage,
    /// times: the CPU time the kernel accounts per thread). A soft limit may not exceed its hard one, and only a
    /// privileged process may raise a hard limit, as on Linux. Which limits are enforced, and where, is said
    /// where each is checked (descriptors, processes, stack, address space).
    /// </summary>
    public static unsafe class ResourceCalls
    {
        private const int UsageSelf = 0, UsageChildren = -1, UsageThread = 1;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Getrlimit, &DoGetLimit, CallPath.Fast);
            LinuxSystemCalls.Register(Setrlimit, &DoSetLimit, CallPath.Hybrid);
            LinuxSystemCalls.Register(Prlimit64, &DoProcessLimit, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getrusage, &DoGetUsage, CallPath.Hybrid);
            LinuxSystemCalls.Register(Times, &DoTimes, CallPath.Hybrid);
        }

        private struct Limit { public ulong Current, Maximum; }

        // getrlimit and setrlimit always use their pointer (null is EFAULT); prlimit64 takes null as "not this one".
        private static ulong DoGetLimit(RegisterFrame* frame) => Exchange((int)frame->Argument0, 0, false, frame->Argument1, true);

        private static ulong DoSetLimit(RegisterFrame* frame) => Exchange((int)frame->Argument0, frame->Argument1, true, 0, false);

        // prlimit64(pid, resource, new, old): on the calling process only (pid 0 or its own) for now.
        private static ulong DoProcessLimit(RegisterFrame* frame)
        {
            ulong pid = frame->Argument0;
            if (pid != 0 && pid != (ulong)LinuxProcess.Current.ProcessId)
                return SystemCallResult.From(Error.NoSuchProcess);
            return Exchange((int)frame->Argument1, frame->Argument2, frame->Argument2 != 0, frame->Argument3, frame->Argument3 != 0);
        }

        private static ulong Exchange(int resource, ulong newLimit, bool setting, ulong oldLimit, bool getting)
        {
            if ((uint)resource >= ResourceLimits.Count)
                return SystemCallResult.From(Error.Invalid);
            Limit requested = default;
            if (setting && !UserMemory.CopyFromUser(&requested, newLimit, (ulong)sizeof(Limit)))
                return SystemCallResult.From(Error.BadAddress);
            LinuxProcess process = LinuxProcess.Current;
            Limit previous;
            using (process.Lock.Hold())
            {
                previous.Current = process.Limits.Current[resource];
                previous.Maximum = process.Limits.Maximum[resource];
                if (setting)
                {
                    if (requested.Current > requested.Maximum)
                        return SystemCallResult.From(Error.Invalid);
                    if (requested.Maximum > previous.Maximum && !process.Credentials.IsPrivileged)
                        return SystemCallResult.From(Error.NotPermitted);
                    process.Limits.Current[resource] = requested.Current;
                    process.Limits.Maximum[resource] = requested.Maximum;
                }
            }
            if (getting && !UserMemory.CopyToUser(oldLimit, &previous, (ulong)sizeof(Limit)))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        // struct rusage: user and system time first (timevals), then 14 longs (ru_maxrss first, then page faults, switches...).
        private struct Usage
        {
            public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
            public fixed long Rest[14];
        }

        private static ulong DoGetUsage(RegisterFrame* frame)
        {
            int who = (int)frame->Argument0;
            if (who != UsageSelf && who != UsageChildren && who != UsageThread)
                return SystemCallResult.From(Error.Invalid);
            Usage usage = default;
            if (who != UsageChildren)
            {
                ulong microseconds = CpuMicroseconds(who == UsageThread);
                usage.UserSeconds = (long)(microseconds / 1_000_000);
                usage.UserMicroseconds = (long)(microseconds % 1_000_000);
                // ru_maxrss, in KiB: the most pages the process's space has held at once (for a thread too, as Linux).
                usage.Rest[0] = (long)(Exo.Kernel.Scheduler.Scheduler.Current.Process.AddressSpace.PeakMappedPages * 4);
            }
            return UserMemory.CopyToUser(frame->Argument1, &usage, (ulong)sizeof(Usage)) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        // times(): user and system time of the process and of its waited-for children, in clock ticks (100 Hz);
        // returns ticks since boot.
        private static ulong DoTimes(RegisterFrame* frame)
        {
            ulong ticksPerSecond = Exo.Kernel.Processes.StartStack.ClockTicksPerSecond;
            if (frame->Argument0 != 0)
            {
                long* times = stackalloc long[4];
                times[0] = (long)(CpuMicroseconds(threadOnly: false) * ticksPerSecond / 1_000_000);
                times[1] = times[2] = times[3] = 0;
                if (!UserMemory.CopyToUser(frame->Argument0, times, 32))
                    return SystemCallResult.From(Error.BadAddress);
            }
            return Exo.Kernel.Time.SystemClock.UptimeMicroseconds * ticksPerSecond / 1_000_000;
        }

        // The time the process's threads (or the calling one) have run, all counted as user time.
        internal static ulong CpuMicroseconds(bool threadOnly)
        {
            ulong perMicrosecond = Exo.Kernel.Time.SystemClock.TscFrequency / 1_000_000;
            if (perMicrosecond == 0)
                perMicrosecond = 1;
            ulong ticks = threadOnly ? Exo.Kernel.Scheduler.Scheduler.RunTimeOf(Exo.Kernel.Scheduler.Scheduler.Current) : LinuxProcess.Current.RunTime;
            return ticks / perMicrosecond;
        }
    }
}
