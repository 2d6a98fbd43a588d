using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Power;
using Exo.Kernel.Time;

namespace Exo.Kernel.Benchmarks
{
    /// <summary>
    /// The Exo-OS side of `make bench` (kernel command line "bench", "bench quick"). Rows measured in the kernel
    /// say so (note=kernel-level), rows measured by ring-3 programs say note=ring3; rows with no equivalent yet
    /// are not printed and the harness shows them as "not yet".
    /// </summary>
    public static unsafe class KernelBenchmarks
    {
        private static ulong s_sink;
        private struct BatchStorage { public fixed ulong Pointers[100]; }
        private static BatchStorage s_batch;

        public static void RunAndExit(bool quick)
        {
            Diagnostics.DiagnosticsCapability.GrantToKernelPrograms();   // ring-3 benchmarks report through BenchReport
            int samples = quick ? 31 : 201;
            KernelConsole.WriteLine();
            // Boot: TSC from reset to the kernel being ready (the shell or the first test would start here).
            BenchmarkRunner.Report("boot.to_init", KernelMain.ReadyTsc, KernelMain.ReadyTsc, 1, "kernel-ready");
            BenchmarkRunner.Measure("time.clock_gettime", &ClockRead, 100, samples, 5, "kernel-level");
            BenchmarkRunner.Measure("alloc.small_pair", &SmallPair, 100, samples, 5, "kernel-level");
            BenchmarkRunner.Measure("alloc.class_pair", &ClassPair, 100, samples, 5, "kernel-level");
            BenchmarkRunner.Measure("alloc.batch100", &Batch100, 1, 100, samples, 5, "kernel-level");
            MeasureRefill(samples);
            MeasurePages(samples);
            SchedulerBenchmarks.Run(quick);
            MeasureNullSystemCall(quick ? 5 : 21);
            RunUserBenchmarks();
            KernelConsole.WriteLine("EXO-BENCH-DONE");
            QemuDebugExit.Exit(QemuDebugExit.Success);
            while (true)
                Cpu.Halt();
        }

        /// <summary>The Linux reference VM's /init in the bench image (tools/scripts/make-bench-image.sh puts it there).</summary>
        public const string PosixScript = "/init";

        /// <summary>
        /// The POSIX-X column of `make bench` (kernel command line "bench=posix"): the Linux reference VM's own /init
        /// (tools/bench/linux-reference/init) run by Debian's busybox sh through POSIX-X with the environment Linux gives
        /// init, over the bench image, where the same static benchmark programs are in /bin: the same script and the
        /// same binaries as on Linux, printing their EXO-BENCH lines to the console themselves. Quick mode is the
        /// script's own word (exo.quick), read from /proc/cmdline as on Linux. Its closing poweroff has no POSIX-X
        /// equivalent yet, so the kernel ends the run when the script ends.
        /// </summary>
        public static void RunPosixAndExit()
        {
            KernelConsole.WriteLine();
            RunBenchmarkProgram("/bin/sh " + PosixScript, "HOME=/ TERM=linux", expectSuccess: false);   // its poweroff fails: exit 1
            QemuDebugExit.Exit(QemuDebugExit.Success);
            while (true)
                Cpu.Halt();
        }

        // The user-mode-to-user-mode rows: programs from the boot image measure them themselves and report each
        // row through a system call. ipc_bench: ipc.rtt, ipc.rtt_64, ipc.zero_copy_1M, proc.spawn; mem_bench:
        // mem.page_fault; ring_bench (C#, exo_std's rings): ipc.ring_msg.
        private static void RunUserBenchmarks()
        {
            RunBenchmarkProgram("ipc_bench");
            RunBenchmarkProgram("mem_bench");
            RunBenchmarkProgram("ring_bench");
        }

        private static void RunBenchmarkProgram(string program, string environment = null, bool expectSuccess = true)
        {
            Processes.Process process = Processes.ProgramLauncher.Spawn(program, out Error error, environment: environment);
            if (process == null)
            {
                KernelConsole.Write(program);
                KernelConsole.Write(" not run: ");
                KernelConsole.WriteLine(Errors.Describe(error));
                return;
            }
            ulong status = Processes.ProcessWaiting.Wait(process, out bool faulted);
            if (faulted || (expectSuccess && status != 0))
            {
                KernelConsole.Write(program);
                KernelConsole.Write(" failed with status ");
                KernelConsole.WriteHex(status);
                KernelConsole.WriteLine();
            }
        }

        // syscall.null: a ring-3 program (null_call_bench) times 10000 null system calls with RDTSC and exits with
        // the per-call figure: user mode to kernel and back, as Linux's getppid row. The first run warms up.
        private static void MeasureNullSystemCall(int runs)
        {
            BenchmarkRunner.BeginSeries();
            for (int run = 0; run <= runs; run++)
            {
                Processes.Process process = Processes.ProgramLauncher.Spawn("null_call_bench", out Error error);
                if (process == null)
                {
                    KernelConsole.Write("null_call_bench not run: ");
                    KernelConsole.WriteLine(Errors.Describe(error));
                    return;
                }
                ulong perCall = Processes.ProcessWaiting.Wait(process, out bool faulted);
                if (run > 0 && !faulted && perCall != 0)
                    BenchmarkRunner.AddSample(perCall);
            }
            BenchmarkRunner.ReportSeries("syscall.null", 10000, "ring3");
        }

