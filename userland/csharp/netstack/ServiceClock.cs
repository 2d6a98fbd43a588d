using Exo.Network;
using Exo.Std;

namespace Netstack
{
    /// <summary>
    /// The stack's clock: the kernel's monotonic clock in milliseconds (the clock the service's sleeps end on), read
    /// once per turn of the service's loop (<see cref="Advance"/>) rather than at every segment and layer: timers
    /// count in milliseconds and a turn takes microseconds, and the stack asked some thirty times a connection.
    /// </summary>
    internal sealed class ServiceClock : IMonotonicClock
    {
        private long _now = MonotonicClock.Milliseconds;

        /// <summary>The time at the start of this turn.</summary>
        public long NowMilliseconds => _now;

        /// <summary>Reads the kernel's clock: at the start of every turn, and before deciding how long to sleep.</summary>
        public void Advance() => _now = MonotonicClock.Milliseconds;
    }
}
