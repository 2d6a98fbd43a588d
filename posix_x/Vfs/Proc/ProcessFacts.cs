using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using Signals_ = Exo.PosixX.Signals.Signal;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// Everything /proc says about a process, read in this one place, from where it is kept:
    /// - the kernel's Process (ProcessRegistry): id, name, command line, state, threads, exit status, program image,
    ///   the parent of a process a native program started (Process.ParentId);
    /// - its threads' scheduler accounting (Scheduler.Thread: state, CPU time in TSC ticks, last processor);
    /// - POSIX-X's LinuxProcess: credentials, umask, command name (prctl), start time, limits, descriptors, working
    ///   and root directories, the program execve loaded, memory regions (MemoryRegions, for maps and the Vm*
    ///   figures), its parent, process group and session (ProcessTree), job-control stop, exit signal, signal
    ///   handlers and the shared pending set; its threads' LinuxThread: blocked and pending signals;
    /// - the console terminal (ConsoleTerminal): the session it controls and its foreground group;
    /// - the registry's snapshot for the resident pages (the address space is read under the registry's lock).
    /// What POSIX-X does not keep yet is answered by the methods of the "not kept yet" section below, so the work
    /// that keeps it fills them in here and every /proc file follows.
    /// Every method takes the Process with a reference held by the caller (ProcessRegistry.Find): its POSIX-X state
    /// and regions live until the last reference goes (LinuxProcess.OnDiscard).
    /// </summary>
    public static unsafe class ProcessFacts
    {
        // ---------------------------------------------------------------- not kept yet

        /// <summary>
        /// Page faults (minflt, majflt): demand paging does not count them per process yet. Children's times and faults
        /// (cutime, cstime, cminflt, cmajflt): wait4 does not add a child's figures to its parent's yet.
        /// </summary>
        public static ulong MinorFaults(Process process) => 0;

        /// <summary>The environment (environ): not kept after the start stack is laid out (empty until it is).</summary>
        public static int Environment(Process process, byte* into, int capacity) => 0;

        // ---------------------------------------------------------------- the process tree, the terminal, signals

        /// <summary>ppid: what getppid answers (LinuxProcess.ParentProcessId); a native process's parent from spawn.</summary>
        public static int ParentId(Process process)
        {
            LinuxProcess linux = Linux(process);
            return linux != null ? linux.ParentProcessId : process.ParentId;
        }

        /// <summary>pgrp and session (ProcessTree); 0 for a native process, which has neither.</summary>
        public static int ProcessGroup(Process process) => Linux(process)?.ProcessGroup ?? 0;
        public static int Session(Process process) => Linux(process)?.Session ?? 0;

        /// <summary>The console as Linux numbers it (major 5, minor 1; stat's tty_nr encoding).</summary>
        public const int ConsoleTerminalNumber = (5 << 8) | 1;

        /// <summary>tty_nr: the terminal the process's session controls (the console, a pseudo-terminal's slave), else 0 (none).</summary>
        public static int TerminalNumber(Process process)
        {
            Tty.Terminal terminal = ControllingTerminal(process, out Tty.PseudoTerminal pair);
            return terminal == null ? 0 : pair != null ? (Vfs.Devices.PseudoTerminalSlaveMajor << 8) | pair.Index : ConsoleTerminalNumber;
        }

        /// <summary>tpgid: the controlling terminal's foreground process group, -1 without a controlling terminal (as Linux).</summary>
        public static int TerminalProcessGroup(Process process) => ControllingTerminal(process, out _)?.ForegroundGroup ?? -1;

        private static Tty.Terminal ControllingTerminal(Process process, out Tty.PseudoTerminal pair)
        {
            int session = Session(process);
            pair = Tty.PseudoTerminal.OfSession(session);
            if (pair != null)
                return pair;
            return session != 0 && session == Tty.ConsoleTerminal.Instance.Session ? Tty.ConsoleTerminal.Instance : null;
        }

        /// <summary>exit_signal: what it sends its parent when it ends (SIGCHLD, or clone's choice); 0 for a native process.</summary>
        public static int ExitSignal(Process process) => Linux(process)?.ExitSignal ?? 0;

        /// <summary>
        /// Its signals (bit n-1 for signal n): pending for the thread in 'slot' (the first thread for NoThread), pending
        /// for the whole process, blocked by that thread, ignored and caught (a handler installed). Zeros for a native
        /// process.
        /// </summary>
        public static void Signals(Process process, int slot, out ulong pending, out ulong sharedPending, out ulong blocked, out ulong ignored, out ulong caught)
        {
            pending = sharedPending = blocked = ignored = caught = 0;
            LinuxProcess linux = Linux(process);
            if (linux == null)
                return;
            UserThread thread = null;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                int index = slot == NoThread ? 0 : slot;
                if (index < process.ThreadCount && process.Threads[index] is { Exited: false } live)
                {
                    thread = live;
                    thread.AddReference();   // its slot may be released meanwhile
                }
            }
            using (linux.Lock.Hold())
            {
                LinuxThread state = thread != null ? LinuxThread.Of(thread) : null;
                if (state != null)
                {
                    pending = state.PendingSignals;
                    blocked = state.BlockedSignals;
                }
                sharedPending = linux.SharedPending;
                for (int i = 0; i < Signals_.Count; i++)
                {
                    ulong handler = linux.Handlers[i].Handler;
                    if (handler == SignalAction.Ignore)
                        ignored |= 1UL << i;
                    else if (handler != SignalAction.Default)
                        caught |= 1UL << i;
                }
            }
            thread?.Release();
        }

        /// <summary>
        /// The program's path (/proc/PID/exe, the maps name of its image), as the reader sees it: the file it runs
        /// (LinuxProcess.Executable: what spawn found or execve loaded), named where it is now (DescriptorPaths). A
        /// native process: where the launcher takes native programs from (/exo/bin/NAME). ENOENT without a file.
        /// </summary>
        public static Error ExecutablePath(Process process, Vnode readerRoot, ref ProcText text)
        {
            LinuxProcess linux = Linux(process);
            Vnode program = linux != null ? Executable(linux) : null;
            if (program != null)
            {
                Error error = DescriptorPaths.NodePath(readerRoot, program, ref text);
                program.Release();
                return error;
            }
            if (linux != null)
                return Error.NotFound;
            text.Byte((byte)'/');
            text.Text(Exo.Kernel.Boot.InitialRamDisk.ProgramDirectory);
            text.Bytes(process.Name, process.NameLength);
            return Error.None;
        }

        // ---------------------------------------------------------------- kept

        public static Process Find(int processId) => processId > 0 ? ProcessRegistry.Find(processId) : null;

        /// <summary>Its POSIX-X state, or null for a native process.</summary>
        public static LinuxProcess Linux(Process process) => process.PersonalityState as LinuxProcess;

        public static Credentials CredentialsOf(Process process)
        {
            LinuxProcess linux = Linux(process);
            if (linux == null)
                return Credentials.Root;   // native processes have no Unix identity: shown as root
            using (linux.Lock.Hold())
                return linux.Credentials;
        }

        /// <summary>comm: the name prctl(PR_GET_NAME) reports for a Linux process, the program name for a native one (15 bytes at most).</summary>
        public static int CommandName(Process process, byte* into)
        {
            LinuxProcess linux = Linux(process);
            int length = 0;
            if (linux != null)
            {
                using (linux.Lock.Hold())
                    while (length < LinuxProcess.CommandNameCapacity - 1 && linux.CommandNameBytes[length] != 0)
                    {
                        into[length] = linux.CommandNameBytes[length];
                        length++;
                    }
                return length;
            }
            for (; length < process.NameLength && length < LinuxProcess.CommandNameCapacity - 1; length++)
                into[length] = process.Name[length];
            return length;
        }

        /// <summary>Threads that have not ended (num_threads, Threads:).</summary>
        public static int ThreadCount(Process process) => System.Threading.Volatile.Read(ref process.LiveThreads);

        public const int NoThread = -1;

        /// <summary>
        /// The thread slot of Linux thread id 'threadId' in 'process' (its first thread's id is the process id; others'
        /// are Translation.ThreadIds), or NoThread; ended threads are not found.
        /// </summary>
        public static int SlotOf(Process process, int threadId)
        {
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                for (int i = 0; i < process.ThreadCount; i++)
                    if (process.Threads[i] is { Exited: false } && ThreadIdLocked(process, i) == threadId)
                        return i;
            }
            return NoThread;
        }

        /// <summary>The lowest Linux thread id at or above 'from' among the live threads (task/), or -1.</summary>
        public static int NextThreadId(Process process, int from)
        {
            int best = -1;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                for (int i = 0; i < process.ThreadCount; i++)
                {
                    if (process.Threads[i] is not { Exited: false })
                        continue;
                    int id = ThreadIdLocked(process, i);
                    if (id >= from && (best < 0 || id < best))
                        best = id;
                }
            }
            return best;
        }

        private static int ThreadIdLocked(Process process, int slot)
            => slot == 0 ? process.Id : Translation.ThreadIds.Of(process.Threads[slot]);

        /// <summary>What the scheduler says of a process's threads (or one slot's, for task/TID).</summary>
        public struct Scheduling
        {
            public byte State;           // R, S or Z
            public ulong CpuTime;        // TSC ticks, the running stretch included
            public int Processor;        // where its first live thread (or the slot's) last ran
            public int Priority;
            public int Nice, Policy;     // the same thread's (KernelInterface.ThreadScheduling)
        }

        /// <summary>The scheduling state of the whole process (slot NoThread) or of one thread slot.</summary>
        public static Scheduling SchedulingOf(Process process, int slot)
        {
            Scheduling result = default;
            result.State = (byte)'Z';
            result.Processor = 0;
            bool any = false;
            ulong now = Exo.Kernel.Arch.X64.Cpu.ReadTimeStampCounter();
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                if (process.State == ProcessState.Exited)
                    return result;
                if (slot == NoThread)
                    result.CpuTime = process.ReleasedThreadsRunTime;   // threads that ended and were released
                for (int i = 0; i < process.ThreadCount; i++)
                {
                    if (slot != NoThread && i != slot)
                        continue;
                    Exo.Kernel.Scheduler.Thread thread = process.Threads[i]?.Thread;   // null: released, or never ran
                    if (thread == null)
                        continue;
                    ulong time = thread.CpuTime;
                    Exo.Kernel.Scheduler.ThreadState state = thread.State;
                    if (state == Exo.Kernel.Scheduler.ThreadState.Running && now > thread.RunStart)
                        time += now - thread.RunStart;
                    result.CpuTime += time;   // ended threads' time stays the process's, as on Linux
                    if (process.Threads[i].Exited || state == Exo.Kernel.Scheduler.ThreadState.Exited)
                        continue;
                    if (!any)
                    {
                        result.Processor = thread.Cpu;
                        result.Priority = thread.Priority;
                        KernelInterface.LinuxThread linuxThread = KernelInterface.LinuxThread.Of(process.Threads[i]);
                        if (linuxThread != null)
                        {
                            result.Nice = linuxThread.Scheduling.Nice;
                            result.Policy = linuxThread.Scheduling.Policy;
                        }
                        result.State = (byte)'S';
                        any = true;
                    }
                    if (state == Exo.Kernel.Scheduler.ThreadState.Running || state == Exo.Kernel.Scheduler.ThreadState.Ready)
                        result.State = (byte)'R';
                }
                if (!any && process.State == ProcessState.Starting)
                    result.State = (byte)'R';   // loaded, its first thread not made yet: about to run
            }
            LinuxProcess linux = Linux(process);
            if (linux != null && linux.Stopped && result.State != (byte)'Z')
                result.State = (byte)'T';   // stopped by a signal (job control)
            return result;
        }

        public static string StateName(byte state) => state switch
        {
            (byte)'R' => "R (running)",
            (byte)'S' => "S (sleeping)",
            (byte)'D' => "D (disk sleep)",
            (byte)'T' => "T (stopped)",
            _ => "Z (zombie)",
        };

        /// <summary>Pages mapped in its address space now (rss), from the registry's snapshot (0 once it has ended).</summary>
        public static ulong ResidentPages(int processId)
        {
            ProcessRegistry.Summary* summaries = (ProcessRegistry.Summary*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized(
                (ulong)(ProcessRegistry.Capacity * sizeof(ProcessRegistry.Summary)));
            if (summaries == null)
                return 0;
            int count = ProcessRegistry.Snapshot(summaries, ProcessRegistry.Capacity);
            ulong pages = 0;
            for (int i = 0; i < count; i++)
                if (summaries[i].Id == processId)
                    pages = summaries[i].MappedPages;
            Exo.Kernel.Memory.Heap.KernelHeap.Free(summaries);
            return pages;
        }

        /// <summary>The lowest process id at or above 'from' in the registry (/proc's numbered entries), or -1.</summary>
        public static int NextProcessId(int from)
        {
            ProcessRegistry.Summary* summaries = (ProcessRegistry.Summary*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized(
                (ulong)(ProcessRegistry.Capacity * sizeof(ProcessRegistry.Summary)));
            if (summaries == null)
                return -1;
            int count = ProcessRegistry.Snapshot(summaries, ProcessRegistry.Capacity);
            int best = -1;
            for (int i = 0; i < count; i++)
            {
                int id = summaries[i].Id;
                if (id >= from && (best < 0 || id < best))
                    best = id;
            }
            Exo.Kernel.Memory.Heap.KernelHeap.Free(summaries);
            return best;
        }

        /// <summary>
        /// The lowest open descriptor at or above 'from' of a Linux process, with its open file (a reference), or -1
        /// (none, or the process has ended: its table goes under its lock).
        /// </summary>
        public static int NextDescriptor(LinuxProcess linux, int from, out Vfs.OpenFile file)
        {
            file = null;
            using (linux.Lock.Hold())
            {
                FileDescriptorTable table = linux.Descriptors;
                return table == null ? -1 : table.NextOpen(from, out file);
            }
        }

        /// <summary>The size of its descriptor table (FDSize), 0 once it has ended.</summary>
        public static int DescriptorSlots(LinuxProcess linux)
        {
            using (linux.Lock.Hold())
                return linux.Descriptors != null ? linux.Descriptors.Size : 0;
        }

        /// <summary>Copies its memory regions (MemoryRegions.Snapshot) under its lock, which execve replaces them under.</summary>
        public static int Regions(LinuxProcess linux, Memory.MemoryRegions.Region* into, int capacity)
        {
            using (linux.Lock.Hold())
                return linux.Regions.Snapshot(into, capacity);
        }

        /// <summary>File 'number' its regions map (MemoryRegions.MappedFile), under the lock execve replaces them under; null if none.</summary>
        public static Vnode MappedFile(LinuxProcess linux, ushort number)
        {
            using (linux.Lock.Hold())
                return linux.Regions?.MappedFile(number);
        }

        /// <summary>The file it runs (LinuxProcess.Executable) with a reference, or null.</summary>
        public static Vnode Executable(LinuxProcess linux)
        {
            using (linux.Lock.Hold())
            {
                Vnode program = linux.Executable;
                program?.AddReference();
                return program;
            }
        }

        /// <summary>Its working or root directory with a reference, or null once it has ended.</summary>
        public static Vnode Directory(LinuxProcess linux, bool root)
        {
            using (linux.Lock.Hold())
            {
                Vnode directory = root ? linux.RootDirectory : linux.WorkingDirectory;
                directory?.AddReference();
                return directory;
            }
        }

        /// <summary>
        /// The root directory paths are shown from for the calling thread (Linux prints paths as the reader sees them):
        /// its process's root, or the system's for a caller that is not a Linux process. With a reference.
        /// </summary>
        public static Vnode ReaderRoot()
        {
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            Process process = current.Process;
            LinuxProcess linux = process != null ? Linux(process) : null;
            Vnode root = linux != null ? Directory(linux, root: true) : null;
            if (root == null)
            {
                root = MountTable.RootDirectory;
                root.AddReference();
            }
            return root;
        }

        /// <summary>The calling thread's process id (self) and Linux thread id (thread-self), or 0 for a kernel thread.</summary>
        public static int CallerProcessId()
        {
            Process process = Exo.Kernel.Scheduler.Scheduler.Current.Process;
            return process != null ? process.Id : 0;
        }

        public static int CallerThreadId()
        {
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            Process process = current.Process;
            if (process == null)
                return 0;
            return Translation.ThreadIds.Of(current.User.Thread);
        }
    }
}
