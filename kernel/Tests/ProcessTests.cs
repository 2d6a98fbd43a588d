using Exo.Kernel.Processes;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>Native programs (static ELF64 from the initial RAM disk) run as isolated processes.</summary>
    public static unsafe class ProcessTests
    {
        public static void Run()
        {
            Test("initial_ram_disk_present", &RamDiskPresent);
            Test("hello_runs_and_exits_zero", &Hello);
            Test("reading_kernel_memory_ends_the_process", &ReadKernel);
            Test("null_pointer_write_ends_the_process", &WriteNull);
            Test("bad_pointers_in_system_calls_are_refused", &BadPointers);
            Test("missing_program_is_a_clear_error", &MissingProgram);
            Test("linux_program_gets_the_linux_system_call_table", &LinuxPersonality);
            Test("kill_ends_running_and_blocked_processes", &Kill);
            Test("threads_share_a_process_and_exit_ends_them_all", &Threads);
            Test("the_console_is_a_capability", &ConsoleCapability);
            Test("a_fault_in_any_thread_ends_the_process", &ThreadFault);
            Test("demand_paging_maps_on_first_touch", &DemandPaging);
            Test("demand_paging_write_to_read_only_ends_the_process", &DemandWriteReadOnly);
            Test("demand_paging_touch_outside_ends_the_process", &DemandOutside);
            Test("demand_paging_touch_after_unmap_ends_the_process", &DemandAfterUnmap);
            Test("demand_paging_execute_ends_the_process", &DemandExecute);
            Test("fuzzer_thirty_thousand_random_calls", &Fuzzer);
            Test("processes_free_their_memory", &NoLeak);
        }

        internal static ulong RunByName(string name, out bool faulted, out Error error, bool rootResource = false)
        {
            faulted = false;
            Process process = ProgramLauncher.Spawn(name, out error, rootResource);
            if (process == null)
                return ulong.MaxValue;
            return ProcessWaiting.Wait(process, out faulted);
        }

        // linux_hello: an unbranded ELF with Linux system call numbers (write, getpid, exit_group); it checks the
        // answers itself, including -ENOSYS for a native Exo-OS number, and exits with the first failed check.
        private static void LinuxPersonality()
        {
            ulong unimplementedBefore = PosixX.KernelInterface.LinuxSystemCalls.Unimplemented;
            ulong status = RunByName("linux_hello", out bool faulted, out Error error);
            Check(error == Error.None, "linux_hello is in the boot image and loads");
            Check(!faulted && status == 0, "write, getpid and exit_group worked and the rest said ENOSYS (else: the failed check)", status);
            Check(PosixX.KernelInterface.LinuxSystemCalls.Unimplemented - unimplementedBefore == 2, "its two unimplemented calls went to the Linux table",
                PosixX.KernelInterface.LinuxSystemCalls.Unimplemented - unimplementedBefore);
            ulong native = RunByName("hello", out faulted, out _);
            Check(!faulted && native == 0, "a native program after it still gets the native table", native);
        }

        /// <summary>How many processes there are once the reaper has freed those earlier tests ended (test mode runs no others).</summary>
        internal static int SettledProcessCount()
        {
            WaitForReaper(int.MaxValue);
            return ProcessRegistry.Count;
        }

        /// <summary>
        /// Waits until at most 'processes' processes exist and the reaper has freed all it was given: a process's
        /// threads, stacks and tables go back after its exit status is known, on the reaper's thread (perhaps on
        /// another processor), so a leak check waits for that. It blocks until the reaper says so, not for a
        /// time; the minute is only a guard against a process never freed (the caller's check then fails).
        /// </summary>
        internal static void WaitForReaper(int processes)
            => ProcessReaper.WaitUntilFreed(processes, Arch.X64.Cpu.ReadTimeStampCounter() + 60 * Time.SystemClock.TscFrequency);

        /// <summary>
        /// Empties every processor's allocation cache and gives the empty slabs back, so that the heap holds only
        /// what is in use: a cache keeps freed objects (and their slabs' pages) according to which processor freed
        /// what last. Each processor's cache is drained on it (only code running there touches it).
        /// </summary>
        internal static void EmptyAllocatorCaches()
        {
            int home = Scheduler.Scheduler.Current.Affinity;
            for (int cpu = 0; cpu < Arch.X64.DescriptorTables.MaximumProcessors; cpu++)
                if (Smp.Processors.IsOnline(cpu) && Scheduler.Scheduler.PinCurrent(cpu))
                    Memory.Heap.KernelHeap.Drain();
            Scheduler.Scheduler.PinCurrent(home);
            Memory.Heap.KernelHeap.ReleaseEmptySlabs();
        }

        /// <summary>
        /// Free memory as a leak check compares it (call after <see cref="WaitForReaper"/>): the allocation caches
        /// emptied (<see cref="EmptyAllocatorCaches"/>), and the kernel stacks kept mapped for reuse counted as
        /// free, as how many are kept depends on the most threads ever alive at once. What is left is in use.
        /// </summary>
        internal static ulong SettledFreeBytes()
        {
            EmptyAllocatorCaches();
            return Memory.PhysicalMemory.FreeBytes + Scheduler.KernelStacks.SpareBytes;
        }

        // kill_test kills a program spinning in ring 3, a server blocked in receive, a waiter blocked on a
        // notification and a caller queued on an endpoint, and checks each wait's "killed" result.
        private static void Kill() => RunCheckingReaped("kill_test", "every kill took effect (else: the failed check)");

        // threads_test: four threads add to one counter and report their own exit status; the limits and bad
        // addresses are refused; a child's exit ends its spinning second thread.
        private static void Threads() => RunCheckingReaped("threads_test", "every thread check held (else: the failed check)");

        // Runs a test program that exits 0 when its own checks hold, then checks that it and every process it
        // started (killed, or ended with their threads) were reaped.
        private static void RunCheckingReaped(string program, string what)
        {
            int processesBefore = SettledProcessCount();
            ulong status = RunByName(program, out bool faulted, out _);
            Check(!faulted && status == 0, what, status);
            WaitForReaper(processesBefore);
            // At most as many as before: a process an earlier test ended may still have been on its way to the
            // reaper when they were counted (it is gone now), never one more.
            Check(ProcessRegistry.Count <= processesBefore, "it and the processes it started were reaped", (ulong)ProcessRegistry.Count);
        }

        // console_test: a child without the console capability cannot print, one granted a copy can.
        private static void ConsoleCapability()
        {
            ulong status = RunByName("console_test", out bool faulted, out _);
            Check(!faulted && status == 0, "console output needs the console capability (else: the failed check)", status);
        }

        private static void ThreadFault()
        {
            ulong status = RunByName("thread_fault", out bool faulted, out _);
            Check(faulted && status == UserMode.UserMode.FaultResultBase + 14, "the second thread's page fault ended the process", status);
        }

        private static void RamDiskPresent() => Check(Boot.InitialRamDisk.IsPresent, "the boot image carries an initial RAM disk");

        private static void Hello()
        {
            ulong status = RunByName("hello", out bool faulted, out Error error);
            Check(error == Error.None, "hello was loaded");
            Check(!faulted && status == 0, "hello wrote its message and exited with 0", status);
        }

        private static void ReadKernel() => ExpectPageFault("read_kernel");

        private static void WriteNull() => ExpectPageFault("write_null");

        private static void BadPointers()
        {
            ulong status = RunByName("bad_pointers", out bool faulted, out _);
            Check(!faulted && status == 0, "every bad pointer got the bad-address error (else: the failed check's number)", status);
        }

        private static void DemandPaging()
        {
            ulong before = UserMode.UserPageFaults.PagesFaultedIn;
            ulong status = RunByName("demand_paging", out bool faulted, out Error error);
            ulong faultedIn = UserMode.UserPageFaults.PagesFaultedIn - before;
            Check(error == Error.None, "demand_paging was loaded");
            Check(!faulted && status == 0, "every demand-paging check passed (else: the failed check's number)", status);
            // Ten pages are touched (one by the kernel's copy) in 56 MiB mapped: lazily, about ten faults; eagerly, none.
            Check(faultedIn >= 8 && faultedIn <= 64, "only touched pages were faulted in", faultedIn);
        }

        private static void DemandWriteReadOnly() => ExpectPageFault("demand_write_read_only");
        private static void DemandOutside() => ExpectPageFault("demand_outside");
        private static void DemandAfterUnmap() => ExpectPageFault("demand_after_unmap");
        private static void DemandExecute() => ExpectPageFault("demand_execute");

        // The program must be ended by a page fault (its own exit status names a check that went wrong instead).
        private static void ExpectPageFault(string program)
        {
            ulong status = RunByName(program, out bool faulted, out Error error);
            Check(error == Error.None, "the program was loaded");
            Check(faulted && status == UserMode.UserMode.FaultResultBase + 14, "a page fault ended it", status);
        }

        private static void MissingProgram()
        {
            ulong status = RunByName("no_such_program", out _, out Error error);
            Check(status == ulong.MaxValue && error != Error.None, "spawning a missing program fails with a message");
        }

        private static void Fuzzer()
        {
            ulong callsBefore = Syscalls.SystemCalls.Calls;
            ulong status = RunByName("fuzz", out bool faulted, out _);
            ulong calls = Syscalls.SystemCalls.Calls - callsBefore;
            Check(!faulted && status == 0, "the fuzzer survived its own calls and exited with 0", status);
            Check(calls >= 30000, "the kernel served at least 30000 random calls", calls);
            Console.KernelConsole.Write("fuzzer: ");
            Console.KernelConsole.WriteDecimal(calls);
            Console.KernelConsole.WriteLine(" system calls with random arguments, kernel alive");
        }

        // Ten processes (five that exit, five ended by a fault) must give back what they took. Every spawn is
        // checked: a spawn that failed takes nothing, so the memory check alone would pass without a process.
        private static void NoLeak()
        {
            ulong warm = RunByName("hello", out bool faulted, out Error error);   // the warm-up: what the kernel makes once
            if (!Check(error == Error.None && !faulted && warm == 0, "hello runs (the warm-up)", warm))
                return;
            int processesBefore = SettledProcessCount();
            ulong before = SettledFreeBytes();
            for (int i = 0; i < 5; i++)
            {
                ulong status = RunByName("hello", out faulted, out error);
                if (!Check(error == Error.None && !faulted && status == 0, "hello was spawned and exited with 0", status))
                    return;
                status = RunByName("read_kernel", out faulted, out error);
                if (!Check(error == Error.None && faulted && status == UserMode.UserMode.FaultResultBase + 14, "read_kernel was spawned and ended by a page fault", status))
                    return;
            }
            WaitForReaper(processesBefore);
            Check(ProcessRegistry.Count <= processesBefore, "the ten processes were reaped", (ulong)ProcessRegistry.Count);
            ulong after = SettledFreeBytes();
            Check(after + 64 * 1024 >= before, "ten processes later, free memory is back (within 64 KiB)", before - after);
        }
    }
}
