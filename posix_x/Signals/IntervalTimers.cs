using Exo.Kernel.Arch.X64;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Signals
{
    /// <summary>
    /// Each process's three interval timers (setitimer, alarm): ITIMER_REAL counts real time and sends SIGALRM;
    /// ITIMER_VIRTUAL and ITIMER_PROF count the process's run time and send SIGVTALRM and SIGPROF (POSIX-X counts all
    /// run time as user time, so the two advance alike). Each has a deadline and an interval in TSC ticks. Processes
    /// with a timer armed are linked in one list; one kernel thread ("posix timers") sleeps until the earliest real
    /// deadline (the scheduler's ArmTimeout), or one tick while a run-time timer is armed (run time is checked at
    /// tick granularity, as Linux does), or until a timer changes, then sends what is due. A process's timers go with
    /// the process (OnProcessEnded disarms them); fork does not copy them, execve keeps them, as on Linux.
    /// Lock order: the list's lock is a wait queue's (the thread sleeps on it); a process's own Lock is not taken
    /// under it.
    /// </summary>
    public static unsafe class IntervalTimers
    {
        public const int Real = 0, Virtual = 1, Profiling = 2, Count = 3;

        private static readonly WaitQueue s_changed = new WaitQueue();   // its lock guards the list and the timers
        private static LinuxProcess s_armed;                               // processes with a timer armed, unordered
        private static bool s_listChanged;
        private static ulong s_expirations;

        public static ulong Expirations => s_expirations;

        private static int s_threadStarted;

        // The timer thread starts with the first timer set (a boot that never sets one has no such thread).
        private static bool EnsureThread()
        {
            if (System.Threading.Volatile.Read(ref s_threadStarted) == 1)
                return true;
            if (System.Threading.Interlocked.CompareExchange(ref s_threadStarted, 1, 0) != 0)
                return true;
            if (Scheduler.Create("posix timers", &Run, 0) != null)
                return true;
            System.Threading.Volatile.Write(ref s_threadStarted, 0);
            return false;
        }

        private static ref IntervalTimer Of(LinuxProcess process, int which)
        {
            if (which == Virtual)
                return ref process.VirtualTimer;
            if (which == Profiling)
                return ref process.ProfilingTimer;
            return ref process.RealTimer;
        }

        // What the timer counts: real time, or the process's run time.
        private static ulong Now(LinuxProcess process, int which) => which == Real ? Cpu.ReadTimeStampCounter() : process.RunTime;

        private static int SignalOf(int which) => which == Virtual ? Signal.VirtualAlarm : which == Profiling ? Signal.ProfilingAlarm : Signal.Alarm;

        private static bool AnyArmed(LinuxProcess process)
            => process.RealTimer.Deadline != 0 || process.VirtualTimer.Deadline != 0 || process.ProfilingTimer.Deadline != 0;

        /// <summary>
        /// Sets timer 'which' of 'process' to fire after 'delay' TSC ticks of what it counts (0: disarm), then every
        /// 'interval' ticks (0: once); the previous setting's time left and interval come back.
        /// </summary>
        public static Error Set(LinuxProcess process, int which, ulong delay, ulong interval, out ulong previousLeft, out ulong previousInterval)
        {
            previousLeft = previousInterval = 0;
            if (delay != 0 && !EnsureThread())
                return Error.OutOfMemory;
            ulong now = Now(process, which);
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                ref IntervalTimer timer = ref Of(process, which);
                previousLeft = Left(timer, now);
                previousInterval = timer.Interval;
                bool wasListed = AnyArmed(process);
                timer.Deadline = delay == 0 ? 0 : now + delay;
                timer.Interval = delay == 0 ? 0 : interval;
                bool listed = AnyArmed(process);
                if (!wasListed && listed)
                {
                    process.NextWithTimer = s_armed;
                    s_armed = process;
                }
                else if (wasListed && !listed)
                {
                    Unlink(process);
                }
                s_listChanged = true;
            }
            s_changed.WakeAll();
            return Error.None;
        }

        /// <summary>The time left and the interval of timer 'which' (getitimer).</summary>
        public static void Get(LinuxProcess process, int which, out ulong left, out ulong interval)
        {
            ulong now = Now(process, which);
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                ref IntervalTimer timer = ref Of(process, which);
                left = Left(timer, now);
                interval = timer.Interval;
            }
        }

        // A timer due but not yet sent reads as 1 tick left, never 0 (0 means disarmed).
        private static ulong Left(in IntervalTimer timer, ulong now)
            => timer.Deadline == 0 ? 0 : timer.Deadline > now ? timer.Deadline - now : 1;

        /// <summary>The process has ended: its timers are gone (before the process can be freed).</summary>
        public static void ProcessEnded(LinuxProcess process)
        {
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (AnyArmed(process))
                    Unlink(process);
                process.RealTimer = process.VirtualTimer = process.ProfilingTimer = default;
            }
        }

        // List lock held.
        private static void Unlink(LinuxProcess process)
        {
            if (s_armed == process)
            {
                s_armed = process.NextWithTimer;
            }
            else
            {
                for (LinuxProcess p = s_armed; p != null; p = p.NextWithTimer)
                {
                    if (p.NextWithTimer == process)
                    {
                        p.NextWithTimer = process.NextWithTimer;
                        break;
                    }
                }
            }
            process.NextWithTimer = null;
        }

        private const int BatchCapacity = 32;
        private const ulong RunTimeChecksPerSecond = 250;   // Linux's usual HZ: how finely run-time timers are checked

        // The timer thread: sleep until the earliest deadline or a change, then send each due timer's signal
        // (a reference held across the send, taken under the list's lock so the process cannot be freed meanwhile).
        private static void Run(ulong argument)
        {
            Exo.Kernel.Processes.Process[] due = new Exo.Kernel.Processes.Process[BatchCapacity];
            int[] signals = new int[BatchCapacity];
            while (true)
            {
                ulong earliest = 0;
                using (InterruptMask.Enter())
                {
                    s_changed.Lock.Enter();
                    for (LinuxProcess p = s_armed; p != null; p = p.NextWithTimer)
                    {
                        if (p.RealTimer.Deadline != 0 && (earliest == 0 || p.RealTimer.Deadline < earliest))
                            earliest = p.RealTimer.Deadline;
                        if (p.VirtualTimer.Deadline != 0 || p.ProfilingTimer.Deadline != 0)
                        {
                            ulong check = Cpu.ReadTimeStampCounter() + SystemClock.TscFrequency / RunTimeChecksPerSecond;
                            if (earliest == 0 || check < earliest)
                                earliest = check;
                        }
                    }
                    if (s_listChanged)
                    {
                        s_listChanged = false;
                        s_changed.Lock.Exit();
                    }
                    else
                    {
                        s_changed.Lock.Exit();
                        if (earliest != 0)
                            Scheduler.ArmTimeout(earliest);
                        s_changed.Lock.Enter();
                        if (s_listChanged)
                            s_changed.Lock.Exit();
                        else
                            Scheduler.BlockOnLockedInterruptibly(s_changed);
                        if (earliest != 0)
                            Scheduler.DisarmTimeout();
                    }
                }
                int count = 0;
                ulong realNow = Cpu.ReadTimeStampCounter();
                using (InterruptMask.Enter())
                using (s_changed.Lock.Hold())
                {
                    for (LinuxProcess p = s_armed, next; p != null && count < BatchCapacity; p = next)
                    {
                        next = p.NextWithTimer;
                        bool runTimers = p.VirtualTimer.Deadline != 0 || p.ProfilingTimer.Deadline != 0;
                        ulong runNow = runTimers ? p.RunTime : 0;
                        for (int which = Real; which < Count && count < BatchCapacity; which++)
                        {
                            ref IntervalTimer timer = ref Of(p, which);
                            ulong now = which == Real ? realNow : runNow;
                            if (timer.Deadline == 0 || timer.Deadline > now)
                                continue;
                            p.Process.AddReference();
                            due[count] = p.Process;
                            signals[count++] = SignalOf(which);
                            if (timer.Interval != 0)
                            {
                                ulong late = now - timer.Deadline;
                                timer.Deadline += (late / timer.Interval + 1) * timer.Interval;   // overruns are not queued
                            }
                            else
                            {
                                timer.Deadline = 0;
                            }
                        }
                        if (!AnyArmed(p))
                            Unlink(p);
                    }
                }
                for (int i = 0; i < count; i++)
                {
                    if (due[i].PersonalityState is LinuxProcess target)
                        SignalDelivery.SendToProcess(target, signals[i], new SignalInformation { Code = FromKernel });
                    due[i].Release();
                    due[i] = null;
                    s_expirations++;
                }
            }
        }

        // Linux's itimer signals are sent as from the kernel (SI_KERNEL), not as POSIX timers' SI_TIMER.
        private const int FromKernel = 0x80;
    }
}
