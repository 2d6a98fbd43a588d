using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// RLIMIT_FSIZE, as Linux applies it to regular files: a write that would cross the limit is cut at it; one that
    /// starts at or past it, and a truncate past it, fail with EFBIG and raise SIGXFSZ on the calling thread (its
    /// default ends the program). Writes by the kernel itself (no Linux process) are not limited.
    /// </summary>
    public static unsafe class FileSizeLimit
    {
        /// <summary>
        /// Cuts 'count' bytes at 'offset' to what the caller's limit allows; false when nothing is allowed: the caller
        /// then fails with <see cref="Exceeded"/>, once it holds no lock (raising a signal takes the process's).
        /// </summary>
        public static bool ClipWrite(ulong offset, ref ulong count)
        {
            ulong limit = CallerLimit();
            if (count == 0 || limit == ResourceLimits.Infinity || offset + count <= limit)
                return true;
            if (offset >= limit)
                return false;
            count = limit - offset;
            return true;
        }

        /// <summary>May the caller make a file 'size' bytes long (truncate, ftruncate)?</summary>
        public static Error CheckSize(ulong size) => size > CallerLimit() ? Exceeded() : Error.None;

        private static ulong CallerLimit()
            => Exo.Kernel.Scheduler.Scheduler.Current.Process?.PersonalityState is LinuxProcess process
                ? process.Limits.Current[ResourceLimits.FileSize] : ResourceLimits.Infinity;

        /// <summary>EFBIG, with SIGXFSZ raised on the calling thread.</summary>
        public static Error Exceeded()
        {
            SignalDelivery.RaiseOnCurrentThread(Signal.FileSizeLimit);
            return Error.FileTooLarge;
        }
    }
}
