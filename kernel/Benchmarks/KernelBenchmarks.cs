using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Power;
using Exo.Kernel.Time;

namespace Exo.Kernel.Benchmarks
{
    /// <summary>
    /// The Exo-OS side of `make bench` (kernel command line "bench", "bench quick"). Until user mode exists,
    /// the rows are kernel-level equivalents and say so (note=kernel-level); rows with no equivalent yet are
    /// not printed and the harness shows them as "not yet".
    /// </summary>
    public static unsafe class KernelBenchmarks
    {
        private static ulong s_sink;
        private struct BatchStorage { public fixed ulong Pointers[100]; }
        private static BatchStorage s_batch;

        public static void RunAndExit(bool quick)
        {
            int samples = quick ? 31 : 201;
            KernelConsole.WriteLine();
            // Boot: TSC from reset to the kernel being ready (the shell or the first test would start here).
            BenchmarkRunner.Report("boot.to_init", KernelMain.ReadyTsc, KernelMain.ReadyTsc, 1, "kernel-ready");
            BenchmarkRunner.Measure("time.clock_gettime", &ClockRead, 100, samples, 5, "kernel-level");
            BenchmarkRunner.Measure("alloc.small_pair", &SmallPair, 100, samples, 5, "kernel-level");
            BenchmarkRunner.Measure("alloc.batch100", &Batch100, 1, 100, samples, 5, "kernel-level");
            BenchmarkRunner.Measure("alloc.page", &PagePair, 10, samples, 3, "kernel-level");
            KernelConsole.WriteLine("EXO-BENCH-DONE");
            QemuDebugExit.Exit(QemuDebugExit.Success);
            while (true)
                Cpu.Halt();
        }

        private static void ClockRead(int count)
        {
            for (int i = 0; i < count; i++)
                s_sink += SystemClock.UptimeMicroseconds;
        }

        private static void SmallPair(int count)
        {
            for (int i = 0; i < count; i++)
                KernelHeap.Free(KernelHeap.Allocate(64));
        }

        // Reported per allocate+free pair, like the Linux row: 100 allocations then 100 frees.
        private static void Batch100(int count)
        {
            fixed (ulong* pointers = s_batch.Pointers)
            {
                for (int i = 0; i < 100; i++)
                    pointers[i] = (ulong)KernelHeap.Allocate(64);
                for (int i = 0; i < 100; i++)
                    KernelHeap.Free((void*)pointers[i]);
            }
        }

        private static void PagePair(int count)
        {
            for (int i = 0; i < count; i++)
                PhysicalMemory.FreeFrame(PhysicalMemory.AllocateFrame());
        }
    }
}
