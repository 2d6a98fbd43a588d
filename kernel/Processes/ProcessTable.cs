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

        /// <summary>Spawn's error when the boot image has no such program (callers compare with it).</summary>
        public static readonly string NoSuchProgram = "no such program in the boot image";

        private static readonly Process[] s_processes = new Process[Capacity];
        private static TicketLock s_lock;
        private static int s_nextId = 1;

        // Processes whose last reference is gone, freed by the reaper thread (their thread must be joined, which
        // may not happen on the thread itself nor under a lock).
        private static Sync.SpinLock s_reapLock;
        private static Process s_reapList;
        private static Sync.Semaphore s_reapable;

        public static void Initialize()
        {
            CapabilitySpace.Initialize();
            s_reapable = new Sync.Semaphore(0);
            Scheduler.Scheduler.Create("reaper", &ReaperMain, 0);
        }

        /// <summary>
        /// Starts the program 'name' from the initial RAM disk; null with 'error' when it cannot. 'grants':
        /// handles of 'parent' the child receives copies of (each needs the Grant right), in that order. The
        /// returned process carries one reference for the caller (release it, or give it to a handle).
        /// 'rootResource': the kernel starts a driver on purpose (its tests, the shell's run-driver) and gives it
        /// a capability to the root resource as its first handle, before the grants; no system call can ask for it.
        /// </summary>
        public static Process Spawn(byte* name, int nameLength, Process parent, uint* grants, int grantCount, out string error, bool rootResource = false)
        {
            if (grantCount < 0 || grantCount > MaximumGrants || (grantCount > 0 && parent == null))
            {
                error = "too many capabilities to grant";
                return null;
            }
            if (!InitialRamDisk.TryFind(name, nameLength, out byte* file, out ulong size))
            {
                error = InitialRamDisk.IsPresent ? NoSuchProgram : "the boot image has no initial RAM disk";
                return null;
            }
            AddressSpace space = ProgramLoader.Load(file, size, out ulong entry, out ulong stack, out error);
            if (space == null)
                return null;
            Process process = new Process();
            process.SetName(name, nameLength);
            process.AddressSpace = space;
            process.Entry = entry;
            if (!Register(process))
            {
                Discard(process);
                error = "the process table is full";
                return null;
            }
            // The grants: copies derived from the parent's capabilities, so the parent can revoke them.
            ulong* received = stackalloc ulong[MaximumGrants + 1];
            int first = rootResource ? 1 : 0;
            CapabilitySpace.Enter();
            CapabilityError grantError = CapabilityError.None;
            if (rootResource)
            {
                grantError = process.Handles.Insert(Drivers.RootResource.Instance, KernelObjectType.Resource, Drivers.RootResource.GrantedRights, null, out Handle root);
                received[0] = root.Value;
            }
            for (int i = 0; i < grantCount && grantError == CapabilityError.None; i++)
            {
                Handle source = new Handle(grants[i]);
                Handle child = Handle.Invalid;
                grantError = parent.Handles.Lookup(source, KernelObjectType.None, Rights.None, out Capability capability);
                if (grantError == CapabilityError.None)
                    grantError = HandleTable.Transfer(parent.Handles, source, process.Handles, capability.Rights, false, out child);
                received[first + i] = grantError == CapabilityError.None ? child.Value : 0;
            }
            CapabilitySpace.Exit();
            if (grantError != CapabilityError.None)
            {
                Unregister(process);
                Discard(process);
                error = CapabilityErrors.Describe(grantError);
                return null;
            }
            // The program finds its handles on its stack: RDI = count, RSI = their address.
            int handleCount = first + grantCount;
            ulong array = (stack - 8 * (ulong)handleCount) & ~15UL;
            for (int i = 0; i < handleCount; i++)
                WriteUserWord(space, array + 8 * (ulong)i, received[i]);
            process.StackTop = array - 16;
            process.StartArgument0 = (ulong)handleCount;
            process.StartArgument1 = array;

            process.AddReference();   // the running program's own reference, dropped when it ends
            process.State = ProcessState.Running;
            Scheduler.Thread thread = Scheduler.Scheduler.Create("process", &ProcessMain, Scheduler.Scheduler.AddressOf(process));
            if (thread == null)
            {
                Unregister(process);
                Discard(process);
                error = "no memory for the process's thread";
                return null;
            }
            process.MainThread = thread;   // before anyone can reap it: the caller's reference is still held
            error = null;
            return process;
        }

        private static void WriteUserWord(AddressSpace space, ulong address, ulong value)
        {
            if (space.TryTranslate(address, out ulong physical, out _))
                *(ulong*)PhysicalMemory.ToVirtual(physical) = value;
        }

        // The process's main thread: ring 3 until the program exits or faults, then the process ends.
        private static void ProcessMain(ulong processAddress)
        {
            Process process = System.Runtime.CompilerServices.Unsafe.AsRef<Process>(&processAddress);
            Scheduler.Thread thread = Scheduler.Scheduler.Current;
            thread.Process = process;
            ulong result = UserMode.UserMode.RunInAddressSpace(process.AddressSpace, process.Entry, process.StackTop,
                process.StartArgument0, process.StartArgument1);
            process.Faulted = result >= UserMode.UserMode.FaultResultBase && result < UserMode.UserMode.FaultResultBase + 32;
            process.ExitStatus = result;
            End(process, thread);
        }

        // What ends with the program: conversations, capabilities, memory. Then waiters learn the status.
        private static void End(Process process, Scheduler.Thread thread)
        {
            bool enabled = Arch.X64.Cpu.DisableInterruptsSavingState();
            Ipc.FusionCall.ProcessEnded(process, thread);
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
            thread.Process = null;
            process.ExitWaiters.Lock.Enter();
            process.State = ProcessState.Exited;
            process.ExitWaiters.Lock.Exit();
            process.ExitWaiters.WakeAll();
            process.Release();   // the program's own reference
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
                Scheduler.Scheduler.BlockOnLocked(process.ExitWaiters);
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
                if (process.MainThread != null)
                    Scheduler.Scheduler.Join(process.MainThread);
                Unregister(process);
                Discard(process);
            }
        }

        // Frees a process object and what it owns (its program has ended or never started).
        private static void Discard(Process process)
        {
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
