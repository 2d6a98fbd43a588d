using System.Runtime.InteropServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;

namespace Exo.Kernel.UserMode
{
    /// <summary>
    /// Demand paging of anonymous user memory: a page fault on a page the process reserved (SYS_MEMORY_MAP)
    /// maps a zeroed frame there and the access runs again. Two kinds of fault qualify: the program's own
    /// (ring 3), and the kernel's copy to or from user memory (UserAccess.asm), so a system call may take a
    /// buffer the program never touched. Anything else stays a fault: the program ends with the usual report,
    /// or the copy's recovery turns it into -EFAULT. Runs in the fault handler: no allocation but the frame.
    /// </summary>
    public static unsafe class UserPageFaults
    {
        private static ulong s_pagesFaultedIn;
        private static ulong s_copyUserAccess, s_copyUserAccessTail;

        /// <summary>Pages mapped on first touch since boot (all processors; a statistic, not exact under SMP).</summary>
        public static ulong PagesFaultedIn => s_pagesFaultedIn;

        [DllImport("*", EntryPoint = "ExoGetCopyUserAccess"), SuppressGCTransition]
        private static extern ulong GetCopyUserAccess();

        [DllImport("*", EntryPoint = "ExoGetCopyUserAccessTail"), SuppressGCTransition]
        private static extern ulong GetCopyUserAccessTail();

        /// <summary>True if the fault in 'frame' (vector 14) was a first touch, now mapped: resume the instruction.</summary>
        public static bool TryHandle(RegisterFrame* frame)
        {
            bool fromUser = (frame->Cs & 3) == 3;
            if (!fromUser)
            {
                if (s_copyUserAccess == 0)
                {
                    s_copyUserAccessTail = GetCopyUserAccessTail();
                    s_copyUserAccess = GetCopyUserAccess();
                }
                if (frame->Rip != s_copyUserAccess && frame->Rip != s_copyUserAccessTail)
                    return false;
            }
            if (Scheduler.Scheduler.Current.Process is not Processes.Process process || process.AddressSpace == null)
                return false;
            AddressSpace space = process.AddressSpace;
            if ((Cpu.ReadCr3() & KernelPageTables.AddressMask) != space.Root)
                return false;   // not this process's tables (cannot happen today; never map into the wrong space)
            switch (space.FaultIn(Cpu.ReadCr2(), frame->ErrorCode))
            {
                case AddressSpace.FaultOutcome.Mapped:
                    s_pagesFaultedIn++;
                    return true;
                case AddressSpace.FaultOutcome.OutOfMemory when fromUser:
                    UserMode.EndProgramAfterFault(frame, "no physical memory left for a demand-paged page");   // does not return
                    return false;
                default:
                    return false;   // a real fault; out of memory in a kernel copy becomes -EFAULT through the recovery
            }
        }
    }
}
