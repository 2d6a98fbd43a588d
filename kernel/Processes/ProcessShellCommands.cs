using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Console;
using Exo.Kernel.Time;

namespace Exo.Kernel.Processes
{
    /// <summary>The shell's process commands: ps, run, run-driver, caps and kill.</summary>
    public static unsafe class ProcessShellCommands
    {
        public static void RegisterStatus()
            => ShellCommands.Register("ps", "ps        processes, then threads: CPU, state, priority, predicted burst, CPU time", &ProcessStatus);

        public static void Register()
        {
            ShellCommands.Register("run", "run NAME  start a program from the boot image, show its output and exit status", &Run, takesArguments: true);
            ShellCommands.Register("run-driver", "run-driver NAME  the same, with the root resource as its first handle (device ports, IRQs, memory)",
                &RunDriver, takesArguments: true);
            ShellCommands.Register("caps", "caps PID  the capabilities of process PID: handle, object type, rights", &ListCapabilities, takesArguments: true);
            ShellCommands.Register("kill", "kill PID  ends process PID (init restarts it if it is a service)", &KillProcess, takesArguments: true);
        }

        private static void Run(CommandLine* line) => RunProgram(line, rootResource: false);

        private static void RunDriver(CommandLine* line) => RunProgram(line, rootResource: true);

        private static void RunProgram(CommandLine* line, bool rootResource)
        {
            if (line->WordCount < 2)
            {
                KernelConsole.WriteLine(rootResource ? "usage: run-driver PROGRAM [ARGUMENTS...] (see 'programs')" : "usage: run PROGRAM [ARGUMENTS...] (see 'programs')");
                return;
            }
            byte* command = stackalloc byte[Process.CommandLineCapacity];
            int length = line->CopyWordsFrom(1, command, Process.CommandLineCapacity);
            if (length < 0)
            {
                KernelConsole.WriteLine("error: command line too long");
                return;
            }
            Process process = ProgramLauncher.Spawn(command, length, null, null, 0, out Error error, rootResource);
            if (process == null)
            {
                KernelConsole.Write("error: cannot run ");
                line->WriteWord(1);
                KernelConsole.Write(": ");
                KernelConsole.Write(Errors.Describe(error));
                string reason = error == Error.NotExecutable ? ProgramLauncher.ExplainRejection(command, length) : null;
                if (reason != null)
                {
                    KernelConsole.Write(" (");
                    KernelConsole.Write(reason);
                    KernelConsole.Write(")");
                }
                KernelConsole.WriteLine();
                return;
            }
            int id = process.Id;
            ulong status = ProcessWaiting.Wait(process, out bool faulted);
            KernelConsole.Write("process ");
            KernelConsole.WriteDecimal((ulong)id);
            if (faulted)
            {
                KernelConsole.Write(" ended by ");
                KernelConsole.WriteLine(InterruptDispatcher.ExceptionName(status - UserMode.UserMode.FaultResultBase));
            }
            else if (status == UserMode.UserMode.KilledResult)
            {
                KernelConsole.WriteLine(" was killed");
            }
            else
            {
                KernelConsole.Write(" exited with status ");
                KernelConsole.WriteDecimal(status);
                KernelConsole.WriteLine();
            }
        }

        private static Process FindProcessArgument(CommandLine* line, string usage, out ulong id)
        {
            if (line->WordCount != 2 || !line->TryParseNumber(1, out id) || id > int.MaxValue)
            {
                id = 0;
                KernelConsole.WriteLine(usage);
                return null;
            }
            Process process = ProcessRegistry.Find((int)id);
            if (process == null)
            {
                KernelConsole.Write("error: no process ");
                KernelConsole.WriteDecimal(id);
                KernelConsole.WriteLine();
            }
            return process;
        }

        private static void KillProcess(CommandLine* line)
        {
            Process process = FindProcessArgument(line, "usage: kill PID (a process id, see 'ps')", out ulong id);
            if (process == null)
                return;
            ProcessLifecycle.Kill(process);
            process.Release();
            KernelConsole.Write("killed process ");
            KernelConsole.WriteDecimal(id);
            KernelConsole.WriteLine();
        }

        private struct CapabilityRow
        {
            public uint Handle;
            public ObjectType Type;
            public Rights Rights;
            public bool Derived;
            public KernelObject Object;   // with a reference, released once printed
        }

        private static void ListCapabilities(CommandLine* line)
        {
            Process process = FindProcessArgument(line, "usage: caps PID (a process id, see 'ps')", out ulong id);
            if (process == null)
                return;
            // Copied under the capability lock, printed after it (the console is never written under a lock).
            CapabilityRow* rows = (CapabilityRow*)Memory.Heap.KernelHeap.Allocate((ulong)(Process.HandleCapacity * sizeof(CapabilityRow)));
            if (rows == null)
            {
                process.Release();
                KernelConsole.WriteLine("error: no memory for the listing");
                return;
            }
            int count = 0;
            CapabilitySpace.Enter();
            for (int index = 0; index < process.Handles.Capacity && count < Process.HandleCapacity; index++)
            {
                if (!process.Handles.TryGetAt(index, out Handle handle, out Capability capability))
                    continue;
                CapabilityRow* row = rows + count++;
                row->Handle = handle.Value;
                row->Type = capability.Type;
                row->Rights = capability.Rights;
                row->Derived = capability.Parent != null;
                row->Object = (KernelObject)capability.Object;
                row->Object.AddReference();
            }
            CapabilitySpace.Exit();
            KernelConsole.Write("process ");
            KernelConsole.WriteDecimal(id);
            KernelConsole.Write(" (");
            KernelConsole.Write(process.Name, process.NameLength);
            KernelConsole.Write("): ");
            KernelConsole.WriteDecimal((ulong)count);
            KernelConsole.WriteLine(count == 1 ? " capability" : " capabilities");
            for (int i = 0; i < count; i++)
            {
                KernelConsole.Write("  ");
                KernelConsole.WriteHex(rows[i].Handle);
                KernelConsole.Write("  ");
                KernelConsole.Write(TypeName(rows[i].Type));
                KernelConsole.Write("  ");
                WriteRights(rows[i].Rights);
                rows[i].Object.WriteDetails();
                KernelConsole.WriteLine(rows[i].Derived ? "  (derived)" : "");
                rows[i].Object.Release();
            }
            Memory.Heap.KernelHeap.Free(rows);
            process.Release();
        }

