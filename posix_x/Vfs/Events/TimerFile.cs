using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;

namespace Exo.PosixX.Vfs.Events
{
    /// <summary>
    /// A timerfd: a deadline and an interval on the monotonic clock (CLOCK_REALTIME's absolute times are turned into it
    /// when set), and the expirations not yet read. Nothing runs when it expires: expirations are counted when someone
    /// looks (a read, poll, gettime), and pollers sleep no later than the deadline (ReadyAt). A read returns the count
    /// (8 bytes) and waits while it is 0. One wait queue whose lock guards the state.
    /// </summary>
    public sealed unsafe class TimerFile : AnonymousFile
    {
        public const int RealTimeClock = 0, MonotonicClock = 1, BootTimeClock = 7, RealTimeAlarmClock = 8, BootTimeAlarmClock = 9;
        // A deadline's TSC is a little late rather than early: a poller woken at it finds the timer expired.
        private const ulong WakeSlackNanoseconds = 1000;

        private readonly WaitQueue _changed = new WaitQueue();
        public readonly int Clock;
        private ulong _deadline;      // monotonic nanoseconds; 0: disarmed
        private ulong _interval;      // nanoseconds; 0: once
        private ulong _expirations;   // not yet read
        private int _changes;

        public TimerFile(int clock, int flags) : base(OpenFlags.ReadWrite | (flags & OpenFlags.NonBlocking)) { Clock = clock; }

        public bool IsRealTime => Clock == RealTimeClock || Clock == RealTimeAlarmClock;

        // Lock held: the expirations since the deadline passed, the next deadline after them.
        private void CountExpirations(ulong now)
        {
            if (_deadline == 0 || now < _deadline)
                return;
            ulong count = 1;
            if (_interval != 0)
            {
                count += (now - _deadline) / _interval;
                _deadline += count * _interval;
            }
            else
            {
                _deadline = 0;
            }
            _expirations += count;
            _changes++;
        }

        /// <summary>timerfd_settime: armed at 'value' (absolute on the timer's clock, or from now; 0: disarmed), then every 'interval'; the previous setting's time left and interval.</summary>
        public void Set(ulong value, ulong interval, bool absolute, out ulong previousLeft, out ulong previousInterval)
        {
            ulong now = SystemClock.UptimeNanoseconds;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                CountExpirations(now);
                previousLeft = _deadline == 0 ? 0 : _deadline - now;
                previousInterval = _interval;
                _expirations = 0;
                _interval = interval;
                if (value == 0)
                    _deadline = 0;
                else if (!absolute)
                    _deadline = now + value;
                else
                {
                    long monotonic = IsRealTime ? (long)value - WallClock.BootNanoseconds : (long)value;
                    _deadline = monotonic <= 0 ? 1 : (ulong)monotonic;   // in the past: expired at once
                }
                CountExpirations(now);
                _changes++;
            }
            Announce();
        }

        /// <summary>timerfd_gettime: the time left (0: disarmed) and the interval.</summary>
        public void Get(out ulong left, out ulong interval)
        {
            ulong now = SystemClock.UptimeNanoseconds;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                CountExpirations(now);
                left = _deadline == 0 ? 0 : _deadline - now;
                interval = _interval;
            }
        }

        public override string KindName => "timerfd";

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (count < 8)
                return Error.Invalid;
            ulong expirations;
            Thread current = Scheduler.Current;
            while (true)
            {
                ulong deadline;
                using (InterruptMask.Enter())
                using (_changed.Lock.Hold())
                {
                    CountExpirations(SystemClock.UptimeNanoseconds);
                    expirations = _expirations;
                    _expirations = 0;
                    deadline = _deadline;
                }
                if (expirations != 0)
                    break;
                if (NonBlocking)
                    return Error.WouldBlock;
                // Sleep until the deadline or a change (timerfd_settime); the deadline is armed before the queue's
                // lock is taken (the sleepers' lock ranks below it).
                using (InterruptMask.Enter())
                {
                    if (deadline != 0)
                        Scheduler.ArmTimeout(TscOf(deadline));
                    _changed.Lock.Enter();
                    if (_deadline == deadline && _expirations == 0)
                        Scheduler.BlockOnLockedInterruptibly(_changed);
                    else
                        _changed.Lock.Exit();
                    if (deadline != 0)
                        Scheduler.DisarmTimeout();
                }
                if (current.WaitInterrupted)
                    return Error.RestartSystemCall;
            }
            Announce();
            if (!buffer.CopyIn(0, (byte*)&expirations, 8))
                return Error.BadAddress;
            done = 8;
            return Error.None;
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.Invalid;
        }

        // The TSC at monotonic time 'deadline'.
        private static ulong TscOf(ulong deadline)
        {
            ulong now = SystemClock.UptimeNanoseconds;
            return SystemClock.TscAfterNanoseconds((deadline > now ? deadline - now : 0) + WakeSlackNanoseconds);
        }

        private void Announce()
        {
            using (InterruptMask.Enter())
                if (!_changed.IsEmpty)
                    _changed.WakeAll();
            Readiness.Changed();
        }

        public override PollEvents Poll()
        {
            ulong now = SystemClock.UptimeNanoseconds;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                CountExpirations(now);
                return _expirations != 0 ? PollEvents.In : PollEvents.None;
            }
        }

        public override int ChangeCount(PollEvents interest) => System.Threading.Volatile.Read(ref _changes);

        public override ulong ReadyAt
        {
            get
            {
                ulong deadline;
                using (InterruptMask.Enter())
                using (_changed.Lock.Hold())
                    deadline = _expirations == 0 ? _deadline : 0;
                return deadline == 0 ? 0 : TscOf(deadline);
            }
        }

        protected override void Destroy()
        {
            Exo.Runtime.ObjectAllocator.Free(_changed);
            base.Destroy();
        }
    }
}
