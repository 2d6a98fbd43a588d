using System.Runtime.InteropServices;
using Exo.Abi;

namespace Exo.Std
{
    /// <summary>
    /// The kernel's monotonic clock: nanoseconds since boot, never going back (the clock of Notification.WaitUntil).
    /// Read from the kernel's time page with RDTSC when the kernel mapped one into this process (it does for every
    /// native program when the TSC was calibrated), with the kernel's own arithmetic, so both agree to the
    /// nanosecond; else through the ClockRead system call. A service that checks its timers on every turn reads it
    /// often: a system call each time was a tenth of a loopback TCP connection's cost.
    /// </summary>
    public static unsafe class MonotonicClock
    {
        private static TimePageLayout* s_page;

        [DllImport("*", EntryPoint = "ExoStdReadTimeStampCounter"), SuppressGCTransition]
        private static extern ulong ReadTimeStampCounter();

        /// <summary>Asks the kernel once where the time page is (Exo.Std's start-up, before Main).</summary>
        internal static void Initialize()
        {
            long address = SystemCall.Call(SystemCallNumber.TimePageAddress);
            s_page = address == (long)TimePage.Address ? (TimePageLayout*)address : null;
        }

        /// <summary>Whether the clock is read from the time page (false: every read is a system call).</summary>
        public static bool UsesTimePage => s_page != null;

        /// <summary>The kernel's own reading (the ClockRead system call), to check the time page against.</summary>
        public static ulong KernelNanoseconds => (ulong)SystemCall.Call(SystemCallNumber.ClockRead);

        public static ulong Nanoseconds
        {
            get
            {
                TimePageLayout* page = s_page;
                if (page == null)
                    return KernelNanoseconds;
                return TimePage.NanosecondsFromTicks(ReadTimeStampCounter() - page->BootTsc, page->Multiplier);
            }
        }

        public static long Milliseconds => (long)(Nanoseconds / 1_000_000);
    }
}
