using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.PosixX.Signals;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>Where a Linux process is in its life as its parent sees it (wait4).</summary>
    public enum LifeState : byte { Running, Stopped, Zombie, Reaped }

    /// <summary>
    /// POSIX-X's state for one process of the Linux personality (Process.PersonalityState): what Linux keeps in its
    /// task and signal structures and the kernel does not: credentials, memory regions and break, limits, name,
    /// descriptors, root and working directory, its place in the process tree (parent, children, process group,
    /// session: ProcessTree), its signal handlers and process-wide pending signals. Created for every Linux
    /// process when it is loaded or forked.
    /// Locks: <see cref="Lock"/> (PosixProcess rank) guards what the process's threads change: credentials,
    /// limits, umask, name, directories, handlers, pending signals, stop state. The tree's fields have the tree's
    /// lock; the memory regions their own.
    /// </summary>
    public sealed unsafe class LinuxProcess : ProcessPersonality
    {
        public const int CommandNameCapacity = 16;   // Linux's TASK_COMM_LEN, terminator included

        public readonly Process Process;
        public SpinLock Lock;
        public Credentials Credentials;
        public ResourceLimits Limits;
        public uint FileCreationMask = 0x12;   // umask 022
        /// <summary>prctl's PR_SET_DUMPABLE (1 after execve); PR_SET_NO_NEW_PRIVS, kept across fork and execve and never cleared.</summary>
        public bool Dumpable = true, NoNewPrivileges;
        /// <summary>prctl's PR_SET_PDEATHSIG: sent to this process when its parent ends (0: none); not inherited by fork.</summary>
        public int ParentDeathSignal;
        /// <summary>personality(2)'s persona (0: PER_LINUX), inherited by fork and kept by execve.</summary>
        public int Personality;
        public Memory.MemoryRegions Regions;
        /// <summary>Its descriptors (null once it has ended: set under Lock, so /proc may look at another process's table under it).</summary>
        public FileDescriptorTable Descriptors;
        /// <summary>When it was made, in microseconds after boot (/proc/PID/stat's starttime).</summary>
        public readonly ulong StartedMicroseconds = Exo.Kernel.Time.SystemClock.UptimeMicroseconds;
        /// <summary>Its root and working directory (references held; changed under Lock).</summary>
        public Vfs.Vnode RootDirectory, WorkingDirectory;
        /// <summary>The program file it runs (a reference; changed under Lock): the one spawn found, then what execve loaded (/proc/PID/exe).</summary>
        public Vfs.Vnode Executable;
        /// <summary>
        /// The process keeps Executable from being written (Vnode.TryDenyWriteAccess, ETXTBSY for a writer) from exec or
        /// start until it ends, as Linux's running program does.
        /// </summary>
        public bool ExecutableDeniesWrites;

        // The process tree (ProcessTree's lock).
        public LinuxProcess Parent;          // null: started by a native process or the kernel (ParentId then names it)
        public LinuxProcess FirstChild, NextSibling;
        public int ProcessGroup, Session;
        public LifeState State;
        /// <summary>The status wait4 reports (Linux's encoding), once it has ended or stopped.</summary>
        public int WaitStatus;
        /// <summary>A stop or continue not yet reported to a waiting parent.</summary>
        public bool StopReported, ContinueReported;
        /// <summary>The signal number the child sends its parent when it ends (SIGCHLD, or clone's choice).</summary>
        public int ExitSignal = Signal.Child;
        /// <summary>Bumped under the tree's lock at every change a waiting parent may care about; waiters sleep on ChildEvents.</summary>
        public int ChildGeneration;
        public readonly Exo.Kernel.Scheduler.WaitQueue ChildEvents = new Exo.Kernel.Scheduler.WaitQueue();
        /// <summary>A vfork parent waits here until the child execs or ends.</summary>
        public readonly Exo.Kernel.Scheduler.WaitQueue VforkDone = new Exo.Kernel.Scheduler.WaitQueue();
        public LinuxProcess VforkParent;
        public bool VforkReleased;
        /// <summary>Forked: the tree holds a reference on its Process until it is waited for or orphaned.</summary>
        public bool HoldsTreeReference;

        /// <summary>SIGCHLD ignored or SA_NOCLDWAIT: its ended children are not kept as zombies.</summary>
        public bool IgnoresChildren
            => Handlers[Signal.Child - 1].Handler == SignalAction.Ignore || (Handlers[Signal.Child - 1].Flags & SignalAction.NoChildWait) != 0;

        /// <summary>SA_NOCLDSTOP: no SIGCHLD when a child stops.</summary>
        public bool NoChildStop => (Handlers[Signal.Child - 1].Flags & SignalAction.NoChildStop) != 0;

        // Signals (Lock).
        public readonly SignalAction[] Handlers = new SignalAction[Signal.Count];
        public ulong SharedPending;
        public readonly SignalInformation[] PendingInformation = new SignalInformation[Signal.Count];
        /// <summary>Real-time signals sent again while pending, for the process and its threads.</summary>
        public readonly SignalQueue QueuedSignals = new SignalQueue();
        /// <summary>The signal that ended it (0 if it exited), and whether its default action dumps core.</summary>
        public int TerminatingSignal;
        public bool CoreDumped;
        /// <summary>Stopped by a stop signal (job control); changed under Continued's lock.</summary>
        public bool Stopped;
        /// <summary>Job control: every thread of a stopped process waits here until SIGCONT.</summary>
        public readonly Exo.Kernel.Scheduler.WaitQueue Continued = new Exo.Kernel.Scheduler.WaitQueue();
        /// <summary>The blocked-signal mask the first thread starts with (a fork child's copy of its parent thread's).</summary>
        public ulong InitialBlockedSignals;
        /// <summary>Its first thread's nice value and policy: the forking thread's (ThreadScheduling.Inherited).</summary>
        public ThreadScheduling InitialScheduling;
        /// <summary>The real interval timer (Signals.IntervalTimers, under its lock): deadline and interval in TSC ticks.</summary>
        public IntervalTimer RealTimer, VirtualTimer, ProfilingTimer;
        public LinuxProcess NextWithTimer;
        /// <summary>
        /// Threads not yet past the exit system call (Linux's signal->live): counted down before an exiting thread wakes
        /// its joiner, so that the one that ends the count is the last, whatever order the kernel then ends them in.
        /// Interlocked. A clone counts its thread before it starts; an exec's de_thread leaves one.
        /// </summary>
        public int ThreadsNotExited = 1;
        /// <summary>The exit system call's code of the thread that brought ThreadsNotExited to 0 (-1: none): what wait reports without exit_group.</summary>
        public int LastThreadExitCode = -1;
        /// <summary>The membarrier register commands it made (their bits, interlocked): the private barriers need theirs.</summary>
        public int MembarrierRegistrations;
        /// <summary>A fork child's CLONE_CHILD_CLEARTID address, for its first thread.</summary>
        public ulong InitialClearChildThreadId;

        private CommandName _commandName;
        private struct CommandName { public fixed byte Bytes[CommandNameCapacity]; }

        private LinuxProcess(Process process)
        {
            Process = process;
            Lock.Rank = LockRank.PosixProcess;
            Credentials = Credentials.Root;
            Limits = ResourceLimits.Defaults;
            ProcessGroup = Session = process.Id;
            SetCommandName(process.Name, process.NameLength);
        }

        /// <summary>The POSIX-X state of the calling thread's process (every caller of a Linux call has one).</summary>
        public static LinuxProcess Current
            => System.Runtime.CompilerServices.Unsafe.As<LinuxProcess>(Exo.Kernel.Scheduler.Scheduler.Current.Process.PersonalityState);

        public int ProcessId => Process.Id;

        /// <summary>TSC ticks its threads have run, the stretches they are in now included (CPU-time clocks and timers).</summary>
        public ulong RunTime
        {
            get
            {
                // No lock (the interval timers ask under a wait queue's lock): under the grace flag instead, which a
                // thread's release waits for before it frees the thread (ProcessLifecycle.ReleaseEndedThread).
                using (Exo.Kernel.Sync.InterruptMask.Enter())
                {
                    ref int grace = ref Exo.Kernel.Scheduler.Scheduler.FastPathFlag;
                    System.Threading.Interlocked.Exchange(ref grace, 1);   // before the slots are read
                    ulong total = System.Threading.Volatile.Read(ref Process.ReleasedThreadsRunTime);
                    int count = System.Threading.Volatile.Read(ref Process.ThreadCount);
                    for (int i = 0; i < count; i++)
                    {
                        Exo.Kernel.Scheduler.Thread thread = Process.Threads[i]?.Thread;
                        if (thread != null)
                            total += Exo.Kernel.Scheduler.Scheduler.RunTimeOf(thread);
                    }
                    System.Threading.Volatile.Write(ref grace, 0);
                    return total;
                }
            }
        }

        /// <summary>What getppid answers: the parent's pid, or for a process a native program started, that program's.</summary>
        public int ParentProcessId => Parent != null ? Parent.ProcessId : Process.ParentId;

        /// <summary>
        /// The personality's factory (ProcessPersonality.Register): a new process's state, or null. A spawned process
        /// begins at the root in a session and process group of its own; OnStart gives it descriptors 0, 1 and 2.
        /// </summary>
        public static ProcessPersonality Create(Process process)
        {
            Memory.MemoryRegions regions = Memory.MemoryRegions.Create(process);
            if (regions == null)
                return null;
            FileDescriptorTable descriptors = FileDescriptorTable.Create();
            if (descriptors == null)
            {
                regions.Release();
                return null;
            }
            LinuxProcess linux = new LinuxProcess(process);
            linux.Regions = regions;
            linux.Descriptors = descriptors;
            linux.RootDirectory = Vfs.MountTable.RootDirectory;
            linux.RootDirectory.AddReference();
            linux.WorkingDirectory = linux.RootDirectory;
            linux.WorkingDirectory.AddReference();
            return linux;
        }

        /// <summary>
        /// fork: the child's state is the parent's (credentials, limits, umask, name, directories, descriptors
        /// naming the same open files, signal handlers, process group and session, the forking thread's signal
        /// mask), its memory regions copied as the kernel copied its pages; no pending signals. Linked under its
        /// parent in the process tree.
        /// </summary>
        public override ProcessPersonality OnFork(Process parentProcess, Process child)
        {
            LinuxThread forking = LinuxThread.Current;
            bool borrowsMemory = child.AddressSpace == parentProcess.AddressSpace;   // vfork: the kernel shared the space
            Memory.MemoryRegions regions = borrowsMemory ? Regions : Regions.CloneFor(child);
            if (regions == null)
                return null;
            if (borrowsMemory)
                regions.AddUser();
            FileDescriptorTable descriptors = Descriptors.Clone();
            if (descriptors == null)
            {
                regions.Release();
                return null;
            }
            LinuxProcess copy = new LinuxProcess(child);
            copy.Regions = regions;
            copy.Descriptors = descriptors;
            using (Lock.Hold())
            {
                copy.Credentials = Credentials;
                copy.Limits = Limits;
                copy.FileCreationMask = FileCreationMask;
                copy.Dumpable = Dumpable;
                copy.NoNewPrivileges = NoNewPrivileges;
                copy.Personality = Personality;
                for (int i = 0; i < CommandNameCapacity; i++)
                    copy.CommandNameBytes[i] = CommandNameBytes[i];
                copy.RootDirectory = RootDirectory;
                copy.WorkingDirectory = WorkingDirectory;
                copy.RootDirectory.AddReference();
                copy.WorkingDirectory.AddReference();
                copy.Executable = Executable;
                copy.Executable?.AddReference();
                copy.ExecutableDeniesWrites = ExecutableDeniesWrites && Executable.TryDenyWriteAccess();
                for (int i = 0; i < Signal.Count; i++)
                    copy.Handlers[i] = Handlers[i];
            }
            copy.InitialBlockedSignals = forking.BlockedSignals;
            copy.InitialScheduling = forking.Scheduling.Inherited();
            copy.ExitSignal = (int)(forking.ForkFlags & CloneFlags.ExitSignalMask);
            if ((forking.ForkFlags & CloneFlags.Vfork) != 0)
            {
                // Before the child can run: its exec or end releases this process. Until then the child holds this
                // process (and so its regions and memory, which it may be borrowing) even if it is killed and reaped.
                parentProcess.AddReference();
                copy.VforkParent = this;
            }
            if ((forking.ForkFlags & CloneFlags.ChildClearThreadId) != 0)
                copy.InitialClearChildThreadId = forking.ForkChildThreadIdAddress;
            if ((forking.ForkFlags & CloneFlags.ChildSetThreadId) != 0)
            {
                int pid = child.Id;
                child.AddressSpace.WriteAsProgram(forking.ForkChildThreadIdAddress, (byte*)&pid, 4);   // Linux ignores a failure here too
            }
            ProcessTree.LinkChild(this, copy);
            return copy;
        }

        /// <summary>The vDSO its regions mapped (Optimization/Vdso): the start stack's AT_SYSINFO_EHDR.</summary>
        public override ulong VdsoAddress => Regions.VdsoAddress;

        /// <summary>
        /// Each thread's state before it runs: the first thread's mask is the process's initial one (a fork child's
        /// copy of its forking thread's) and its id the process id; a later thread (clone with CLONE_THREAD, made by
        /// the calling thread) gets the caller's mask, a new id, and the clone's CLONE_CHILD_CLEARTID address.
        /// </summary>
        public override bool OnThreadCreated(UserThread thread)
        {
            LinuxThread creating = Process.ThreadCount == 0 ? null : LinuxThread.Current;
            LinuxThread state = LinuxThread.Create(thread, creating == null ? InitialBlockedSignals : creating.BlockedSignals);
            if (state == null)
                return false;
            state.Scheduling = creating == null ? InitialScheduling : creating.Scheduling.Inherited();
            if (creating == null)
            {
                state.ThreadId = Process.Id;
                state.ClearChildThreadId = InitialClearChildThreadId;
            }
            else
            {
                state.ThreadId = ProcessRegistry.TakeThreadId();
                if ((creating.ForkFlags & CloneFlags.ChildClearThreadId) != 0)
                    state.ClearChildThreadId = creating.ForkChildThreadIdAddress;
                // Before the thread runs (glibc's new thread reads its id there); a bad address is ignored, as Linux does.
                int id = state.ThreadId;
                if ((creating.ForkFlags & CloneFlags.ParentSetThreadId) != 0)
                    Exo.Kernel.Memory.UserMemory.CopyToUser(creating.ForkParentThreadIdAddress, &id, 4);
                if ((creating.ForkFlags & CloneFlags.ChildSetThreadId) != 0)
                    Exo.Kernel.Memory.UserMemory.CopyToUser(creating.ForkChildThreadIdAddress, &id, 4);
            }
            thread.PersonalityState = state;
            return true;
        }

        /// <summary>
        /// A thread that ended is released (its slot reused later): its state goes once no one looks at it under this
        /// lock (signal senders find threads under it), with the real-time signals still queued for it.
        /// </summary>
        public override void OnThreadReleased(UserThread thread)
        {
            LinuxThread state;
            using (Lock.Hold())
            {
                state = LinuxThread.Of(thread);
                thread.PersonalityState = null;
                if (state != null)
                    QueuedSignals.DiscardFor(state);
            }
            state?.Free();
        }

        /// <summary>
        /// A spawned program's descriptors 0, 1 and 2: the console when it may print there, else /dev/null; and the file
        /// it runs, for /proc/PID/exe.
        /// </summary>
        // AT_EXECFN of a spawned program: where the launcher found it (/exo/bin/NAME, the path, or a PATH directory).
        public override int ExecutablePath(Process process, byte* path)
        {
            byte* found = stackalloc byte[Vfs.ProgramFiles.MaximumFoundPath];
            int length = Vfs.ProgramFiles.PathOfSpawned(process, found);
            if (length > MaximumExecutablePath)
                return 0;
            for (int i = 0; i < length; i++)
                path[i] = found[i];
            return length;
        }

        public override void OnStart(Process process)
        {
            Vfs.Vnode program = Vfs.ProgramFiles.OfSpawned(process);
            bool denies = program != null && program.TryDenyWriteAccess();
            using (Lock.Hold())
            {
                Executable = program;
                ExecutableDeniesWrites = denies;
            }
            // Its own session and process group: Create ran before the registry gave the process its id.
            if (Session == 0)
                ProcessGroup = Session = process.Id;
            Exo.Kernel.Capabilities.CapabilitySpace.Enter();
            bool console = process.Handles.Holds(ObjectType.Console, Exo.Abi.Rights.Write);
            Exo.Kernel.Capabilities.CapabilitySpace.Exit();
            if (console)
            {
                // The newest program the kernel hands the console to controls it: its session, its group in front.
                Tty.ConsoleTerminal.Instance.Session = Session;
                Tty.ConsoleTerminal.Instance.ForegroundGroup = ProcessGroup;
            }
            Vfs.OpenFile standard = Vfs.StandardFiles.Open(console);
            if (standard == null)
                return;
            for (int descriptor = 0; descriptor < 3; descriptor++)
                Descriptors.InstallAt(standard, descriptor, closeOnExec: false, FileDescriptorTable.Capacity);
            standard.Release();
        }

        /// <summary>
        /// A path resolution's starting point for this process: its root, its working directory and its credentials,
        /// read under its lock with a reference on each directory (give them back with ReleasePathContext).
        /// </summary>
        public Vfs.PathWalker.Context ReferencePathContext()
        {
            Vfs.PathWalker.Context context;
            using (Lock.Hold())
            {
                context.Root = RootDirectory;
                context.Start = WorkingDirectory;
                context.Credentials = Credentials;
                context.Root.AddReference();
                context.Start.AddReference();
            }
            return context;
        }

        public static void ReleasePathContext(in Vfs.PathWalker.Context context)
        {
            context.Root.Release();
            context.Start.Release();
        }

        /// <summary>The name prctl(PR_GET_NAME) and /proc report: 15 bytes at most, zero-terminated.</summary>
        public byte* CommandNameBytes => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _commandName);

        public void SetCommandName(byte* name, int length)
        {
            if (length > CommandNameCapacity - 1)
                length = CommandNameCapacity - 1;
            for (int i = 0; i < CommandNameCapacity; i++)
                CommandNameBytes[i] = i < length ? name[i] : (byte)0;
        }

        // ---------------------------------------------------------------- the kernel's hooks

        public override void OnSignalWork(Exo.Kernel.Scheduler.Thread thread, Exo.Kernel.Arch.X64.RegisterFrame* frame)
            => SignalDelivery.Deliver(this, thread, frame);

        public override bool OnFault(Exo.Kernel.Scheduler.Thread thread, Exo.Kernel.Arch.X64.RegisterFrame* frame, ulong vector)
            => SignalDelivery.FromFault(this, thread, frame, vector);

        /// <summary>The last thread has left ring 3: descriptors and directories go, then the process tree learns of its end.</summary>
        public override void OnProcessEnded(Process process)
        {
            IntervalTimers.ProcessEnded(this);
            // Taken away under the lock, so that /proc, which reads another process's state under it, never sees them freed.
            FileDescriptorTable descriptors;
            Vfs.Vnode working, root;
            bool allowWrites;
            using (Lock.Hold())
            {
                allowWrites = ExecutableDeniesWrites;
                ExecutableDeniesWrites = false;   // the program file may be written once its process has ended
                descriptors = Descriptors;
                working = WorkingDirectory;
                root = RootDirectory;
                Descriptors = null;
                WorkingDirectory = RootDirectory = null;
            }
            if (allowWrites)
                Executable.AllowWriteAccess();
            descriptors.Destroy();
            working.Release();
            root.Release();
            ProcessTree.Ended(this, WaitStatusOfEnd(process));
        }

        // Linux's wait status: a signal's number (with 0x80 for a core dump), or the exit code shifted by 8.
        private int WaitStatusOfEnd(Process process)
        {
            if (TerminatingSignal != 0)
                return TerminatingSignal | (CoreDumped ? 0x80 : 0);
            if (process.Killed)
                return Signal.Kill;
            if (process.Faulted)
                return Signal.SegmentationFault;
            if (System.Threading.Volatile.Read(ref process.Ending) == 0 && LastThreadExitCode >= 0)
                return LastThreadExitCode << 8;   // every thread ended by exit: the last one's code, as Linux counts them
            return (int)(process.ExitStatus & 0xFF) << 8;
        }

        public override void OnDiscard(Process process)
        {
            ProcessTree.ReleaseVforkParent(this);   // a vfork child that never ran
            for (int i = 0; i < process.ThreadCount; i++)
            {
                if (process.Threads[i] == null)
                    continue;   // released while the process ran
                if (process.Threads[i].PersonalityState is LinuxThread thread)
                    thread.Free();
                process.Threads[i].PersonalityState = null;
            }
            Descriptors?.Destroy();   // a process that never started
            WorkingDirectory?.Release();
            RootDirectory?.Release();
            if (ExecutableDeniesWrites)
                Executable.AllowWriteAccess();   // a process that never ran
            Executable?.Release();
            Regions.Release();
            Exo.Runtime.ObjectAllocator.Free(Handlers);
            Exo.Runtime.ObjectAllocator.Free(PendingInformation);
            QueuedSignals.Free();
            Exo.Runtime.ObjectAllocator.Free(ChildEvents);
            Exo.Runtime.ObjectAllocator.Free(VforkDone);
            Exo.Runtime.ObjectAllocator.Free(Continued);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }

    /// <summary>
    /// A process's user and group identities as Linux keeps them: real, effective and saved ids, the file system ids
    /// that file access and creation use (they follow the effective ids unless setfsuid/setfsgid moved them), and the
    /// supplementary groups (at most MaximumGroups here; Linux allows 65536).
    /// </summary>
    public unsafe struct Credentials
    {
        public const int MaximumGroups = 32;

        public uint UserId, EffectiveUserId, SavedUserId, FileSystemUserId;
        public uint GroupId, EffectiveGroupId, SavedGroupId, FileSystemGroupId;
        public int GroupCount;
        public fixed uint Groups[MaximumGroups];

        public static Credentials Root => default;
        public bool IsPrivileged => EffectiveUserId == 0;

        /// <summary>Whether file access is root's (Linux: CAP_DAC_OVERRIDE, which a nonzero fsuid drops).</summary>
        public bool IsFileSystemPrivileged => FileSystemUserId == 0;

        /// <summary>Whether 'group' is the file system group or one of the supplementary groups.</summary>
        public bool InGroup(uint group)
        {
            if (group == FileSystemGroupId)
                return true;
            for (int i = 0; i < GroupCount; i++)
                if (Groups[i] == group)
                    return true;
            return false;
        }
    }

    /// <summary>
    /// One of setitimer's timers: when it fires next (0: disarmed) and its period (0: once), in TSC ticks of real time
    /// (ITIMER_REAL) or of the process's run time (ITIMER_VIRTUAL, ITIMER_PROF). Guarded by IntervalTimers' lock.
    /// </summary>
    public struct IntervalTimer
    {
        public ulong Deadline, Interval;
    }

    /// <summary>
    /// What a pending signal carries for its handler's siginfo (who sent it, why, where a fault was). A fault's address
    /// and sigqueue's value share their bytes, as in Linux's siginfo union (a fault signal with a positive code has an
    /// address, anything else a value: SignalDelivery.FaultAddressOf tells which): 24 bytes, so that a table of 64 is a
    /// small allocation (each process and thread has one).
    /// </summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
    public struct SignalInformation
    {
        [System.Runtime.InteropServices.FieldOffset(0)] public int Code;          // si_code: SI_USER 0, SI_KERNEL 0x80, SI_TKILL -6, CLD_*, SEGV_*
        [System.Runtime.InteropServices.FieldOffset(4)] public int SenderProcessId;
        [System.Runtime.InteropServices.FieldOffset(8)] public uint SenderUserId;
        [System.Runtime.InteropServices.FieldOffset(12)] public int Status;       // SIGCHLD: the child's exit code or signal
        [System.Runtime.InteropServices.FieldOffset(16)] public ulong Address;    // a fault's address
        [System.Runtime.InteropServices.FieldOffset(16)] public ulong Value;      // sigqueue's si_value (a real-time signal's payload)
    }
}