        private static void ClockRead(int count)
        {
            for (int i = 0; i < count; i++)
                s_sink += SystemClock.UptimeNanoseconds;   // what clock_gettime reads
        }

        // Like malloc(64) + free: the size is looked up, the memory is not zeroed.
        private static void SmallPair(int count)
        {
            for (int i = 0; i < count; i++)
                KernelHeap.Free(KernelHeap.AllocateUninitialized(64));
        }

        // The typed level-1 path for a known size class (pools of hot kernel objects).
        private static void ClassPair(int count)
        {
            int sizeClass = SizeClasses.ForSize(64);
            for (int i = 0; i < count; i++)
                KernelHeap.FreeClass(KernelHeap.AllocateClass(sizeClass), sizeClass);
        }

        // A level-1 miss served from level 2: empty this CPU's magazine for the class (untimed), then time the
        // one allocation that refills it, then give everything back (untimed).
        private static void MeasureRefill(int samples)
        {
            int sizeClass = SizeClasses.ForSize(64);
            BenchmarkRunner.BeginSeries();
            fixed (ulong* held = s_batch.Pointers)
            {
                for (int sample = 0; sample < samples; sample++)
                {
                    int count = 0;
                    while (KernelHeap.CachedCount(sizeClass) > 0 && count < 99)
                        held[count++] = (ulong)KernelHeap.AllocateClass(sizeClass);
                    ulong start = Cpu.ReadTimeStampCounterOrdered();
                    held[count++] = (ulong)KernelHeap.AllocateClass(sizeClass);
                    ulong end = Cpu.ReadTimeStampCounterOrdered();
                    if (sample > 0)
                        BenchmarkRunner.AddSample(end - start);
                    for (int i = 0; i < count; i++)
                        KernelHeap.FreeClass((void*)held[i], sizeClass);
                }
            }
            BenchmarkRunner.ReportSeries("alloc.refill", 1, "kernel-level");
        }

        // Reported per allocate+free pair, like the Linux row: 100 allocations then 100 frees.
        private static void Batch100(int count)
        {
            fixed (ulong* pointers = s_batch.Pointers)
            {
                for (int i = 0; i < 100; i++)
                    pointers[i] = (ulong)KernelHeap.AllocateUninitialized(64);
                for (int i = 0; i < 100; i++)
                    KernelHeap.Free((void*)pointers[i]);
            }
        }

        // alloc.page: one 4 KiB page from level 3 and back (not zeroed, like malloc(4096) + free). Its cost
        // depends on level 3's state: a free 4 KiB block is taken as it is, but if the smallest free block has
        // order k, the allocation splits it k times and the free merges it back k times (about 80 instructions
        // a level). Left to chance, k is whatever the boot's allocations happened to leave, and it moved with
        // unrelated changes (k = 0 gave 363, k = 4 gave 683 with the same allocator), so both ends are pinned:
        //   alloc.page        a free 4 KiB block is at hand, its buddy in use (no split, no merge);
        //   alloc.page_split  the nearest free block is 4 MiB: 10 splits and 10 merges, the most level 3 does
        //                     for one page.
        private static void MeasurePages(int samples)
        {
            // Free 4 KiB blocks never have a free buddy (it would have merged); if there is none, hold one page:
            // splitting a larger block for it leaves its buddy free, and that buddy is what the pair takes.
            void* held = KernelHeap.FreeBlocks(0) == 0 ? KernelHeap.AllocatePages(0) : null;
            BenchmarkRunner.Measure("alloc.page", &PagePair, 10, samples, 3, "kernel-level");
            if (held != null)
                KernelHeap.FreePages(held, 0);

            // Hold every free block below 4 MiB, smallest order first (each is taken whole, nothing splits),
            // linked through their first words; then give them back.
            ulong* hoard = null;
            for (int order = 0; order < PageAllocator.MaximumOrder; order++)
            {
                while (KernelHeap.FreeBlocks(order) > 0)
                {
                    ulong* block = (ulong*)KernelHeap.AllocatePages(order);
                    block[0] = (ulong)hoard;
                    block[1] = (ulong)order;
                    hoard = block;
                }
            }
            if (KernelHeap.FreeBlocks(PageAllocator.MaximumOrder) > 0)
                BenchmarkRunner.Measure("alloc.page_split", &PagePair, 10, samples, 3, "kernel-level");
            while (hoard != null)
            {
                ulong* next = (ulong*)hoard[0];
                KernelHeap.FreePages(hoard, (int)hoard[1]);
                hoard = next;
            }
        }

        private static void PagePair(int count)
        {
            for (int i = 0; i < count; i++)
                KernelHeap.FreePages(KernelHeap.AllocatePages(0), 0);
        }
    }
}