        private static string TypeName(ObjectType type)
        {
            switch (type)
            {
                case ObjectType.Process: return "process     ";
                case ObjectType.Thread: return "thread      ";
                case ObjectType.MemoryObject: return "memory      ";
                case ObjectType.Endpoint: return "endpoint    ";
                case ObjectType.Notification: return "notification";
                case ObjectType.Interrupt: return "interrupt   ";
                case ObjectType.IoPortRange: return "io-ports    ";
                case ObjectType.PhysicalRange: return "physical    ";
                case ObjectType.Console: return "console     ";
                case ObjectType.Diagnostics: return "diagnostics ";
                case ObjectType.Resource: return "resource    ";
                case ObjectType.PciDevice: return "pci-device  ";
                default: return "?           ";
            }
        }

        private static void WriteRights(Rights rights)
        {
            const string letters = "rwxmgdvswM";   // read write execute map grant duplicate reVoke signal wait Manage
            for (int bit = 0; bit < letters.Length; bit++)
                KernelConsole.Write(((uint)rights & (1u << bit)) != 0 ? letters[bit] : '-');
        }

        private static void ProcessStatus(CommandLine* line)
        {
            // Copied under the registries' locks, printed after them.
            ProcessRegistry.Summary* processes = stackalloc ProcessRegistry.Summary[ProcessRegistry.Capacity];
            int processCount = ProcessRegistry.Snapshot(processes, ProcessRegistry.Capacity);
            KernelConsole.WriteLine("  pid  state     pages  handles  name");
            for (int i = 0; i < processCount; i++)
            {
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)processes[i].Id);
                KernelConsole.Write(processes[i].State == ProcessState.Running ? "    running   " : "    exited    ");
                KernelConsole.WriteDecimal(processes[i].MappedPages);
                KernelConsole.Write("     ");
                KernelConsole.WriteDecimal((ulong)processes[i].Handles);
                KernelConsole.Write("        ");
                KernelConsole.Write(processes[i].Name, processes[i].NameLength);
                KernelConsole.WriteLine();
            }
            const int maximumThreads = 512;
            Scheduler.Scheduler.ThreadSummary* threads = (Scheduler.Scheduler.ThreadSummary*)Memory.Heap.KernelHeap.Allocate(
                (ulong)(maximumThreads * sizeof(Scheduler.Scheduler.ThreadSummary)));
            if (threads == null)
            {
                KernelConsole.WriteLine("error: no memory for the thread listing");
                return;
            }
            int threadCount = Scheduler.Scheduler.SnapshotThreads(threads, maximumThreads);
            KernelConsole.WriteLine("  id  cpu  state     prio  burst(us)  cpu(us)  name");
            for (int i = 0; i < threadCount; i++)
                PrintThread(threads + i);
            Memory.Heap.KernelHeap.Free(threads);
            KernelConsole.Write("switches ");
            KernelConsole.WriteDecimal(Scheduler.Scheduler.Switches);
            KernelConsole.Write(", preemptions ");
            KernelConsole.WriteDecimal(Scheduler.Scheduler.Preemptions);
            KernelConsole.WriteLine();
        }

        private static void PrintThread(Scheduler.Scheduler.ThreadSummary* thread)
        {
            ulong perMicrosecond = SystemClock.TscFrequency / 1_000_000;
            if (perMicrosecond == 0) perMicrosecond = 1;
            KernelConsole.Write("  ");
            KernelConsole.WriteDecimal((ulong)thread->Id);
            KernelConsole.Write("   ");
            KernelConsole.WriteDecimal((ulong)thread->Cpu);
            KernelConsole.Write("   ");
            KernelConsole.Write(thread->State switch
            {
                Scheduler.ThreadState.Running => "running ",
                Scheduler.ThreadState.Ready => "ready   ",
                Scheduler.ThreadState.Blocked => "blocked ",
                Scheduler.ThreadState.Sleeping => "sleeping",
                _ => "exited  ",
            });
            KernelConsole.Write("  ");
            KernelConsole.WriteDecimal((ulong)thread->Priority);
            KernelConsole.Write("    ");
            KernelConsole.WriteDecimal(thread->PredictedBurst / perMicrosecond);
            KernelConsole.Write("    ");
            KernelConsole.WriteDecimal(thread->CpuTime / perMicrosecond);
            KernelConsole.Write("  ");
            KernelConsole.Write(thread->Name);
            if (thread->ProcessId != 0)
            {
                // A process's thread: which process it runs (ps lists each process, then every thread).
                KernelConsole.Write(" of pid ");
                KernelConsole.WriteDecimal((ulong)thread->ProcessId);
                KernelConsole.Write(" ");
                KernelConsole.Write(thread->ProcessName, thread->ProcessNameLength);
            }
            KernelConsole.WriteLine(thread->IsIdle ? " (idle)" : "");
        }
    }
}
