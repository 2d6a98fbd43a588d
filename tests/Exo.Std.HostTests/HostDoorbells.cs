using System.Threading;
using Exo.Protocols.Rings;

namespace Exo.Std.HostTests;

/// <summary>
/// A doorbell on an AutoResetEvent: like a notification, a ring with nobody waiting stays pending until the
/// next Wait. Used to run the ring's sleep/wake protocol between real threads: a lost wake-up hangs the test,
/// which the test's timeout turns into a failure. Wait has a long timeout so that a hang fails, not blocks.
/// </summary>
internal struct EventDoorbell : IRingDoorbell
{
    public AutoResetEvent Event;
    public long Rings, Waits;
    public bool TimedOut;

    public EventDoorbell(AutoResetEvent @event) { Event = @event; Rings = Waits = 0; TimedOut = false; }

    public bool Ring() { Rings++; Event.Set(); return true; }

    public bool Wait()
    {
        Waits++;
        if (Event.WaitOne(10_000))
            return true;
        TimedOut = true;   // a lost wake-up: the other side published but never rang
        return false;
    }
}

/// <summary>A doorbell that never sleeps: Wait yields and returns (a spurious wake-up every time).</summary>
internal struct SpinDoorbell : IRingDoorbell
{
    public long Rings;
    public bool Ring() { Rings++; return true; }
    public bool Wait() { Thread.Yield(); return true; }
}
