namespace Exo.Abi
{
    /// <summary>
    /// The kernel's time page (Linux's "vvar"): one read-only page, the same frame in every process, from which ring 3
    /// tells the monotonic clock with RDTSC instead of a system call. Native programs find it at
    /// <see cref="Address"/> when SystemCallNumber.TimePageAddress says so; Linux programs through the vDSO, which
    /// maps it at the same place (posix_x/Optimization/vdso.c mirrors <see cref="TimePageLayout"/> and checks its
    /// offsets at build time).
    /// </summary>
    public static class TimePage
    {
        /// <summary>Above the stack top (0x7FFFFFFF0000) with a page of gap between; the vDSO's image follows it.</summary>
        public const ulong Address = 0x00007FFFFFFF2000;

        /// <summary>
        /// (ticks x multiplier) >> 32 as a 128-bit product gives it, from 32-bit halves: the one conversion the kernel's
        /// clock (SystemClock) and ring 3's reading of this page (Exo.Std.MonotonicClock) both use, so they agree to the
        /// nanosecond (the vDSO's MUL and SHRD give the same).
        /// </summary>
        public static ulong NanosecondsFromTicks(ulong ticks, ulong multiplier)
        {
            ulong low = (uint)ticks, high = ticks >> 32;
            return high * multiplier + low * (multiplier >> 32) + (low * (uint)multiplier >> 32);
        }
    }

    /// <summary>
    /// The time page's fields. Nanoseconds since boot are ((RDTSC - BootTsc) x Multiplier) >> 32, the product taken
    /// as 128 bits; everything but WallAtBoot is written once before any program runs, and WallAtBoot is one aligned
    /// word written whole (settimeofday), so readers need no lock.
    /// </summary>
    public struct TimePageLayout
    {
        /// <summary>The TSC at uptime zero.</summary>
        public ulong BootTsc;
        /// <summary>Nanoseconds per TSC tick x 2^32.</summary>
        public ulong Multiplier;
        /// <summary>Nanoseconds since 1970 at uptime zero.</summary>
        public long WallAtBoot;
        /// <summary>TSC ticks per second.</summary>
        public ulong TscFrequency;
        /// <summary>ProcessorInTscAux (1), ProcessorByRdpid (2).</summary>
        public uint Flags;
    }
}
