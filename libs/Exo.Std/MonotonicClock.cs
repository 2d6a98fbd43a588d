namespace Exo.Std
{
    /// <summary>The kernel's monotonic clock: nanoseconds since boot, never going back (the clock of Notification.WaitUntil).</summary>
    public static class MonotonicClock
    {
        public static ulong Nanoseconds => (ulong)SystemCall.Call(Exo.Abi.SystemCallNumber.ClockRead);

        public static long Milliseconds => (long)(Nanoseconds / 1_000_000);
    }
}
