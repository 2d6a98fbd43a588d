using Exo.Kernel.Boot;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Every process, in a fixed table (an explicit limit). Spawn loads a program from the initial RAM disk
    /// into a new address space, gives it copies of the capabilities its parent grants (and nothing else) and
    /// starts its thread. When the program ends, its memory and capabilities are freed at once; the process
    /// object stays (with its exit status) while anyone holds a reference, then the reaper frees it.
    /// </summary>
    public static unsafe class ProcessTable
    {
        public const int Capacity = 64;
        /// <summary>The most capabilities a parent may grant at spawn (an explicit limit, checked).</summary>
        public const int MaximumGrants = 16;
        /// <summary>The longest command line (program name and arguments), in bytes.</summary>
        public const int CommandLineCapacity = 256;

        /// <summary>Spawn's error when the boot image has no such program (callers compare with it).</summary>
        public static readonly string NoSuchProgram = "no such program in the boot image";

        private static readonly Process[] s_processes = new Process[Capacity];
        private static Sync.SpinLock s_lock;   // masks interrupts: taken by kernel threads (shell, tests) and by system calls
        private static int s_nextId = 1;

        // Processes whose last reference is gone, freed by the reaper thread (their thread must be joined, which
        // may not happen on the thread itself nor under a lock).
        private static Sync.SpinLock s_reapLock;
        private static Process s_reapList;
        private static Sync.Semaphore s_reapable;

        public static void Initialize()
        {
            CapabilitySpace.Initialize();
            Console.ConsoleCapability.Initialize();
            s_reapable = new Sync.Semaphore(0);
            Scheduler.Scheduler.Create("reaper", &ReaperMain, 0);
        }

        /// <summary>
        /// Starts the program named by the first word of 'commandLine' (the rest are its arguments) from the
        /// initial RAM disk; null with 'error' when it cannot. 'grants': handles of 'parent' the child receives
        /// copies of (each needs the Grant right), in that order. The returned process carries one reference for
        /// the caller (release it, or give it to a handle).
        /// </summary>
        /// 'rootResource': the kernel starts a driver on purpose (its tests, the shell's run-driver) and gives it
        /// a capability to the root resource as its first handle, before the grants; no system call can ask for it.
        public static Process Spawn(byte* commandLine, int length, Process parent, uint* grants, int grantCount, out string error,
            bool rootResource = false)
        {
            if (grantCount < 0 || grantCount > MaximumGrants || (grantCount > 0 && parent == null))
            {
                error = "too many capabilities to grant";
                return null;
            }
            Process process = Load(commandLine, length, out error);
            if (process == null)
                return null;
            if (rootResource && !Grant(process, Drivers.RootResource.Instance, KernelObjectType.Resource, Drivers.RootResource.GrantedRights))
            {
                Abandon(process);
                error = "cannot give the driver the root resource";
                return null;
            }
            if (!GrantFrom(process, parent, grants, grantCount, out error))
            {
                Abandon(process);
                return null;
            }
            // The kernel's own programs (shell, tests) may print: the console capability comes last.
            if (parent == null && !Grant(process, Console.ConsoleCapability.Instance, KernelObjectType.Console, Console.ConsoleCapability.GrantedRights))
            {
                Abandon(process);
                error = "cannot give the program the console";
                return null;
            }
            return Start(process, out error) ? process : null;
        }

        /// <summary>Spawn for the kernel's own callers (shell, tests, benchmarks): a command line, no grants.</summary>
        public static Process Spawn(string commandLine, out string error, bool rootResource = false)
        {
            byte* bytes = stackalloc byte[CommandLineCapacity];
            int length = CopyCommandLine(commandLine, bytes);
            return Spawn(bytes, length, null, null, 0, out error, rootResource);
        }

        /// <summary>A kernel string's characters as bytes (ASCII), at most CommandLineCapacity; the count copied.</summary>
        internal static int CopyCommandLine(string text, byte* destination)
        {
            int length = text.Length < CommandLineCapacity ? text.Length : CommandLineCapacity;
            for (int i = 0; i < length; i++)
                destination[i] = (byte)text[i];
            return length;
        }

        /// <summary>
        /// The first step of a spawn: the program loaded into a new address space and registered, with no
        /// capabilities and not started. Follow with Grant/GrantFrom and Start, or Abandon.
        /// </summary>
        public static Process Load(byte* commandLine, int length, out string error)
        {
            int nameLength = 0;
            while (nameLength < length && commandLine[nameLength] != (byte)' ')
                nameLength++;
            if (length <= 0 || length > CommandLineCapacity || nameLength == 0 || nameLength > Process.NameCapacity)
            {
                error = "the command line must start with a program name of 1 to 32 bytes and have at most 256";
                return null;
            }
            if (!InitialRamDisk.TryFind(commandLine, nameLength, out byte* file, out ulong size))
            {
                error = InitialRamDisk.IsPresent ? NoSuchProgram : "the boot image has no initial RAM disk";
                return null;
            }
            AddressSpace space = ProgramLoader.Load(file, size, out ulong entry, out ulong stack, out Personality personality, out error);
            if (space == null)
                return null;
            Process process = new Process();
            process.SetName(commandLine, nameLength);
            process.SetCommandLine(commandLine, length);
            process.AddressSpace = space;
            process.Personality = personality;
            process.Entry = entry;
            process.StackTop = stack;
            if (!Register(process))
            {
                Discard(process);
                error = "the process table is full";
                return null;
            }
            error = null;
            return process;
        }

        /// <summary>Gives a loaded process copies of 'parent's handles (each needs the Grant right), in order.</summary>
        public static bool GrantFrom(Process process, Process parent, uint* grants, int grantCount, out string error)
        {
            // Copies derived from the parent's capabilities, so the parent can revoke them.
            CapabilitySpace.Enter();
            CapabilityError grantError = CapabilityError.None;
            for (int i = 0; i < grantCount && grantError == CapabilityError.None; i++)
            {
                Handle source = new Handle(grants[i]);
                grantError = parent.Handles.Lookup(source, KernelObjectType.None, Rights.None, out Capability capability);
                if (grantError == CapabilityError.None)
                    grantError = HandleTable.Transfer(parent.Handles, source, process.Handles, capability.Rights, false, out _);
            }
            CapabilitySpace.Exit();
            error = grantError == CapabilityError.None ? null : CapabilityErrors.Describe(grantError);
            return grantError == CapabilityError.None;
        }

        /// <summary>Gives a loaded process a new capability to a kernel object (the kernel's own grants, to init).</summary>
        public static bool Grant(Process process, KernelObject value, KernelObjectType type, Rights rights)
        {
            value.AddReference();   // InsertNew consumes one reference; the caller keeps its own
            return (long)CapabilitySpace.InsertNew(process, value, type, rights) > 0;
        }

        /// <summary>Drops a process that was loaded but will not start.</summary>
        public static void Abandon(Process process)
        {
            Unregister(process);
            Discard(process);
        }

        /// <summary>
        /// Starts a loaded process's thread. The program finds at entry RDI = the number of its handles and RSI =
        /// their address on its stack (64-bit values, in the order they were granted), followed by its command
        /// line: a 64-bit length, then the bytes and a zero byte.
        /// </summary>
        public static bool Start(Process process, out string error)
        {
            int handleCount = process.Handles.Count;
            ulong commandBytes = ((ulong)process.CommandLineLength + 8 + 1 + 15) & ~15UL;
            ulong array = (process.StackTop - commandBytes - 8 * (ulong)handleCount) & ~15UL;
            for (int i = 0; i < handleCount; i++)
                WriteUserWord(process.AddressSpace, array + 8 * (ulong)i, HandleOf(process, i));
            ulong command = array + 8 * (ulong)handleCount;
            WriteUserWord(process.AddressSpace, command, (ulong)process.CommandLineLength);
            WriteUserBytes(process.AddressSpace, command + 8, process.CommandLine, process.CommandLineLength + 1);
            // The main thread starts with RDI = the number of handles and RSI = where they are.
            UserThread main = new UserThread(process)
            {
                Entry = process.Entry, StackPointer = array - 16, Argument0 = (ulong)handleCount, Argument1 = array,
            };
            process.Threads[0] = main;   // the process's reference to it
            process.ThreadCount = 1;
            process.LiveThreads = 1;
            process.AddReference();   // the running program's own reference, dropped when it ends
            process.State = ProcessState.Running;
            Scheduler.Thread thread = Scheduler.Scheduler.Create("process", &ThreadMain, Scheduler.Scheduler.AddressOf(main));
            if (thread == null)
            {
                process.Release();
                Abandon(process);
                error = "no memory for the process's thread";
                return false;
            }
            main.Thread = thread;   // before anyone can reap it: the caller's reference is still held
            error = null;
            return true;
        }

        private static ulong HandleOf(Process process, int index)
        {
            process.Handles.TryGetAt(index, out Handle handle, out _);
            return handle.Value;
        }

        private static void WriteUserWord(AddressSpace space, ulong address, ulong value)
            => WriteUserBytes(space, address, (byte*)&value, 8);

        // Writes into a process that is not running yet, through the kernel's view of its frames (the initial
        // stack is mapped and the bytes never cross more than one page boundary per 4 KiB).
        private static void WriteUserBytes(AddressSpace space, ulong address, byte* bytes, int count)
        {
            for (int i = 0; i < count; i++)
                if (space.TryTranslate(address + (ulong)i, out ulong physical, out _))
                    *(byte*)PhysicalMemory.ToVirtual(physical) = bytes[i];
        }

        /// <summary>
        /// Starts another thread in 'process' at 'entry' with the stack pointer 'stack' and 'argument' in RDI; the
        /// new thread's object with a reference for the caller, or null with 'error'.
        /// </summary>
        public static UserThread CreateThread(Process process, ulong entry, ulong stack, ulong argument, out string error)
        {
            UserThread created = new UserThread(process) { Entry = entry, StackPointer = stack, Argument0 = argument };
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            process.ExitWaiters.Lock.Enter();
            int slot = process.ThreadCount;
            bool allowed = slot < Process.ThreadCapacity && process.Ending == 0 && process.KillRequested == 0;
            if (allowed)
            {
                process.Threads[slot] = created;   // the process's reference
                process.ThreadCount++;
                // Before it can run, so the count cannot reach zero meanwhile; atomic, because a thread ending on
                // another processor decrements it without this lock (a plain ++ could undo that decrement).
                System.Threading.Interlocked.Increment(ref process.LiveThreads);
            }
            process.ExitWaiters.Lock.Exit();
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            if (!allowed)
            {
                created.Release();
                error = slot >= Process.ThreadCapacity ? "the process has started its 16 threads" : "the process is ending";
                return null;
            }
            created.AddReference();   // the caller's
            Scheduler.Thread thread = Scheduler.Scheduler.Create("thread", &ThreadMain, Scheduler.Scheduler.AddressOf(created));
            if (thread == null)
            {
                // Never ran: account for it as a thread that ended at once.
                created.Exited = true;
                if (System.Threading.Interlocked.Decrement(ref process.LiveThreads) == 0)
                    End(process);
                error = "no memory for the thread";
                created.Release();
                return null;
            }
            created.Thread = thread;
            error = null;
            return created;
        }

        // Every thread of a process: ring 3 until it exits, faults or is killed; then ThreadEnded.
        private static void ThreadMain(ulong userThreadAddress)
        {
            UserThread self = System.Runtime.CompilerServices.Unsafe.AsRef<UserThread>(&userThreadAddress);
            Process process = self.Process;
            Scheduler.Thread thread = Scheduler.Scheduler.Current;
            thread.Process = process;
            thread.SystemCallDispatcher = Syscalls.SystemCalls.DispatcherFor(process.Personality);
            // Named under the lock Kill looks under; a kill that came first is seen here.
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            process.ExitWaiters.Lock.Enter();
            self.Thread = thread;
            if (System.Threading.Volatile.Read(ref process.KillRequested) != 0)
            {
                thread.SystemCallDispatcher = Syscalls.SystemCalls.KilledDispatcher;
                thread.KillPending = 1;
            }
            process.ExitWaiters.Lock.Exit();
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            ulong result = UserMode.UserMode.RunInAddressSpace(process.AddressSpace, self.Entry, self.StackPointer,
                self.Argument0, self.Argument1);
            ThreadEnded(self, thread, result);
        }

        // A thread has left ring 3 for good. Exit, a fault or a kill end the whole process: the first such end
        // sets its status and kills the other threads. The last thread to end ends the process.
        private static void ThreadEnded(UserThread self, Scheduler.Thread thread, ulong result)
        {
            Process process = self.Process;
            bool endsProcess = thread.EndsThreadOnly == 0;
            thread.EndsThreadOnly = 0;
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            Ipc.FusionCall.ThreadEnded(thread);   // the caller it owed a reply gets "peer gone"
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            if (endsProcess && System.Threading.Interlocked.CompareExchange(ref process.Ending, 1, 0) == 0)
            {
                SetExitStatus(process, result);
                KillThreads(process, thread);
            }
            enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            self.ExitWaiters.Lock.Enter();
            self.ExitStatus = result;
            self.Exited = true;
            self.ExitWaiters.Lock.Exit();
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            self.ExitWaiters.WakeAll();
            if (System.Threading.Interlocked.Decrement(ref process.LiveThreads) == 0)
            {
                if (System.Threading.Volatile.Read(ref process.Ending) == 0)
                    SetExitStatus(process, result);   // every thread ended by thread exit: the last one's status
                End(process);
            }
            thread.Process = null;
        }

        private static void SetExitStatus(Process process, ulong result)
        {
            process.Faulted = result >= UserMode.UserMode.FaultResultBase && result < UserMode.UserMode.FaultResultBase + 32;
            process.Killed = result == UserMode.UserMode.KilledResult;
            process.ExitStatus = result;
        }

        /// <summary>Waits until 'thread' has ended; its exit status, or Interrupted if the waiter is being killed.</summary>
        public static ulong WaitForThread(UserThread thread)
        {
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            ulong result;
            while (true)
            {
                thread.ExitWaiters.Lock.Enter();
                if (thread.Exited)
                {
                    result = thread.ExitStatus;
                    thread.ExitWaiters.Lock.Exit();
                    break;
                }
                if (!Scheduler.Scheduler.BlockOnLockedInterruptibly(thread.ExitWaiters))
                {
                    result = Ipc.Notification.Interrupted;
                    break;
                }
            }
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            return result;
        }

        // What ends with the program: conversations, capabilities, memory. Then waiters learn the status.
        // Called by its last thread, which has left the address space like every other.
        private static void End(Process process)
        {
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            Ipc.FusionCall.ProcessEnded(process);
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            CapabilitySpace.Enter();
            process.Handles.CloseAll();
            CapabilitySpace.Exit();
            process.AddressSpace.Destroy();   // this thread left it in RunInAddressSpace
            Exo.Runtime.ObjectAllocator.Free(process.AddressSpace);
            process.AddressSpace = null;
            for (int i = 0; i < Process.MappedObjectCapacity; i++)
            {
                MemoryObject memory = process.MappedObjects[i];
                process.MappedObjects[i] = null;
                memory?.Release();
            }
            process.ExitWaiters.Lock.Enter();
            process.State = ProcessState.Exited;
            Ipc.Notification watcher = process.ExitNotification;
            process.ExitNotification = null;
            process.ExitWaiters.Lock.Exit();
            process.ExitWaiters.WakeAll();
            if (watcher != null)
            {
                watcher.Signal(process.ExitBits);
                watcher.Release();
            }
            process.Release();   // the program's own reference
        }

        /// <summary>
        /// Ends 'process' (kill): each of its threads stops at its next system call or interrupt from ring 3, and a
        /// wait one sleeps in (receive, a queued call, notification, process or thread wait) is interrupted at
        /// once. A call already taken by a server ends when the reply comes. Idempotent; nothing happens to a
        /// process that has ended.
        /// </summary>
        public static void Kill(Process process) => KillThreads(process, null);

        // Kills every thread of 'process' but 'except' (the thread whose exit or fault is ending it).
        private static void KillThreads(Process process, Scheduler.Thread except)
        {
            if (System.Threading.Interlocked.Exchange(ref process.KillRequested, 1) != 0)
                return;
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            process.ExitWaiters.Lock.Enter();   // threads are named under it (ThreadMain) and stay until the process is freed
            int count = process.State == ProcessState.Running ? process.ThreadCount : 0;
            for (int i = 0; i < count; i++)
            {
                Scheduler.Thread thread = process.Threads[i].Thread;
                if (thread == null || thread == except)
                    continue;
                // Its next system call ends it; then the flag, then the waits (each wait names itself first).
                thread.SystemCallDispatcher = Syscalls.SystemCalls.KilledDispatcher;
                System.Threading.Interlocked.Exchange(ref thread.KillPending, 1);
            }
            process.ExitWaiters.Lock.Exit();
            for (int i = 0; i < count; i++)
            {
                Scheduler.Thread thread = process.Threads[i].Thread;
                if (thread == null || thread == except || thread.KillPending == 0)
                    continue;
                Scheduler.Scheduler.InterruptWait(thread);
                Ipc.FusionCall.Interrupt(thread);
                Scheduler.Scheduler.Nudge(thread);   // running in ring 3 elsewhere: an interrupt ends it
            }
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
        }

        /// <summary>
        /// Signals 'bits' on 'notification' when 'process' ends (at once if it has ended), replacing an earlier
        /// watch: one watcher per process, its supervisor. Takes over the caller's reference to 'notification'.
        /// </summary>
        public static void Watch(Process process, Ipc.Notification notification, ulong bits)
        {
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            process.ExitWaiters.Lock.Enter();
            Ipc.Notification previous = process.ExitNotification;
            bool ended = process.State == ProcessState.Exited;
            if (!ended)
            {
                process.ExitNotification = notification;
                process.ExitBits = bits;
            }
            process.ExitWaiters.Lock.Exit();
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            previous?.Release();
            if (ended)
            {
                notification.Signal(bits);
                notification.Release();
            }
        }

        /// <summary>Waits until the process has ended; returns its exit status (FaultResultBase + vector after a fault).</summary>
        public static ulong WaitForExit(Process process, out bool faulted)
        {
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            while (true)
            {
                process.ExitWaiters.Lock.Enter();
                if (process.State == ProcessState.Exited)
                {
                    process.ExitWaiters.Lock.Exit();
                    break;
                }
                if (!Scheduler.Scheduler.BlockOnLockedInterruptibly(process.ExitWaiters))
                {
                    if (enabled)
                        Arch.X64.Cpu.EnableInterrupts();
                    faulted = false;
                    return Ipc.Notification.Interrupted;   // the waiter is being killed
                }
            }
            if (enabled)
                Arch.X64.Cpu.EnableInterrupts();
            faulted = process.Faulted;
            return process.ExitStatus;
        }

        /// <summary>Waits for the process to end and drops the caller's reference (the kernel's spawn-and-wait).</summary>
        public static ulong Wait(Process process, out bool faulted)
        {
            ulong status = WaitForExit(process, out faulted);
            process.Release();
            return status;
        }

        /// <summary>The last reference is gone: hand the process to the reaper (any context, any lock).</summary>
        internal static void Reap(Process process)
        {
            s_reapLock.Enter();
            process.ReapNext = s_reapList;
            s_reapList = process;
            s_reapLock.Exit();
            s_reapable.Release();
        }

        private static void ReaperMain(ulong unused)
        {
            while (true)
            {
                s_reapable.Wait();
                s_reapLock.Enter();
                Process process = s_reapList;
                s_reapList = process.ReapNext;
                s_reapLock.Exit();
                for (int i = 0; i < process.ThreadCount; i++)
                    if (process.Threads[i].Thread != null)
                        Scheduler.Scheduler.Join(process.Threads[i].Thread);
                Unregister(process);
                Discard(process);
            }
        }

        // Frees a process object and what it owns (its program has ended or never started).
        private static void Discard(Process process)
        {
            Scheduler.Scheduler.WaitForFastPaths();   // a killer may be looking at a thread that waited on it
            process.ExitNotification?.Release();   // a watch on a process that never started
            if (process.AddressSpace != null)
            {
                process.AddressSpace.Destroy();
                Exo.Runtime.ObjectAllocator.Free(process.AddressSpace);
            }
            CapabilitySpace.Enter();
            process.Handles.Destroy(&Exo.Runtime.ObjectAllocator.Free);
            CapabilitySpace.Exit();
            Exo.Runtime.ObjectAllocator.Free(process.Handles);
            Exo.Runtime.ObjectAllocator.Free(process.ExitWaiters);
            Exo.Runtime.ObjectAllocator.Free(process.MappedObjects);
            for (int i = 0; i < process.ThreadCount; i++)
                process.Threads[i].Release();
            Exo.Runtime.ObjectAllocator.Free(process.Threads);
            process.IoPorts?.Free();   // its thread left ring 3 for good: no processor holds the bitmap
            Exo.Runtime.ObjectAllocator.Free(process);
        }

        private static bool Register(Process process)
        {
            s_lock.Enter();
            for (int i = 0; i < Capacity; i++)
            {
                if (s_processes[i] == null)
                {
                    process.Id = s_nextId++;
                    s_processes[i] = process;
                    s_lock.Exit();
                    return true;
                }
            }
            s_lock.Exit();
            return false;
        }

        private static void Unregister(Process process)
        {
            s_lock.Enter();
            for (int i = 0; i < Capacity; i++)
                if (s_processes[i] == process)
                    s_processes[i] = null;
            s_lock.Exit();
        }

        /// <summary>The process with this id, with a reference the caller releases; null if none.</summary>
        public static Process Find(int id)
        {
            s_lock.Enter();
            Process found = null;
            for (int i = 0; i < Capacity && found == null; i++)
                if (s_processes[i] != null && s_processes[i].Id == id && s_processes[i].References > 0)
                    found = s_processes[i];
            found?.AddReference();
            s_lock.Exit();
            return found;
        }

        public static int Count
        {
            get
            {
                int count = 0;
                s_lock.Enter();
                for (int i = 0; i < Capacity; i++)
                    if (s_processes[i] != null)
                        count++;
                s_lock.Exit();
                return count;
            }
        }

        public static void PrintAll()
        {
            KernelConsole.WriteLine("  pid  state     pages  handles  name");
            s_lock.Enter();
            for (int i = 0; i < Capacity; i++)
            {
                Process process = s_processes[i];
                if (process == null)
                    continue;
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)process.Id);
                KernelConsole.Write(process.State == ProcessState.Running ? "    running   " : "    exited    ");
                KernelConsole.WriteDecimal(process.AddressSpace != null ? process.AddressSpace.MappedPages : 0);
                KernelConsole.Write("     ");
                KernelConsole.WriteDecimal((ulong)process.Handles.Count);
                KernelConsole.Write("        ");
                KernelConsole.Write(process.Name, process.NameLength);
                KernelConsole.WriteLine();
            }
            s_lock.Exit();
        }
    }
}
