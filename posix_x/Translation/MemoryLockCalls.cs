using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// mlock, mlock2, munlock, mlockall, munlockall. Exo-OS never pages memory out: a page, once touched, stays in
    /// its frame until it is unmapped, so every page is already "locked" and these calls only check their arguments
    /// as Linux does (EINVAL for bad flags or a wrapping range, ENOMEM for a range with an unmapped page). Runtimes call
    /// them (.NET's FlushProcessWriteBuffers falls back on mlock of a helper page without membarrier). The pages are not
    /// faulted in ahead: the first touch of a locked page still faults (a cost, never a loss).
    /// </summary>
    public static unsafe class MemoryLockCalls
    {
        private const ulong LockOnFault = 1;   // MLOCK_ONFAULT
        private const ulong LockCurrent = 1, LockFuture = 2, LockAllOnFault = 4;   // MCL_*
        private const ulong PageSize = 4096;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Mlock, &DoLock, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mlock2, &DoLock2, CallPath.Hybrid);
            LinuxSystemCalls.Register(Munlock, &DoUnlock, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mlockall, &DoLockAll, CallPath.Hybrid);
            LinuxSystemCalls.Register(Munlockall, &DoUnlockAll, CallPath.Hybrid);
        }

        private static ulong DoLock(RegisterFrame* frame) => CheckRange(frame->Argument0, frame->Argument1);

        private static ulong DoLock2(RegisterFrame* frame)
            => (frame->Argument2 & ~LockOnFault) != 0 ? SystemCallResult.From(Error.Invalid) : CheckRange(frame->Argument0, frame->Argument1);

        private static ulong DoUnlock(RegisterFrame* frame) => CheckRange(frame->Argument0, frame->Argument1);

        // MCL_ONFAULT alone, no flag, or an unknown one: EINVAL (Linux's rule).
        private static ulong DoLockAll(RegisterFrame* frame)
        {
            ulong flags = frame->Argument0;
            if (flags == 0 || (flags & ~(LockCurrent | LockFuture | LockAllOnFault)) != 0 || (flags & (LockCurrent | LockFuture)) == 0)
                return SystemCallResult.From(Error.Invalid);
            return 0;
        }

        private static ulong DoUnlockAll(RegisterFrame* frame) => 0;

        // The range [address & ~4095, address + length rounded up): EINVAL if it wraps, ENOMEM past the user half or
        // with a page outside every mapping; an empty range is fine.
        private static ulong CheckRange(ulong address, ulong length)
        {
            ulong start = address & ~(PageSize - 1);
            ulong end = address + length;
            if (end < address)
                return SystemCallResult.From(Error.Invalid);
            if (length == 0)
                return 0;
            end = (end + PageSize - 1) & ~(PageSize - 1);
            if (end == 0 || !UserMemory.IsUserRange(start, end - start))
                return SystemCallResult.From(Error.OutOfMemory);
            return LinuxProcess.Current.Regions.Covers(start, end - start) ? 0 : SystemCallResult.From(Error.OutOfMemory);
        }
    }
}
