using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// One thread of a process, as a kernel object (a thread handle names it): where it starts in ring 3, and its
    /// exit status once it has ended. The process holds a reference to each of its threads until it is freed,
    /// so the scheduler's thread under it can be joined by the reaper.
    /// </summary>
    public sealed unsafe class UserThread : KernelObject
    {
        public readonly Process Process;
        public Scheduler.Thread Thread;
        /// <summary>The registers it starts ring 3 with (entry, stack and start arguments; a fork child's are its parent's).</summary>
        public Arch.X64.RegisterFrame StartFrame;
        public ulong ExitStatus;
        public bool Exited;
        /// <summary>Threads waiting for it to end (thread wait); woken when it has.</summary>
        public readonly Scheduler.WaitQueue ExitWaiters = new Scheduler.WaitQueue();

        /// <summary>The SSE state it starts with (a fork child's copy of its parent's; a heap block freed once used), or null: the reset state.</summary>
        public byte* InitialExtendedState;
        /// <summary>The FS base it starts with (a fork child's is its parent's thread pointer; clone may name another).</summary>
        public ulong InitialFsBase;
        /// <summary>Its personality's per-thread state (POSIX-X: signal mask, alternate stack, robust list), or null.</summary>
        public object PersonalityState;

        public UserThread(Process process) { Process = process; }

        protected override void Destroy()
        {
            Scheduler.Scheduler.WaitForFastPaths();   // a killer may be looking at a thread that waited on it
            if (InitialExtendedState != null)
                Memory.Heap.KernelHeap.Free(InitialExtendedState);   // a thread that never ran
            Exo.Runtime.ObjectAllocator.Free(ExitWaiters);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
