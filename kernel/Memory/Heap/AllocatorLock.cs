using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Exo.Kernel.Sync;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// The allocator's level-2 and level-3 lock: a ticket lock that, in the kernel, also masks interrupts
    /// while held. Why: system calls and page faults run with interrupts masked and take these locks (demand
    /// paging allocates a frame in the fault handler). If a thread holding one with interrupts on were
    /// preempted, a masked waiter on the same processor would spin forever (seen: the ipc suite hung at one
    /// processor). Masked, a holder is never preempted.
    ///
    /// The masking calls the two assembly routines (Arch/X64/CpuPrimitives.asm) directly, and Enter and Exit
    /// are inlined into their callers: about 32 instructions for Enter plus Exit, ticket lock included. They
    /// used to be calls that reached the routines through installed function pointers and two forwarding
    /// wrappers: 69 instructions (alloc.page 363 -> 292 with nothing else changed). The host tests compile
    /// this file too and never turn masking on, so they never call the routines (a P/Invoke binds at its
    /// first call).
    /// </summary>
    public unsafe struct AllocatorLock
    {
        private static bool s_masksInterrupts;

        // Returns 1 if interrupts were enabled, else 0. An int, not a bool: a bool return is marshalled, which
        // puts the call in a stub of its own (prologue, setne, epilogue) instead of inlining it.
        [DllImport("*", EntryPoint = "ExoDisableInterruptsSavingState"), SuppressGCTransition]
        private static extern int DisableInterruptsSavingState();

        [DllImport("*", EntryPoint = "ExoEnableInterrupts"), SuppressGCTransition]
        private static extern void EnableInterrupts();

        private TicketLock _lock;
        private bool _restoreInterrupts;

        /// <summary>Its place in the lock order (LockRank), set once by the allocator before first use.</summary>
        public LockRank Rank { set => _lock.Rank = value; }

        /// <summary>The kernel turns masking on once, before any processor but the first runs.</summary>
        public static void MaskInterruptsWhileHeld() => s_masksInterrupts = true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Enter()
        {
            bool enabled = s_masksInterrupts && DisableInterruptsSavingState() != 0;
            _lock.Enter();
            _restoreInterrupts = enabled;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Exit()
        {
            bool restore = _restoreInterrupts;
            _lock.Exit();
            if (restore)
                EnableInterrupts();
        }
    }
}
