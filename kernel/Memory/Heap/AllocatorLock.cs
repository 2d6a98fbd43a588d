using Exo.Kernel.Sync;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// The allocator's level-2 and level-3 lock: a ticket lock that, in the kernel, also masks interrupts
    /// while held. Why: system calls and page faults run with interrupts masked and take these locks (demand
    /// paging allocates a frame in the fault handler). If a thread holding one with interrupts on were
    /// preempted, a masked waiter on the same processor would spin forever (seen: the ipc suite hung at one
    /// processor). Masked, a holder is never preempted. The host tests leave the hooks unset (nothing to mask).
    /// </summary>
    public unsafe struct AllocatorLock
    {
        private static delegate*<bool> s_maskInterrupts;       // returns whether they were enabled
        private static delegate*<void> s_enableInterrupts;

        private TicketLock _lock;

        /// <summary>Its place in the lock order (LockRank), set once by the allocator before first use.</summary>
        public LockRank Rank { set => _lock.Rank = value; }
        private bool _restoreInterrupts;

        /// <summary>The kernel installs its interrupt masking once, before any processor but the first runs.</summary>
        public static void InstallInterruptMasking(delegate*<bool> mask, delegate*<void> enable)
        {
            s_maskInterrupts = mask;
            s_enableInterrupts = enable;
        }

        public void Enter()
        {
            bool enabled = s_maskInterrupts != null && s_maskInterrupts();
            _lock.Enter();
            _restoreInterrupts = enabled;
        }

        public void Exit()
        {
            bool restore = _restoreInterrupts;
            _lock.Exit();
            if (restore)
                s_enableInterrupts();
        }
    }
}
