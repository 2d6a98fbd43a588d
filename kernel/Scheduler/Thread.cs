namespace Exo.Kernel.Scheduler
{
    public enum ThreadState { Ready, Running, Blocked, Sleeping, Exited }

    /// <summary>
    /// A kernel thread: its stack (with a guard page), saved stack pointer, state and accounting. A thread that
    /// runs ring-3 code also has its user-mode state (<see cref="User"/>: its process, kernel-entry stack, SSE
    /// area, pending work) and, in Fusion Ring calls, its IPC state (<see cref="Ipc"/>), each defined with the
    /// subsystem that owns it. Created by <see cref="Scheduler.Create"/>; the thread that joins it frees it.
    /// </summary>
    public sealed unsafe class Thread : SchedulerEntity
    {
        public int Id;
        public string Name;
        public ThreadState State;
        public ulong SavedStackPointer;
        public int StackSlot;              // -1 for the boot thread, which runs on the boot stack
        public ulong StackTop;
        public ulong PageTableRoot;        // CR3 while it runs: the kernel's tables, or its process's
        public delegate*<ulong, void> Entry;
        public ulong Argument;
        public bool IsIdle;
        public int Cpu;                    // where it runs or last ran
        public int Affinity;               // the processor it is pinned to, or -1
        // Accounting, in TSC ticks unless named otherwise.
        public ulong WakeTime;             // deadline while sleeping
        public ulong RunStart;             // when it last started running
        public ulong CpuTime;              // time it has run
        public ulong BurstSoFar;           // of the current burst, across preemptions
        public int BurstTicksSeen;         // ticks, half a period apart at least, that found it running in the current burst
        public ulong BurstLastTickSeen;    // (time-critical threads only) when the last of them came
        public ulong ReadyTick;            // the tick count when it last became ready
        public ulong SliceEnd;             // when its slice ends
        // Links (intrusive: no allocation).
        public Thread SleepNext;           // sleep queue (sorted by WakeTime), under the sleep lock
        public Thread AllNext;             // registry of every thread, under the registry lock
        public WaitQueue Joiners;          // threads waiting for it to exit
        /// <summary>The wait queue it sleeps on interruptibly (an address, published with one interlocked store), or 0.</summary>
        public ulong InterruptibleWait;
        /// <summary>It has a deadline on the sleepers' list (ArmTimeout), under the sleepers' lock; TimedOut once it passed.</summary>
        public bool TimeoutArmed;
        public int TimedOut;
        /// <summary>
        /// While it waits on a queue woken by key (WaitQueue.WakeInterested): the keys whose changes wake it, one bit each
        /// (a poller's objects, hashed); written before it queues, read under the queue's lock.
        /// </summary>
        public ulong WaitInterest;
        /// <summary>
        /// Its last wake-up counted in scheduling decisions, not time (an emulator's host stretches time, not order):
        /// whether it was predicted interactive then, and which decision of its processor picked it, 1 being the
        /// next one (0: another processor stole it). Written under the processor's lock; what a test checks the
        /// scheduler's promise to interactive threads with.
        /// </summary>
        public bool WokenInteractive;
        public ulong WakeDecisions;
        internal ulong WakeStamp;          // its processor's Decisions at the wake-up, plus 1; 0 once picked
        /// <summary>Its ring-3 state; all zero for a kernel thread.</summary>
        public UserMode.UserContext User;
        /// <summary>Its Fusion Ring state: the caller it owes a reply, the status its call returns, the endpoint it waits on.</summary>
        public Ipc.IpcState Ipc;

        public Thread(int id, string name, int priority, ulong initialPrediction) : base(priority, initialPrediction)
        {
            Id = id;
            Name = name;
            StackSlot = -1;
            Affinity = -1;
            Joiners = new WaitQueue();
            PageTableRoot = Memory.KernelPageTables.Root;
        }

        /// <summary>The process it runs for, or null for a kernel thread.</summary>
        public Processes.Process Process => User.Process;

        /// <summary>Its process is being killed: waits end at once, and it ends before it returns to ring 3.</summary>
        public bool KillPending => (System.Threading.Volatile.Read(ref User.PendingWork) & (int)UserMode.UserWork.Kill) != 0;

        /// <summary>An interruptible wait must end now: a kill, or a signal its personality will deliver.</summary>
        public bool WaitInterrupted => (System.Threading.Volatile.Read(ref User.PendingWork) & (int)(UserMode.UserWork.Kill | UserMode.UserWork.Signal)) != 0;

        /// <summary>An interruptible wait must end now: interrupted, or its deadline (ArmTimeout) passed.</summary>
        public bool WaitEnds => WaitInterrupted || System.Threading.Volatile.Read(ref TimedOut) != 0;
    }
}
