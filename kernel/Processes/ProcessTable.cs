using Exo.Kernel.Boot;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Every process, in a fixed table (an explicit limit). Spawn loads a program from the initial RAM disk
    /// into a new address space and starts its main thread; Wait joins that thread, then frees the address
    /// space and the slot. A fault in a process ends that process with a report; the kernel goes on.
    /// </summary>
    public static unsafe class ProcessTable
    {
        public const int Capacity = 64;

        private static readonly Process[] s_processes = new Process[Capacity];
        private static TicketLock s_lock;
        private static int s_nextId = 1;

        /// <summary>Starts the program 'name' from the initial RAM disk; null with 'error' when it cannot.</summary>
        public static Process Spawn(byte* name, int nameLength, out string error)
        {
            if (!InitialRamDisk.TryFind(name, nameLength, out byte* file, out ulong size))
            {
                error = InitialRamDisk.IsPresent ? "no such program in the boot image" : "the boot image has no initial RAM disk";
                return null;
            }
            AddressSpace space = ProgramLoader.Load(file, size, out ulong entry, out ulong stack, out error);
            if (space == null)
                return null;
            Process process = new Process();
            process.SetName(name, nameLength);
            process.AddressSpace = space;
            process.Entry = entry;
            process.StackTop = stack;
            if (!Register(process))
            {
                Release(process);
                error = "the process table is full";
                return null;
            }
            Scheduler.Thread thread = Scheduler.Scheduler.Create("process", &ProcessMain, Scheduler.Scheduler.AddressOf(process));
            if (thread == null)
            {
                Unregister(process);
                Release(process);
                error = "no memory for the process's thread";
                return null;
            }
            process.MainThread = thread;
            error = null;
            return process;
        }

        // The process's main thread: ring 3 until the program exits or faults.
        private static void ProcessMain(ulong processAddress)
        {
            Process process = System.Runtime.CompilerServices.Unsafe.AsRef<Process>(&processAddress);
            Scheduler.Scheduler.Current.Process = process;
            ulong result = UserMode.UserMode.RunInAddressSpace(process.AddressSpace, process.Entry, process.StackTop);
            process.Faulted = result >= UserMode.UserMode.FaultResultBase && result < UserMode.UserMode.FaultResultBase + 32;
            process.ExitStatus = result;
            process.State = ProcessState.Exited;
            Scheduler.Scheduler.Current.Process = null;
        }

        /// <summary>Waits for the process to end, frees it and returns its exit status (FaultResultBase + vector after a fault).</summary>
        public static ulong Wait(Process process, out bool faulted)
        {
            Scheduler.Scheduler.Join(process.MainThread);
            ulong status = process.ExitStatus;
            faulted = process.Faulted;
            Unregister(process);
            Release(process);
            return status;
        }

        private static void Release(Process process)
        {
            process.AddressSpace.Destroy();
            Exo.Runtime.ObjectAllocator.Free(process.AddressSpace);
            process.State = ProcessState.Reaped;
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

        public static void PrintAll()
        {
            KernelConsole.WriteLine("  pid  state     pages  name");
            s_lock.Enter();
            for (int i = 0; i < Capacity; i++)
            {
                Process process = s_processes[i];
                if (process == null)
                    continue;
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)process.Id);
                KernelConsole.Write(process.State == ProcessState.Running ? "    running   " : "    exited    ");
                KernelConsole.WriteDecimal(process.AddressSpace.MappedPages);
                KernelConsole.Write("     ");
                KernelConsole.Write(process.Name, process.NameLength);
                KernelConsole.WriteLine();
            }
            s_lock.Exit();
        }
    }
}
