namespace Exo.Kernel.UserMode
{
    /// <summary>Work a user thread must do before it returns to ring 3 (<see cref="ReturnToUser"/>).</summary>
    [System.Flags]
    public enum UserWork
    {
        None = 0,
        /// <summary>Its process is being killed: the thread ends instead of returning.</summary>
        Kill = 1,
        /// <summary>A more urgent thread became ready on this processor during a system call.</summary>
        Reschedule = 2,
        /// <summary>A handler replaced the frame (execve, a new start): leave by IRETQ, after sanitizing it.</summary>
        FrameChanged = 4,
        /// <summary>A signal may be due: the process's personality delivers it (ProcessPersonality.OnSignalWork).</summary>
        Signal = 8,
    }

    /// <summary>
    /// The ring-3 state of a thread (<see cref="Scheduler.Thread.User"/>), zero for kernel threads. Written by the
    /// thread itself while it enters or leaves ring 3, and read by the context switch; <see cref="PendingWork"/> is
    /// also written by other processors (kill), with interlocked operations.
    /// </summary>
    public struct UserContext
    {
        /// <summary>The process it runs for.</summary>
        public Processes.Process Process;
        /// <summary>Its kernel object (its exit status, its personality's per-thread state).</summary>
        public Processes.UserThread Thread;
        /// <summary>
        /// While it runs ring-3 code: the top of the stack its system calls and interrupts from ring 3 land on; its
        /// register frame is just below (<see cref="UserMode.FrameOf"/>). 0 otherwise.
        /// </summary>
        public ulong KernelEntryStack;
        /// <summary>The kernel context that leaving ring 3 for good resumes (saved by ExoEnterUserMode).</summary>
        public ulong SavedKernelContext;
        /// <summary>Its ring-3 GS and FS bases while another thread has the processor.</summary>
        public ulong GsBase, FsBase;
        /// <summary>64-byte aligned XSAVE area holding its SSE state while it is in the kernel.</summary>
        public ulong ExtendedState;
        /// <summary>Its personality's system call table (Syscalls.SystemCallTable), which the entry calls through.</summary>
        public ulong SystemCallTable;
        /// <summary>Its process's I/O ports while it runs ring-3 code, or null.</summary>
        public Arch.X64.IoPermissionBitmap IoPermissions;
        /// <summary><see cref="UserWork"/> bits; the exit path to ring 3 reads this word through the processor block.</summary>
        public int PendingWork;
        /// <summary>Set by thread exit: leaving ring 3 ends this thread, not its process.</summary>
        public bool EndsThreadOnly;
    }
}
