using Exo.Kernel.Arch.X64;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Signals
{
    /// <summary>
    /// Each process's real-time interval timer (setitimer(ITIMER_REAL), alarm): a deadline in TSC ticks and an
    /// interval, SIGALRM at each expiry. Processes with a timer armed are linked in one list; one kernel thread
    /// ("posix timers") sleeps until the earliest deadline (the scheduler's ArmTimeout) or until a timer changes,
    /// then sends what is due. A process's timer goes with the process (OnProcessEnded disarms it); fork does not
    /// copy it, execve keeps it, as on Linux.
    /// Lock order: the list's lock is a wait queue's (the thread sleeps on it); a process's own Lock is not taken
    /// under it.
    /// </summary>
    public static unsafe class IntervalTimers
    {
        private static readonly WaitQueue s_changed = new WaitQueue();   // its lock guards the list and the fields below
        private static LinuxProcess s_armed;                               // processes with a deadline, unordered
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

        /// <summary>
        /// Sets 'process''s real timer to fire after 'delay' TSC ticks (0: disarm), then every 'interval' ticks
        /// (0: once); the previous setting's time left and interval come back.
        /// </summary>
        public static Error Set(LinuxProcess process, ulong delay, ulong interval, out ulong previousLeft, out ulong previousInterval)
        {
            previousLeft = previousInterval = 0;
            if (delay != 0 && !EnsureThread())
                return Error.OutOfMemory;
            ulong now = Cpu.ReadTimeStampCounter();
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                previousLeft = process.RealTimerDeadline == 0 ? 0 : process.RealTimerDeadline > now ? process.RealTimerDeadline - now : 1;
                previousInterval = process.RealTimerInterval;
                bool wasArmed = process.RealTimerDeadline != 0;
                process.RealTimerDeadline = delay == 0 ? 0 : now + delay;
                process.RealTimerInterval = delay == 0 ? 0 : interval;
                if (!wasArmed && delay != 0)
                {
                    process.NextWithTimer = s_armed;
                    s_armed = process;
                }
                else if (wasArmed && delay == 0)
                {
                    Unlink(process);
                }
                s_listChanged = true;
            }
            s_changed.WakeAll();
            return Error.None;
        }

        /// <summary>The time left and the interval (getitimer).</summary>
        public static void Get(LinuxProcess process, out ulong left, out ulong interval)
        {
            ulong now = Cpu.ReadTimeStampCounter();
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                left = process.RealTimerDeadline == 0 ? 0 : process.RealTimerDeadline > now ? process.RealTimerDeadline - now : 1;
                interval = process.RealTimerInterval;
            }
        }

        /// <summary>The process has ended: its timer is gone (before the process can be freed).</summary>
        public static void ProcessEnded(LinuxProcess process)
        {
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (process.RealTimerDeadline != 0)
                    Unlink(process);
                process.RealTimerDeadline = process.RealTimerInterval = 0;
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

        // The timer thread: sleep until the earliest deadline or a change, then send SIGALRM to each process due
        // (a reference held across the send, taken under the list's lock so the process cannot be freed meanwhile).
        private static void Run(ulong argument)
        {
            Exo.Kernel.Processes.Process[] due = new Exo.Kernel.Processes.Process[BatchCapacity];
            while (true)
            {
                ulong earliest = 0;
                using (InterruptMask.Enter())
                {
                    s_changed.Lock.Enter();
                    for (LinuxProcess p = s_armed; p != null; p = p.NextWithTimer)
                        if (earliest == 0 || p.RealTimerDeadline < earliest)
                            earliest = p.RealTimerDeadline;
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
                ulong now = Cpu.ReadTimeStampCounter();
                using (InterruptMask.Enter())
                using (s_changed.Lock.Hold())
                {
                    for (LinuxProcess p = s_armed, next; p != null && count < BatchCapacity; p = next)
                    {
                        next = p.NextWithTimer;
                        if (p.RealTimerDeadline > now)
                            continue;
                        p.Process.AddReference();
                        due[count++] = p.Process;
                        if (p.RealTimerInterval != 0)
                        {
                            ulong late = now - p.RealTimerDeadline;
                            p.RealTimerDeadline += (late / p.RealTimerInterval + 1) * p.RealTimerInterval;   // overruns are not queued
                        }
                        else
                        {
                            p.RealTimerDeadline = 0;
                            Unlink(p);
                        }
                    }
                }
                for (int i = 0; i < count; i++)
                {
                    if (due[i].PersonalityState is LinuxProcess target)
                        SignalDelivery.SendToProcess(target, Signal.Alarm, new SignalInformation { Code = FromKernelTimer });
                    due[i].Release();
                    due[i] = null;
                    s_expirations++;
                }
            }
        }

        private const int FromKernelTimer = -2;   // SI_TIMER
    }
}
