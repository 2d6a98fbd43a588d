using Exo.Kernel.Arch.X64;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.Kernel.Syscalls;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// A poller's sleep (poll, select, epoll_wait): until some readiness changes (Readiness), its own timeout, a
    /// signal, or the soonest moment an object it looks at becomes ready by itself (OpenFile.ReadyAt: a timerfd's
    /// expiry, which nobody announces).
    /// </summary>
    public struct ReadinessWait
    {
        private readonly ulong _deadline;   // TSC ticks; 0: no timeout
        /// <summary>A timeout of 0: look once, never sleep.</summary>
        public readonly bool Immediate;
        private ulong _soonest;
        /// <summary>
        /// The keys of the objects this pass looked at (OpenFile.ReadinessKeys): the changes that wake the sleep. Every
        /// key unless a poller that knows its objects sets it (poll and select do, at each pass).
        /// </summary>
        public ulong Interest;

        /// <summary>A wait of 'timeoutNanoseconds' (negative: no timeout, 0: none at all).</summary>
        public ReadinessWait(long timeoutNanoseconds)
        {
            Immediate = timeoutNanoseconds == 0;
            _deadline = timeoutNanoseconds > 0 ? Exo.Kernel.Time.SystemClock.TscAfterNanoseconds((ulong)timeoutNanoseconds) : 0;
            _soonest = 0;
            Interest = Readiness.AllKeys;
        }

        /// <summary>An object looked at in this pass becomes ready by itself at 'readyAt' (0: never).</summary>
        public void Note(ulong readyAt)
        {
            if (readyAt != 0 && (_soonest == 0 || readyAt < _soonest))
                _soonest = readyAt;
        }

        /// <summary>
        /// Sleeps unless the readiness generation moved past 'generation' (read before the pass looked): None to look
        /// again, Interrupted for a signal or a kill, TimedOut once the timeout passed.
        /// </summary>
        public Error Sleep(int generation)
        {
            ulong wake = _deadline;
            if (_soonest != 0 && (wake == 0 || _soonest < wake))
                wake = _soonest;
            _soonest = 0;
            Thread current = Scheduler.Current;
            if (wake == 0 || Cpu.ReadTimeStampCounter() < wake)
            {
                using (InterruptMask.Enter())
                {
                    if (wake != 0)
                        Scheduler.ArmTimeout(wake);
                    Readiness.WaitForChange(generation, Interest);
                    if (wake != 0)
                        Scheduler.DisarmTimeout();
                }
            }
            if (current.WaitInterrupted)
                return Error.Interrupted;
            if (_deadline != 0 && Cpu.ReadTimeStampCounter() >= _deadline)
                return Error.TimedOut;
            return Error.None;
        }
    }
}
