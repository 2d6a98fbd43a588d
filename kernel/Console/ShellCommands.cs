using Exo.Kernel.Acpi;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Boot;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Power;
using Exo.Kernel.Time;

namespace Exo.Kernel.Console
{
    /// <summary>The shell's commands. Each checks its arguments and reports misuse instead of guessing.</summary>
    public static unsafe class ShellCommands
    {
        public static void Execute(CommandLine* line)
        {
            if (line->WordCount == 0)
                return;
            if (line->TooManyWords)
            {
                KernelConsole.WriteLine("error: too many words on the line (at most 16)");
                return;
            }
            if (line->WordIs(0, "help")) { if (NoArguments(line)) Help(); }
            else if (line->WordIs(0, "mem")) { if (NoArguments(line)) Memory(); }
            else if (line->WordIs(0, "uptime")) { if (NoArguments(line)) Uptime(); }
            else if (line->WordIs(0, "cpu")) { if (NoArguments(line)) Processor(); }
            else if (line->WordIs(0, "modules")) { if (NoArguments(line)) Modules(); }
            else if (line->WordIs(0, "ps")) { if (NoArguments(line)) ProcessStatus(); }
            else if (line->WordIs(0, "bench")) Bench(line);
            else if (line->WordIs(0, "run")) RunProgram(line, rootResource: false);
            else if (line->WordIs(0, "run-driver")) RunProgram(line, rootResource: true);
            else if (line->WordIs(0, "caps")) ListCapabilities(line);
            else if (line->WordIs(0, "kill")) KillProcess(line);
            else if (line->WordIs(0, "programs")) { if (NoArguments(line)) ListPrograms(); }
            else if (line->WordIs(0, "panic")) { if (NoArguments(line)) Panic.Fail("panic requested from the shell"); }
            else if (line->WordIs(0, "reboot")) { if (NoArguments(line)) Reboot(); }
            else if (line->WordIs(0, "shutdown")) { if (NoArguments(line)) Shutdown(); }
            else
            {
                KernelConsole.Write("unknown command: ");
                line->WriteWord(0);
                KernelConsole.WriteLine(" (type 'help' for the list)");
            }
        }

        private static bool NoArguments(CommandLine* line)
        {
            if (line->WordCount == 1)
                return true;
            KernelConsole.Write("error: ");
            line->WriteWord(0);
            KernelConsole.Write(" takes no arguments (got '");
            line->WriteWord(1);
            KernelConsole.WriteLine("')");
            return false;
        }

        private static void Help()
        {
            KernelConsole.WriteLine("Commands:");
            KernelConsole.WriteLine("  help      this list");
            KernelConsole.WriteLine("  mem       physical memory and kernel heap use");
            KernelConsole.WriteLine("  uptime    time since boot");
            KernelConsole.WriteLine("  cpu       processor, features, TSC and timer frequencies");
            KernelConsole.WriteLine("  modules   boot modules");
            KernelConsole.WriteLine("  ps        processes, then threads: CPU, state, priority, predicted burst, CPU time");
            KernelConsole.WriteLine("  programs  the programs in the boot image");
            KernelConsole.WriteLine("  run NAME  start a program from the boot image, show its output and exit status");
            KernelConsole.WriteLine("  run-driver NAME  the same, with the root resource as its first handle (device ports, IRQs, memory)");
            KernelConsole.WriteLine("  caps PID  the capabilities of process PID: handle, object type, rights");
            KernelConsole.WriteLine("  kill PID  ends process PID (init restarts it if it is a service)");
            KernelConsole.WriteLine("  bench sched  scheduler benchmarks (ctx.switch, sched.pick, thread.create_join)");
            KernelConsole.WriteLine("  panic     stop the kernel with a panic report (for tests)");
            KernelConsole.WriteLine("  reboot    restart the machine");
            KernelConsole.WriteLine("  shutdown  power off (ACPI S5)");
        }

