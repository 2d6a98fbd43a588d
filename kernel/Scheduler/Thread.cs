namespace Exo.Kernel.Scheduler
{
    public enum ThreadState { Ready, Running, Blocked, Sleeping, Exited }

    /// <summary>
    /// A kernel thread: its stack (with a guard page), saved stack pointer, state and accounting.
    /// Created by <see cref="Scheduler.Create"/>; the thread that joins it frees it.
    /// </summary>
    public sealed unsafe class Thread : SchedulerEntity
    {
        public int Id;
        public string Name;
        public ThreadState State;
        public ulong SavedStackPointer;
        public int StackSlot;              // -1 for the boot thread, which runs on the boot stack
        public ulong StackTop;
        public delegate*<ulong, void> Entry;
        public ulong Argument;
        public ulong WakeTime;             // TSC deadline while sleeping
        public ulong RunStart;             // TSC when it last started running
        public ulong CpuTime;              // TSC ticks it has run
        public ulong BurstSoFar;           // of the current burst, across preemptions
        public ulong ReadyTick;            // the tick count when it last became ready
        public ulong SliceEnd;             // TSC when its slice ends
        public Thread SleepNext;           // sleep queue link (sorted by WakeTime)
        public WaitQueue Joiners;          // threads waiting for it to exit
        public bool IsIdle;
        public int Cpu;
        public int Affinity;               // the processor it is pinned to, or -1
        public ulong UserKernelStack;      // while it runs ring-3 code: the stack for its system calls and faults
        public ulong UserSavedStack;       // while it runs ring-3 code: the kernel context to return to
        public ulong UserGsBase;           // its ring-3 GS base while another thread has the processor
        public ulong PageTableRoot;        // CR3 while it runs: the kernel's tables, or its process's
        public ulong ExtendedState;        // while it runs ring-3 code: 64-byte aligned XSAVE area for its SSE state
        public object Process;             // the process it belongs to (Process.Process), null for kernel threads
        public ulong SystemCallDispatcher; // while it runs ring-3 code: its personality's system call table (SystemCalls.DispatcherFor)
        public Arch.X64.IoPermissionBitmap IoPermissions;   // its process's I/O ports while it runs ring-3 code, or null
        public Thread AllNext;             // registry of every thread, for ps
        // Kill (ProcessTable.Kill): set once; a blocked wait that sees it returns "interrupted", an interrupt from
        // ring 3 ends the program. Where it waits, so the killer can take it out: a wait queue (notification,
        // process wait) or an endpoint (receiving, or queued as a caller). Read by the killer under the grace flag.
        public int KillPending;
        public int EndsThreadOnly;         // set by thread exit: leaving ring 3 ends this thread, not its process
        // Addresses, so that they can be published with one interlocked store (objects never move here).
        public ulong InterruptibleWait;    // a WaitQueue
        public ulong IpcWaitingOn;         // an Ipc.Endpoint
        // Fusion Rings: the caller this thread (a server) must reply to, and the status its blocked system call
        // returns when a peer resumes it (the message words travel in its system call frame).
        public Thread IpcReplyTo;
        public ulong IpcStatus;

        public Thread(int id, string name, int priority, ulong initialPrediction) : base(priority, initialPrediction)
        {
            Id = id;
            Name = name;
            StackSlot = -1;
            Affinity = -1;
            Joiners = new WaitQueue();
            PageTableRoot = Memory.KernelPageTables.Root;
        }
    }
}
