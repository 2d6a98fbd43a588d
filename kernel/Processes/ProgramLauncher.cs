using Exo.Kernel.Arch.X64;
using Exo.Kernel.Boot;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Sync;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Starting programs: load one from the initial RAM disk into a new address space, give it copies of the
    /// capabilities its parent grants (and nothing else), lay out its start stack for its personality and
    /// start its first thread; and start more threads in a running process. A spawn is Load, then Grant or
    /// GrantFrom, then Start (or Abandon): init's start uses the steps one by one.
    /// </summary>
    public static unsafe class ProgramLauncher
    {
        /// <summary>The most capabilities a parent may grant at spawn (an explicit limit, checked).</summary>
        public const int MaximumGrants = Constants.MaximumGrants;

        /// <summary>
        /// Starts the program named by the first word of 'commandLine' (the rest are its arguments) from the
        /// initial RAM disk; null with 'error' when it cannot. 'grants': handles of 'parent' the child receives
        /// copies of (each needs the Grant right), in that order. 'environment': space-separated NAME=VALUE strings
        /// for a Linux program's envp (the kernel's own callers), or null. The returned process carries one
        /// reference for the caller (release it, or give it to a handle).
        /// 'rootResource': the kernel starts a driver on purpose (its tests, the shell's run-driver) and gives it a
        /// capability to the root resource as its first handle, before the grants; no system call can ask for it.
        /// 'affinity': the processor its main thread is pinned to, or -1 (the kernel's tests only).
        /// </summary>
        public static Process Spawn(byte* commandLine, int length, Process parent, uint* grants, int grantCount, out Error error,
            bool rootResource = false, string environment = null, int affinity = -1)
        {
            if (grantCount < 0 || grantCount > MaximumGrants || (grantCount > 0 && parent == null))
            {
                error = Error.Invalid;   // too many capabilities to grant
                return null;
            }
            Process process = Load(commandLine, length, out error);
            if (process == null)
                return null;
            process.ParentId = parent != null ? parent.Id : 0;
            if (rootResource && !Grant(process, Drivers.RootResource.Instance, ObjectType.Resource, Drivers.RootResource.GrantedRights))
            {
                Abandon(process);
                error = Error.OutOfMemory;   // no room for the root resource in its table
                return null;
            }
            if (!GrantFrom(process, parent, grants, grantCount, out error))
            {
                Abandon(process);
                return null;
            }
            // The kernel's own programs in a test or bench boot may use the test-only calls.
            if (parent == null && Diagnostics.DiagnosticsCapability.Granted
                && !Grant(process, Diagnostics.DiagnosticsCapability.Instance, ObjectType.Diagnostics, Diagnostics.DiagnosticsCapability.GrantedRights))
            {
                Abandon(process);
                error = Error.OutOfMemory;   // no room for the diagnostics capability in its table
                return null;
            }
            // The kernel's own programs (shell, tests) may print: the console capability comes last.
            if (parent == null && !Grant(process, Console.ConsoleCapability.Instance, ObjectType.Console, Console.ConsoleCapability.GrantedRights))
            {
                Abandon(process);
                error = Error.OutOfMemory;   // no room for the console in its table
                return null;
            }
            return Start(process, environment, out error, affinity) ? process : null;
        }

        /// <summary>Spawn for the kernel's own callers (shell, tests, benchmarks): a command line, no grants.</summary>
        public static Process Spawn(string commandLine, out Error error, bool rootResource = false, string environment = null,
            int affinity = -1)
        {
            byte* bytes = stackalloc byte[Process.CommandLineCapacity];
            int length = CopyCommandLine(commandLine, bytes);
            return Spawn(bytes, length, null, null, 0, out error, rootResource, environment, affinity);
        }

        /// <summary>A kernel string's characters as bytes (ASCII), at most CommandLineCapacity; the count copied.</summary>
        internal static int CopyCommandLine(string text, byte* destination)
        {
            int length = text.Length < Process.CommandLineCapacity ? text.Length : Process.CommandLineCapacity;
            for (int i = 0; i < length; i++)
                destination[i] = (byte)text[i];
            return length;
        }

        /// <summary>
        /// The first step of a spawn: the program loaded into a new address space and registered, with no
        /// capabilities and not started. Follow with Grant/GrantFrom and Start, or Abandon.
        /// </summary>
        public static Process Load(byte* commandLine, int length, out Error error)
        {
            int nameLength = 0;
            while (nameLength < length && commandLine[nameLength] != (byte)' ')
                nameLength++;
            if (length <= 0 || length > Process.CommandLineCapacity || nameLength == 0 || nameLength > Process.NameCapacity)
            {
                error = Error.Invalid;   // a program name of 1 to 32 bytes, a line of at most 256
                return null;
            }
            byte* borrowed = null;
            if (!InitialRamDisk.TryFindProgram(commandLine, nameLength, out byte* file, out ulong size))
            {
                borrowed = file = ProgramSource.Find(commandLine, nameLength, out size, out error);   // a personality's file system
                if (file == null)
                    return null;   // no such program in the boot image's exo/bin/ nor in a file system (or not a program file)
            }
            AddressSpace space = ProgramLoader.Load(file, size, out ProgramImage image, out error);
            if (borrowed != null)
                Memory.Heap.KernelHeap.Free(borrowed);
            if (space == null)
                return null;
            Process process = new Process();
            int nameStart = nameLength;
            while (nameStart > 0 && commandLine[nameStart - 1] != (byte)'/')
                nameStart--;   // a path's last component names the process
            process.SetName(commandLine + nameStart, nameLength - nameStart);
            process.SetCommandLine(commandLine, length);
            process.AddressSpace = space;
            process.Image = image;
            if (image.Personality != Personality.Native)
            {
                process.PersonalityState = ProcessPersonality.CreateFor(process);
                if (process.PersonalityState == null)
                {
                    ProcessReaper.Discard(process);
                    error = Error.OutOfMemory;
                    return null;
                }
            }
            if (!ProcessRegistry.RegisterWaitingForReaper(process))
            {
                ProcessReaper.Discard(process);
                error = Error.WouldBlock;   // the process table is full (EAGAIN, as Linux's fork)
                return null;
            }
            error = Error.None;
            return process;
        }

        /// <summary>
        /// Why the program the command line names cannot be loaded, when its file is not a valid program (the ELF
        /// defect, ElfImage.Describe), or null (no such file, or it is valid). For the shell's error line.
        /// </summary>
        public static string ExplainRejection(byte* commandLine, int length)
        {
            int nameLength = 0;
            while (nameLength < length && commandLine[nameLength] != (byte)' ')
                nameLength++;
            if (nameLength == 0 || nameLength > Process.NameCapacity)
                return null;
            if (InitialRamDisk.TryFindProgram(commandLine, nameLength, out byte* file, out ulong size))
                return ProgramLoader.Explain(file, size);
            file = ProgramSource.Find(commandLine, nameLength, out size, out _);
            if (file == null)
                return null;
            string reason = ProgramLoader.Explain(file, size);
            Memory.Heap.KernelHeap.Free(file);
            return reason;
        }

        /// <summary>Gives a loaded process copies of 'parent's handles (each needs the Grant right), in order.</summary>
        public static bool GrantFrom(Process process, Process parent, uint* grants, int grantCount, out Error error)
        {
            // Copies derived from the parent's capabilities, so the parent can revoke them.
            CapabilitySpace.Enter();
            error = Error.None;
            for (int i = 0; i < grantCount && error == Error.None; i++)
            {
                Handle source = new Handle(grants[i]);
                error = parent.Handles.Lookup(source, ObjectType.None, Rights.None, out Capability capability);
                if (error == Error.None)
                    error = HandleTable.Transfer(parent.Handles, source, process.Handles, capability.Rights, false, out _);
            }
            CapabilitySpace.Exit();
            return error == Error.None;
        }

        /// <summary>Gives a loaded process a new capability to a kernel object (the kernel's own grants, to init).</summary>
        public static bool Grant(Process process, KernelObject value, ObjectType type, Rights rights)
        {
            value.AddReference();   // InsertNew consumes one reference; the caller keeps its own
            return CapabilitySpace.InsertNew(process.Handles, value, type, rights, out _) == Error.None;
        }

        /// <summary>Drops a process that was loaded but will not start.</summary>
        public static void Abandon(Process process)
        {
            ProcessRegistry.Unregister(process);
            ProcessReaper.Discard(process);
        }

        /// <summary>
        /// Lays out a loaded process's start stack for its personality (StartStack: native, its handles and
        /// command line; Linux, argv from the command line, 'environment' as envp, and the auxiliary vector) and
        /// starts its first thread, pinned to processor 'affinity' unless it is -1.
        /// </summary>
        public static bool Start(Process process, string environment, out Error error, int affinity = -1)
        {
            RegisterFrame start = default;
            bool laidOut;
            if (process.Personality == Personality.Linux)
            {
                ArgumentVector arguments = ArgumentVector.Create();
                if (arguments == null)
                {
                    Abandon(process);
                    error = Error.OutOfMemory;
                    return false;
                }
                byte* environmentBytes = stackalloc byte[Process.CommandLineCapacity];
                int environmentLength = environment != null ? CopyCommandLine(environment, environmentBytes) : 0;
                byte* executablePath = stackalloc byte[ProcessPersonality.MaximumExecutablePath];
                int executablePathLength = process.PersonalityState?.ExecutablePath(process, executablePath) ?? 0;
                ulong vdso = process.PersonalityState?.VdsoAddress ?? 0;   // AT_SYSINFO_EHDR
                laidOut = arguments.AddWords(process.CommandLine, process.CommandLineLength, environment: false)
                    && arguments.AddWords(environmentBytes, environmentLength, environment: true)
                    && (executablePathLength > 0
                        ? StartStack.BuildLinux(process, arguments, executablePath, executablePathLength, vdso, out start)
                        : StartStack.BuildLinux(process, arguments, process.Name, process.NameLength, vdso, out start));
                arguments.Free();
            }
            else
            {
                Time.TimeDataPage.MapInto(process.AddressSpace);   // the clock without system calls; without it Exo.Std asks ClockRead
                laidOut = StartStack.BuildNative(process, out start);
            }
            if (!laidOut)
            {
                Abandon(process);
                error = Error.TooBig;   // its arguments and environment do not fit its stack
                return false;
            }
            process.PersonalityState?.OnStart(process);
            return StartMainThread(process, &start, null, 0, affinity, out error);
        }

        /// <summary>
        /// Starts a loaded (or forked) process's first thread from 'start', with the SSE state 'extendedState'
        /// (null: the reset state) and FS base 'fsBase'. On failure the process is abandoned.
        /// </summary>
        internal static bool StartMainThread(Process process, RegisterFrame* start, byte* extendedState, ulong fsBase, int affinity, out Error error)
        {
            UserThread main = new UserThread(process);
            main.StartFrame = *start;
            main.InitialExtendedState = extendedState;
            main.InitialFsBase = fsBase;
            if (process.PersonalityState != null && !process.PersonalityState.OnThreadCreated(main))
            {
                main.Release();   // frees the SSE copy with it
                Abandon(process);
                error = Error.OutOfMemory;
                return false;
            }
            process.Threads[0] = main;   // the process's reference to it
            process.ThreadCount = 1;
            process.LiveThreads = 1;
            process.AddReference();   // the running program's own reference, dropped when it ends
            process.State = ProcessState.Running;
            Scheduler.Thread thread = Scheduler.Scheduler.Create("process", &ProcessLifecycle.ThreadMain, Scheduler.Scheduler.AddressOf(main),
                affinity: affinity);
            if (thread == null)
            {
                process.Release();
                Abandon(process);
                error = Error.OutOfMemory;
                return false;
            }
            main.Thread = thread;   // before anyone can reap it: the caller's reference is still held
            error = Error.None;
            return true;
        }

        /// <summary>
        /// Starts another thread in 'process' at 'entry' with the stack pointer 'stack' and 'argument' in RDI; the
        /// new thread's object with a reference for the caller, or null with 'error'.
        /// </summary>
        public static UserThread CreateThread(Process process, ulong entry, ulong stack, ulong argument, out Error error)
        {
            RegisterFrame start = RegisterFrame.StartAt(entry, stack, argument);
            return CreateThread(process, &start, null, 0, out error);
        }

        /// <summary>
        /// Starts another thread in 'process' from 'start', with the SSE state 'extendedState' (a heap block it takes
        /// over; null: the reset state) and FS base 'fsBase': the mechanism under Linux's clone with CLONE_THREAD. The
        /// new thread's object with a reference for the caller, or null with 'error': WouldBlock when the process has
        /// ThreadCapacity threads that have not ended (Linux's EAGAIN) or is ending, OutOfMemory.
        /// </summary>
        public static UserThread CreateThread(Process process, RegisterFrame* start, byte* extendedState, ulong fsBase, out Error error)
        {
            UserThread created = new UserThread(process);
            created.StartFrame = *start;
            created.InitialExtendedState = extendedState;
            created.InitialFsBase = fsBase;
            if (process.PersonalityState != null && !process.PersonalityState.OnThreadCreated(created))
            {
                created.Release();   // frees the SSE copy with it
                error = Error.OutOfMemory;
                return null;
            }
            bool allowed = false;
            while (true)
            {
                UserThread ended = null;
                using (InterruptMask.Enter())
                using (process.LifecycleLock.Hold())
                {
                    if (process.Ending != 0 || process.KillRequested != 0 || process.EndingOtherThreads != 0)
                        break;   // ending, or an exec is ending the other threads
                    int slot = FreeThreadSlot(process, out ended);
                    ended?.AddReference();   // another new thread may release it first
                    if (slot >= 0)
                    {
                        process.Threads[slot] = created;   // the process's reference
                        if (slot == process.ThreadCount)
                            process.ThreadCount++;
                        // Before it can run, so the count cannot reach zero meanwhile; interlocked like every change to
                        // it (ending threads decrement it without the lock).
                        System.Threading.Interlocked.Increment(ref process.LiveThreads);
                        allowed = true;
                        break;
                    }
                }
                // Every slot is taken: release an ended thread's (outside the lock: it joins that thread), or refuse.
                if (ended == null)
                    break;
                bool released = ProcessLifecycle.ReleaseEndedThread(ended);
                ended.Release();
                if (!released)
                    break;
            }
            if (!allowed)
            {
                created.Release();
                error = Error.WouldBlock;   // ThreadCapacity threads that have not ended, or the process is ending
                return null;
            }
            created.AddReference();   // the caller's
            Scheduler.Thread thread = Scheduler.Scheduler.Create("thread", &ProcessLifecycle.ThreadMain, Scheduler.Scheduler.AddressOf(created));
            if (thread == null)
            {
                // Never ran: account for it as a thread that ended at once.
                created.Exited = true;
                ProcessLifecycle.ThreadNeverRan(process);
                error = Error.OutOfMemory;
                created.Release();
                return null;
            }
            created.Thread = thread;
            error = Error.None;
            return created;
        }

        // A slot for a new thread (LifecycleLock held): an empty one, else the next unused one, else -1 with an ended
        // thread whose slot may be released ('ended', null if every thread is running). The first slot is never
        // released while the process runs (its thread's id is the process id, as Linux's group leader keeps it).
        private static int FreeThreadSlot(Process process, out UserThread ended)
        {
            ended = null;
            for (int slot = 1; slot < process.ThreadCount; slot++)
            {
                UserThread thread = process.Threads[slot];
                if (thread == null)
                    return slot;
                if (ended == null && thread.Exited)
                    ended = thread;
            }
            if (ended == null && process.ThreadCount < Process.ThreadCapacity)
                return process.ThreadCount;   // release ended threads first: each holds a kernel stack
            return -1;
        }
    }
}
