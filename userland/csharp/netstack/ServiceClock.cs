using Exo.Network;
using Exo.Std;

namespace Netstack
{
    /// <summary>The stack's clock: the kernel's monotonic clock in milliseconds (the clock the service's sleeps end on).</summary>
    internal sealed class ServiceClock : IMonotonicClock
    {
        public long NowMilliseconds => MonotonicClock.Milliseconds;
    }
}