        private static void Memory()
        {
            ulong total = PhysicalMemory.TotalUsableBytes;
            ulong free = PhysicalMemory.FreeBytes;
            KernelConsole.Write("physical: ");
            KernelConsole.WriteSize(total);
            KernelConsole.Write(" usable, ");
            KernelConsole.WriteSize(total - free);
            KernelConsole.Write(" used, ");
            KernelConsole.WriteSize(free);
            KernelConsole.Write(" free (");
            KernelConsole.WriteDecimal(free / PhysicalMemory.FrameSize);
            KernelConsole.WriteLine(" frames)");
            KernelConsole.Write("heap: ");
            KernelConsole.WriteSize(KernelHeap.BytesInUse);
            KernelConsole.Write(" in use, ");
            KernelConsole.WriteDecimal(KernelHeap.LargeBlocks);
            KernelConsole.Write(" large blocks (");
            KernelConsole.WriteDecimal(KernelHeap.LargePages);
            KernelConsole.Write(" pages), ");
            KernelConsole.WriteDecimal(KernelHeap.FailedAllocations);
            KernelConsole.Write(" failed allocations, level-1 refills ");
            KernelConsole.WriteDecimal(KernelHeap.Refills);
            KernelConsole.Write(" flushes ");
            KernelConsole.WriteDecimal(KernelHeap.Flushes);
            KernelConsole.WriteLine();
            KernelConsole.WriteLine("  class  size  in-use  cached(L1)  slabs(L2) partial/full/empty  pages");
            ulong slabBytes = 0, objectBytes = 0;
            for (int i = 0; i < SizeClasses.Count; i++)
            {
                HeapAllocator.ClassStatistics statistics = KernelHeap.ClassStatistics(i);
                slabBytes += statistics.Pages * 4096;
                objectBytes += (statistics.InUse + statistics.Cached) * (ulong)statistics.ObjectSize;
                if (statistics.Slabs == 0)
                    continue;
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)i);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)statistics.ObjectSize);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.InUse);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.Cached);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.Slabs);
                KernelConsole.Write(" ");
                KernelConsole.WriteDecimal(statistics.PartialSlabs);
                KernelConsole.Write("/");
                KernelConsole.WriteDecimal(statistics.FullSlabs);
                KernelConsole.Write("/");
                KernelConsole.WriteDecimal(statistics.EmptySlabs);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.Pages);
                KernelConsole.WriteLine();
            }
            KernelConsole.Write("  slab waste (headers, tails, free objects): ");
            KernelConsole.WriteSize(slabBytes - objectBytes);
            KernelConsole.Write(" of ");
            KernelConsole.WriteSize(slabBytes);
            KernelConsole.WriteLine();
            KernelConsole.Write("pages (L3): ");
            KernelConsole.WriteDecimal(KernelHeap.FreePageCount);
            KernelConsole.Write(" free of ");
            KernelConsole.WriteDecimal(KernelHeap.ManagedPageCount);
            KernelConsole.Write("; free blocks by order:");
            for (int order = 0; order <= PageAllocator.MaximumOrder; order++)
            {
                KernelConsole.Write(" ");
                KernelConsole.WriteDecimal(KernelHeap.FreeBlocks(order));
            }
            KernelConsole.WriteLine();
        }

        private static void Uptime()
        {
            ulong microseconds = SystemClock.UptimeMicroseconds;
            KernelConsole.Write("up ");
            WriteFixed3(microseconds / 1000);
            KernelConsole.Write(" s, ");
            KernelConsole.WriteDecimal(SystemClock.Ticks);
            KernelConsole.Write(" timer ticks at ");
            KernelConsole.WriteDecimal(SystemClock.TickHertz);
            KernelConsole.WriteLine(" Hz");
        }

        private static void WriteFixed3(ulong thousandths)
        {
            KernelConsole.WriteDecimal(thousandths / 1000);
            KernelConsole.Write('.');
            ulong fraction = thousandths % 1000;
            if (fraction < 100) KernelConsole.Write('0');
            if (fraction < 10) KernelConsole.Write('0');
            KernelConsole.WriteDecimal(fraction);
        }

        private static void Processor()
        {
            KernelConsole.Write("vendor: ");
            WriteCString(CpuFeatures.Vendor);
            KernelConsole.Write("  family ");
            KernelConsole.WriteDecimal(CpuFeatures.Family);
            KernelConsole.Write(" model ");
            KernelConsole.WriteDecimal(CpuFeatures.Model);
            KernelConsole.Write(" stepping ");
            KernelConsole.WriteDecimal(CpuFeatures.Stepping);
            KernelConsole.WriteLine();
            KernelConsole.Write("brand: ");
            WriteCString(CpuFeatures.Brand);
            KernelConsole.WriteLine();
            KernelConsole.Write("features:");
            Feature("sse2", CpuFeatures.Sse2); Feature("sse3", CpuFeatures.Sse3); Feature("ssse3", CpuFeatures.Ssse3);
            Feature("sse4.1", CpuFeatures.Sse41); Feature("sse4.2", CpuFeatures.Sse42); Feature("popcnt", CpuFeatures.Popcnt);
            Feature("avx", CpuFeatures.Avx); Feature("avx2", CpuFeatures.Avx2); Feature("xsave", CpuFeatures.Xsave);
            Feature("nx", CpuFeatures.NoExecute); Feature("pcid", CpuFeatures.Pcid); Feature("smep", CpuFeatures.Smep);
            Feature("smap", CpuFeatures.Smap); Feature("fsgsbase", CpuFeatures.FsGsBase); Feature("1g-pages", CpuFeatures.GigabytePages);
            Feature("apic", CpuFeatures.Apic); Feature("x2apic", CpuFeatures.X2Apic); Feature("tsc-deadline", CpuFeatures.TscDeadline);
            Feature("rdtscp", CpuFeatures.Rdtscp); Feature("invariant-tsc", CpuFeatures.InvariantTsc); Feature("hypervisor", CpuFeatures.Hypervisor);
            KernelConsole.WriteLine();
            KernelConsole.Write("TSC: ");
            WriteFixed3(SystemClock.TscFrequency / 1000);
            KernelConsole.WriteLine(" MHz (calibrated against the PIT)");
            KernelConsole.Write("APIC timer: ");
            WriteFixed3(LocalApic.TimerFrequency / 1000);
            KernelConsole.Write(" MHz after divide-by-16, tick ");
            KernelConsole.WriteDecimal(SystemClock.TickHertz);
            KernelConsole.WriteLine(" Hz");
            KernelConsole.Write("processors (ACPI MADT): ");
            KernelConsole.WriteDecimal((ulong)Madt.ProcessorCount);
            KernelConsole.Write(", online ");
            KernelConsole.WriteDecimal((ulong)Smp.Processors.Online);
            KernelConsole.Write(" (all schedule threads), boot CPU APIC id ");
            KernelConsole.WriteDecimal(LocalApic.Id);
            KernelConsole.WriteLine();
        }

        private static void Feature(string name, bool present)
        {
            if (!present)
                return;
            KernelConsole.Write(' ');
            KernelConsole.Write(name);
        }

        private static void Modules()
        {
            BootInformation* boot = KernelMain.Boot;
            if (boot->ModuleCount == 0)
            {
                KernelConsole.WriteLine("no boot modules");
                return;
            }
            for (int i = 0; i < boot->ModuleCount; i++)
            {
                BootModule* module = boot->Modules + i;
                KernelConsole.Write("  ");
                KernelConsole.WriteHex(module->Start, 8);
                KernelConsole.Write("-");
                KernelConsole.WriteHex(module->End, 8);
                KernelConsole.Write("  ");
                KernelConsole.WriteSize(module->End - module->Start);
                KernelConsole.Write("  ");
                KernelConsole.Write(module->Name, module->NameLength);
                KernelConsole.WriteLine();
            }
        }

        private static void Bench(CommandLine* line)
        {
            if (line->WordCount != 2 || !line->WordIs(1, "sched"))
            {
                KernelConsole.WriteLine("usage: bench sched");
                return;
            }
            Benchmarks.SchedulerBenchmarks.Run(quick: true);
        }

        private static void RunProgram(CommandLine* line, bool rootResource)
        {
            if (line->WordCount < 2)
            {
                KernelConsole.WriteLine(rootResource ? "usage: run-driver PROGRAM [ARGUMENTS...] (see 'programs')" : "usage: run PROGRAM [ARGUMENTS...] (see 'programs')");
                return;
            }
            byte* command = stackalloc byte[Processes.ProcessTable.CommandLineCapacity];
            int length = line->CopyWordsFrom(1, command, Processes.ProcessTable.CommandLineCapacity);
            if (length < 0)
            {
                KernelConsole.WriteLine("error: command line too long");
                return;
            }
            Processes.Process process = Processes.ProcessTable.Spawn(command, length, null, null, 0, out string error, rootResource);
            if (process == null)
            {
                KernelConsole.Write("error: cannot run ");
                line->WriteWord(1);
                KernelConsole.Write(": ");
                KernelConsole.WriteLine(error);
                return;
            }
            int id = process.Id;
            ulong status = Processes.ProcessTable.Wait(process, out bool faulted);
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

        // The process a "COMMAND PID" line names, with a reference the caller releases; null (reported) if none.
        private static Processes.Process FindProcessArgument(CommandLine* line, string usage, out ulong id)
        {
            if (line->WordCount != 2 || !line->TryParseNumber(1, out id) || id > int.MaxValue)
            {
                id = 0;
                KernelConsole.WriteLine(usage);
                return null;
            }
            Processes.Process process = Processes.ProcessTable.Find((int)id);
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
            Processes.Process process = FindProcessArgument(line, "usage: kill PID (a process id, see 'ps')", out ulong id);
            if (process == null)
                return;
            Processes.ProcessTable.Kill(process);
            process.Release();
            KernelConsole.Write("killed process ");
            KernelConsole.WriteDecimal(id);
            KernelConsole.WriteLine();
        }

        private static void ListCapabilities(CommandLine* line)
        {
            Processes.Process process = FindProcessArgument(line, "usage: caps PID (a process id, see 'ps')", out ulong id);
            if (process == null)
                return;
            KernelConsole.Write("process ");
            KernelConsole.WriteDecimal(id);
            KernelConsole.Write(" (");
            KernelConsole.Write(process.Name, process.NameLength);
            KernelConsole.Write("): ");
            Capabilities.CapabilitySpace.Enter();
            int count = process.Handles.Count;
            KernelConsole.WriteDecimal((ulong)count);
            KernelConsole.WriteLine(count == 1 ? " capability" : " capabilities");
            for (int index = 0; index < process.Handles.Capacity; index++)
            {
                if (!process.Handles.TryGetAt(index, out Capabilities.Handle handle, out Capabilities.Capability capability))
                    continue;
                KernelConsole.Write("  ");
                KernelConsole.WriteHex(handle.Value);
                KernelConsole.Write("  ");
                KernelConsole.Write(TypeName(capability.Type));
                KernelConsole.Write("  ");
                WriteRights(capability.Rights);
                WriteDeviceRange(capability.Object);
                KernelConsole.WriteLine(capability.Parent != null ? "  (derived)" : "");
            }
            Capabilities.CapabilitySpace.Exit();
            process.Release();
        }

        // What a device capability covers: its ports, its line, or its physical range.
        private static void WriteDeviceRange(object value)
        {
            if (value is Drivers.IoPortRange ports)
            {
                KernelConsole.Write("  ports ");
                KernelConsole.WriteHex((ulong)ports.First);
                KernelConsole.Write(" count ");
                KernelConsole.WriteDecimal((ulong)ports.Count);
            }
            else if (value is Drivers.InterruptLine line)
            {
                KernelConsole.Write("  irq ");
                KernelConsole.WriteDecimal((ulong)line.Irq);
            }
            else if (value is Drivers.PhysicalRange range)
            {
                KernelConsole.Write("  at ");
                KernelConsole.WriteHex(range.Base);
                KernelConsole.Write(" length ");
                KernelConsole.WriteHex(range.Length);
            }
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
                case ObjectType.Resource: return "resource    ";
                default: return "?           ";
            }
        }

        private static void WriteRights(Rights rights)
        {
            const string letters = "rwxmgdvswM";   // read write execute map grant duplicate reVoke signal wait Manage
            for (int bit = 0; bit < letters.Length; bit++)
                KernelConsole.Write(((uint)rights & (1u << bit)) != 0 ? letters[bit] : '-');
        }

        private static void ListPrograms()
        {
            ulong offset = 0;
            int count = 0;
            while (Boot.InitialRamDisk.Next(ref offset, out Boot.CpioEntry entry) == Boot.CpioError.None)
            {
                KernelConsole.Write("  ");
                KernelConsole.Write(entry.Name, entry.NameLength);
                KernelConsole.Write("  ");
                KernelConsole.WriteSize(entry.Size);
                KernelConsole.WriteLine();
                count++;
            }
            if (count == 0)
                KernelConsole.WriteLine("no programs (the boot image has no initial RAM disk)");
        }

        private static void ProcessStatus()
        {
            Processes.ProcessTable.PrintAll();
            KernelConsole.WriteLine("  id  cpu  state     prio  burst(us)  cpu(us)  name");
            Scheduler.Scheduler.VisitThreads(&PrintThread);
            KernelConsole.Write("switches ");
            KernelConsole.WriteDecimal(Scheduler.Scheduler.Switches);
            KernelConsole.Write(", preemptions ");
            KernelConsole.WriteDecimal(Scheduler.Scheduler.Preemptions);
            KernelConsole.WriteLine();
        }

        private static void PrintThread(Scheduler.Thread thread)
        {
            ulong perMicrosecond = SystemClock.TscFrequency / 1_000_000;
            if (perMicrosecond == 0) perMicrosecond = 1;
            KernelConsole.Write("  ");
            KernelConsole.WriteDecimal((ulong)thread.Id);
            KernelConsole.Write("   ");
            KernelConsole.WriteDecimal((ulong)thread.Cpu);
            KernelConsole.Write("   ");
            KernelConsole.Write(thread.State switch
            {
                Scheduler.ThreadState.Running => "running ",
                Scheduler.ThreadState.Ready => "ready   ",
                Scheduler.ThreadState.Blocked => "blocked ",
                Scheduler.ThreadState.Sleeping => "sleeping",
                _ => "exited  ",
            });
            KernelConsole.Write("  ");
            KernelConsole.WriteDecimal((ulong)thread.Priority);
            KernelConsole.Write("    ");
            KernelConsole.WriteDecimal(thread.PredictedBurst / perMicrosecond);
            KernelConsole.Write("    ");
            KernelConsole.WriteDecimal(thread.CpuTime / perMicrosecond);
            KernelConsole.Write("  ");
            KernelConsole.Write(thread.Name);
            if (thread.Process is Processes.Process process)
            {
                // A process's thread: which process it runs (ps lists each process, then every thread).
                KernelConsole.Write(" of pid ");
                KernelConsole.WriteDecimal((ulong)process.Id);
                KernelConsole.Write(" ");
                KernelConsole.Write(process.Name, process.NameLength);
            }
            KernelConsole.WriteLine(thread.IsIdle ? " (idle)" : "");
        }

        private static void Reboot()
        {
            KernelConsole.WriteLine("rebooting");
            AcpiPower.Reboot();
            KernelConsole.WriteLine("error: reboot failed");
        }

        private static void Shutdown()
        {
            KernelConsole.WriteLine("shutting down");
            AcpiPower.Shutdown();
            // No ACPI S5 (or it did not take): QEMU's exit device, then halt.
            QemuDebugExit.Exit(QemuDebugExit.Success);
            KernelConsole.WriteLine("It is now safe to turn off the machine.");
            Cpu.DisableInterrupts();
            while (true)
                Cpu.Halt();
        }

        private static void WriteCString(byte* text)
        {
            for (int i = 0; text[i] != 0 && i < 64; i++)
                KernelConsole.Write((char)text[i]);
        }
    }
}
